"""Whole-page cache for anonymous visitors, invalidated by the rows the pages show.

A public page (`@public_page("adoption")`) is stored in the default cache (Redis in production, the
process's memory on the embedded default) under its host, path, query string and language. Each page
names the *areas* whose data it shows; every area has a generation number, and a stored page is only
served while the generations it was rendered under are still current. The apps bump their area when
a row they show is saved or deleted (`invalidate_on_change()`, connected in each app's `ready()`),
after the transaction commits, so the next request renders fresh data.

Staleness bound: a stored page is also never served more than `PAGE_CACHE_SECONDS` (1 s) after the
request that rendered it started. That covers what no signal reports: the clock ("open now", a vet's
presence timing out), `QuerySet.update()` in admin bulk actions, a user renaming themselves.

What never goes into the cache: pages for a logged-in user, pages while the visitor has pending
messages, anything but a plain 200 without cookies. The CSRF token is rendered as a placeholder
(see `pages.context_processors.site`) and replaced by the requester's own token on every
response, so a stored page holds nobody's token.
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.functional import cached_property

# Rendered where {% csrf_token %} would put the token; letters only, so escaping leaves it alone.
CSRF_PLACEHOLDER = "hpPageCacheCsrfTokenPlaceholder"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
RENDERING_FLAG = "_pagecache_rendering"
KEY_PREFIX = "pagecache:"
logger = logging.getLogger(__name__)


def _generation_key(area: str) -> str:
    return f"{KEY_PREFIX}gen:{area}"


def bump(*areas: str) -> None:
    """Make every stored page of these areas stale: now, and again when the transaction commits.

    Now, so that this process (and a test inside one transaction) sees the change at once; again
    after commit, because a request that renders between the first bump and the commit reads the old
    rows and stores them under the new generation.
    """

    def _bump():
        # A fresh value rather than incr(): incr() on a key evicted from the cache would fail, and a
        # nanosecond clock never repeats a value a stored page could still carry.
        try:
            cache.set_many({_generation_key(area): time.time_ns() for area in areas}, timeout=None)
        except Exception:  # the cache being down must not fail the write; pages expire within 1 s
            logger.warning("page cache: could not bump %s", areas, exc_info=True)

    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def invalidate_on_change(area: str, *models) -> None:
    """Bump `area` whenever a row of these models is saved or deleted (M2M changes included)."""

    def receiver(sender, **kwargs):
        if kwargs.get("raw"):  # loaddata
            return
        if kwargs.get("action", "post_").startswith("post_"):
            bump(area)

    for model in models:
        uid = f"pagecache:{area}:{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + ":delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                receiver, sender=field.remote_field.through, weak=False, dispatch_uid=f"{uid}:{field.name}"
            )


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    storage = getattr(request, "_messages", None)
    # len() loads pending messages without marking them read; a page showing them is personal.
    return storage is None or len(storage) == 0


def _page_key(request) -> str:
    path = f"{request.get_host()}{request.get_full_path()}".encode()
    return f"{KEY_PREFIX}page:{request.LANGUAGE_CODE}:{hashlib.md5(path, usedforsecurity=False).hexdigest()}"


def _with_token(request, content: bytes) -> bytes:
    if _PLACEHOLDER_BYTES in content:
        content = content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
    return content


def public_page(*areas: str):
    """Serve this GET view from the page cache for anonymous visitors (see the module docstring)."""
    generation_keys = [_generation_key(area) for area in areas]

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            started = time.time()
            key = _page_key(request)
            try:
                found = cache.get_many([*generation_keys, key])
            except Exception:  # the cache being down: serve the page uncached rather than an error
                logger.warning("page cache: lookup failed", exc_info=True)
                return view(request, *args, **kwargs)
            generations = [found.get(k) for k in generation_keys]
            entry = found.get(key)
            if entry is not None and entry[0] == generations and entry[1] > started:
                response = HttpResponse(_with_token(request, entry[3]), content_type=entry[2])
                response["X-Page-Cache"] = "hit"
                return response

            setattr(request, RENDERING_FLAG, True)
            response = view(request, *args, **kwargs)
            if getattr(response, "streaming", False):
                return response
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            content = response.content
            session = getattr(request, "session", None)
            if (
                request.method == "GET"
                and response.status_code == 200
                and not response.cookies
                and not response.has_header("Cache-Control")
                and not (session is not None and session.modified)
            ):
                ttl = settings.PAGE_CACHE_SECONDS
                entry = (generations, started + ttl, response["Content-Type"], content)
                try:
                    cache.set(key, entry, timeout=int(ttl) + 1)
                    response["X-Page-Cache"] = "miss"
                except Exception:
                    logger.warning("page cache: store failed", exc_info=True)
            response.content = _with_token(request, content)
            return response

        return wrapped

    return decorator


def cached_value(*areas: str, key: str, compute, timeout: int = 300):
    """`compute()`, remembered until one of `areas` changes (or `timeout` seconds): for the costly
    parts of a page that members see too (a count over 100,000 rows, a filter's choice list).

    One cache round trip when remembered; a recomputed value is stored under the generations read
    *before* computing, so a change that lands meanwhile makes it stale at once.
    """
    generation_keys = [_generation_key(area) for area in areas]
    full_key = f"{KEY_PREFIX}value:{key}"
    try:
        found = cache.get_many([*generation_keys, full_key])
    except Exception:  # the cache being down: compute every time rather than fail the page
        logger.warning("page cache: lookup failed", exc_info=True)
        return compute()
    generations = [found.get(k) for k in generation_keys]
    entry = found.get(full_key)
    if entry is not None and entry[0] == generations:
        return entry[1]
    value = compute()
    try:
        cache.set(full_key, (generations, value), timeout=timeout)
    except Exception:
        logger.warning("page cache: store failed", exc_info=True)
    return value


class CountCachingPaginator(Paginator):
    """A Paginator whose total (a COUNT over every matching row) is remembered per filter set until
    the area's rows change: page 2, a reload, the next visitor with the same filters pay no scan.

    With `remember_pages=True` it also remembers which rows each page holds (their primary keys,
    in order), for orderings no index can serve (the salon directory sorts every salon by rating):
    the page's own query then fetches those twelve rows by key.
    """

    def __init__(self, object_list, per_page, *, areas: tuple[str, ...], remember_pages=False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.areas = areas
        self.remember_pages = remember_pages

    @cached_property
    def _digest(self) -> str | None:
        try:
            sql = str(self.object_list.query)
        except EmptyResultSet:
            return None
        return hashlib.md5(sql.encode(), usedforsecurity=False).hexdigest()

    @cached_property
    def count(self):
        if self._digest is None:
            return 0
        return cached_value(*self.areas, key=f"count:{self._digest}", compute=self.object_list.count)

    def _get_page(self, object_list, number, paginator):
        if self.remember_pages and self._digest is not None and hasattr(object_list, "query"):
            bottom, top = object_list.query.low_mark, object_list.query.high_mark
            ids = cached_value(
                *self.areas,
                key=f"slice:{self._digest}:{bottom}:{top}",
                compute=lambda: list(self.object_list.values_list("pk", flat=True)[bottom:top]),
            )
            rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
            object_list = [rows[pk] for pk in ids if pk in rows]
        return super()._get_page(object_list, number, paginator)
