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

Members: a page whose content is the same for every member (or for every member of one city) is
stored once for all of them, under the same generations, with its personal parts left as holes: the
`{% personal "name" %}` blocks of base.html (the header's account menu and unread count, the title's
count, the live-updates script) render as markers, and every response fills them in for its own
member (`_fill_personal`). The view says what its content depends on (`member_variant`, which
sees the view's arguments): a page whose content depends on a fact about the member (a pet in their
cart, an open consultation with this vet) names that fact in the variant, or returns None (a full
render) when the page is the member's alone (a lister's own pet). The member's time zone is part of
the key.

A member's own pages (their consultations, their applications) are stored per member
(`member_variant=per_member`) under the generations of the areas whose rows they show, so a change
to those rows shows on the next request, and the 1 s bound covers the rest. A part that changes
without any row save a signal sees (a consultation's unread badge, bumped by every chat message)
stays out of the stored page: the template leaves a marker and the view's `fill(request, content)`
fills it in for every response, stored or fresh.

What never goes into the cache: pages while the visitor has pending messages, pages a view does not
share for this member, anything but a plain 200 without cookies. The CSRF token is rendered as a placeholder
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
from django.template import RequestContext
from django.template.loader import get_template
from django.utils import timezone
from django.utils.functional import cached_property

# Rendered where {% csrf_token %} would put the token; letters only, so escaping leaves it alone.
CSRF_PLACEHOLDER = "hpPageCacheCsrfTokenPlaceholder"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
RENDERING_FLAG = "_pagecache_rendering"
# Set while a page is rendered for all members: `{% personal %}` blocks render as markers.
SHARED_FLAG = "_pagecache_shared"
PERSONAL_MARKER = "<!--hp-personal:%s-->"
_PERSONAL_PREFIX = b"<!--hp-personal:"
PERSONAL_TEMPLATE = "base.html"
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


def same_for_every_member(request, *args, **kwargs) -> str:
    """The default `member_variant`: the page's content depends on nothing about the member."""
    return ""


def not_shared(request, *args, **kwargs) -> None:
    """`member_variant` of a page that shows something about the member: never shared."""
    return None


def per_member(request, *args, **kwargs) -> str:
    """`member_variant` of a member's own page (their consultations, their applications): stored for
    this member alone (their id is in the key)."""
    return f"u{request.user.pk}"


def _variant(request, member_variant, args, kwargs) -> str | None:
    """The cache key's audience: "v" for a visitor, "m<variant>@<zone>" for a member whose page can
    be shared; None when this request must not be served from or stored in the cache."""
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
        return None
    user = getattr(request, "user", None)
    if user is None:
        return None
    storage = getattr(request, "_messages", None)
    # len() loads pending messages without marking them read; a page showing them is personal.
    if storage is not None and len(storage) != 0:
        return None
    if not user.is_authenticated:
        return "v"
    if user.is_staff:  # staff see what nobody else does (unlisted salons, drafts) through the access helpers
        return None
    variant = member_variant(request, *args, **kwargs)
    if variant is None:
        return None
    return f"m{variant}@{timezone.get_current_timezone_name()}"


def _page_key(request, audience: str) -> str:
    path = f"{request.get_host()}{request.get_full_path()}|{audience}".encode()
    return f"{KEY_PREFIX}page:{request.LANGUAGE_CODE}:{hashlib.md5(path, usedforsecurity=False).hexdigest()}"


def _personal_nodes(template) -> dict:
    from common.templatetags.pagecache import PersonalNode

    nodes = getattr(template, "_pagecache_personal", None)
    if nodes is None:
        nodes = {node.name: node for node in template.nodelist.get_nodes_by_type(PersonalNode)}
        template._pagecache_personal = nodes
    return nodes


def _fill_personal(request, content: bytes) -> bytes:
    """Render base.html's `{% personal %}` blocks for this request's member into a shared page."""
    if _PERSONAL_PREFIX not in content:
        return content
    template = get_template(PERSONAL_TEMPLATE).template
    context = RequestContext(request)
    parts = {}
    with context.bind_template(template):
        for name, node in _personal_nodes(template).items():
            parts[(PERSONAL_MARKER % name).encode()] = node.nodelist.render(context).encode()
    for marker, html in parts.items():
        content = content.replace(marker, html)
    return content


def _with_token(request, content: bytes) -> bytes:
    if _PLACEHOLDER_BYTES in content:
        content = content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
    return content


def public_page(*areas: str, member_variant=same_for_every_member, fill=None):
    """Serve this GET view from the page cache (see the module docstring).

    `member_variant(request, *args, **kwargs)` (the view's arguments) says what the page's content
    depends on for a member: "" (nothing, the default), a string (e.g. their city, for a page that
    starts from it, or `per_member`'s id) or None (members always get a fresh render).
    `fill(request, content) -> content` fills in the markers a page leaves for what must be fresh on
    every response; it runs on every 200 the view answers with, from the cache or not.
    """
    generation_keys = [_generation_key(area) for area in areas]

    def decorator(view):
        def uncached(request, *args, **kwargs):
            """The view's own answer, with `fill` applied (not stored, not shared)."""
            response = view(request, *args, **kwargs)
            streaming = getattr(response, "streaming", False)
            if fill is not None and response.status_code == 200 and not streaming:
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                response.content = fill(request, response.content)
            return response

        @wraps(view)
        def wrapped(request, *args, **kwargs):
            audience = _variant(request, member_variant, args, kwargs)
            if audience is None:
                return uncached(request, *args, **kwargs)
            shared = audience != "v"
            started = time.time()
            key = _page_key(request, audience)
            try:
                found = cache.get_many([*generation_keys, key])
            except Exception:  # the cache being down: serve the page uncached rather than an error
                logger.warning("page cache: lookup failed", exc_info=True)
                return uncached(request, *args, **kwargs)
            generations = [found.get(k) for k in generation_keys]
            entry = found.get(key)
            if entry is not None and entry[0] == generations and entry[1] > started:
                content = _fill_personal(request, entry[3]) if shared else entry[3]
                if fill is not None:
                    content = fill(request, content)
                content = _with_token(request, content)
                response = HttpResponse(content, content_type=entry[2])
                response["X-Page-Cache"] = "hit"
                return response

            # Flags for the render only: an error page (404) rendered after the view raised is nobody's.
            setattr(request, RENDERING_FLAG, True)
            setattr(request, SHARED_FLAG, shared)
            try:
                response = view(request, *args, **kwargs)
                if getattr(response, "streaming", False):
                    return response
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            finally:
                setattr(request, RENDERING_FLAG, False)
                setattr(request, SHARED_FLAG, False)
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
            if shared:
                content = _fill_personal(request, content)
            if fill is not None and response.status_code == 200:
                content = fill(request, content)
            response.content = _with_token(request, content)
            return response

        wrapped.pagecache_areas = areas
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

    `key` names the filter set instead of the query's SQL, for a query whose SQL carries the clock
    (`published_at <= now()`): the caller then keeps the remembered values right as time passes.
    """

    def __init__(
        self, object_list, per_page, *, areas: tuple[str, ...], remember_pages=False, key=None, **kwargs
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.areas = areas
        self.remember_pages = remember_pages
        self.key = key

    @cached_property
    def _digest(self) -> str | None:
        if self.key is not None:
            return hashlib.md5(self.key.encode(), usedforsecurity=False).hexdigest()
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
