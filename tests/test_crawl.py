"""Every page reachable by following links, as every demo persona, answers without a server error.

The demo data (`seed_demo`) gives each area real rows; the crawler follows every same-site link from
the home page and the main sections, then asks each list page again with hostile query strings.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User

PERSONAS = [
    None,
    "budi@hellopet.local",
    "sari@hellopet.local",
    "drh.ayu@hellopet.local",
    "shelter@hellopet.local",
    "salon@hellopet.local",
    "admin@hellopet.local",
]
START = [
    "/", "/vets/", "/grooming/", "/adoption/", "/articles/", "/consultations/", "/notifications/",
    "/adoption/cart/", "/adoption/applications/", "/adoption/listings/", "/grooming/bookings/",
    "/accounts/profile/", "/accounts/verification/", "/vets/me/", "/grooming/manage/", "/admin/stats/",
]  # fmt: skip
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/", "/admin/", "/payments/simulator/")
HOSTILE = [
    "?page=abc", "?page=-1", "?page=99999", "?sort=zzz", "?city=99.99", "?city=abc", "?species=nope",
    "?max_fee=-5", "?max_fee=1e99", "?max_price=abc", "?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "?open_now=maybe", "?service=%00", "?size=giant&sex=x&age=old", "?category=none", "?from=2026-13&to=x",
]  # fmt: skip
MAX_PAGES = 250


class LinkParser(HTMLParser):
    """Links, and POST forms with their field names and kinds."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}}
        elif self._form is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            kind = attrs.get("type", tag) if tag == "input" else tag
            self._form["fields"][attrs["name"]] = kind

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def internal_links(html: str):
    parser = LinkParser()
    parser.feed(html)
    for href in parser.links:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/"):
            continue
        if href.startswith(SKIP_PREFIXES):
            continue
        yield href


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True  # seed_demo refuses otherwise; pages are still rendered as in production
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.DEBUG = False


GARBAGE = {
    "text": "<script>alert('x')</script>" + "ẞ" * 5000, "email": "not-an-email",
    "number": "-99999999999999999999",
    "date": "2026-02-30", "time": "25:61", "datetime-local": "yesterday", "tel": "+1 (555) abc",
    "textarea": "\x00" + "x" * 20000, "select": "does-not-exist", "checkbox": "on", "radio": "nope",
    "hidden": "tampered", "password": "x", "search": "%", "url": "javascript:alert(1)",
}  # fmt: skip
NEVER_SUBMIT = ("/accounts/delete/", "/accounts/logout/", "/i18n/")


def crawl(client, start, limit=MAX_PAGES):
    """Every page reachable from `start` by following same-site links (GET): the pages that failed with
    a server error, how many pages were visited, and the POST forms found on them (action -> fields)."""
    seen, queue, failures, forms = set(), deque(start), [], {}
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
            continue
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            parser = LinkParser()
            parser.feed(html)
            queue.extend(link for link in internal_links(html) if link not in seen)
            for form in parser.forms:
                action = urldefrag(form["action"] or path)[0]
                if action.startswith("/") and not action.startswith(NEVER_SUBMIT):
                    forms.setdefault(action, form["fields"])
    return failures, len(seen), forms


def garbage_for(fields: dict) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    garbage = {}
    for name, kind in fields.items():
        if name == "csrfmiddlewaretoken":
            continue
        if kind == "file":
            garbage[name] = SimpleUploadedFile("x.jpg", b"GIF89a not really", content_type="image/jpeg")
        else:
            garbage[name] = GARBAGE.get(kind, "x")
    return garbage


# One crawl per persona for both checks (pages, then the forms found on them): the crawl is most of the
# cost, and the forms are those of the pages it reached.
@pytest.mark.parametrize("email", PERSONAS, ids=lambda e: (e or "anonymous").split("@")[0])
def test_every_page_and_form_a_persona_reaches_answers_without_a_server_error(demo, email):
    client = Client(raise_request_exception=False)
    if email:
        client.force_login(User.objects.get(email=email))
    failures, visited, forms = crawl(client, START)
    assert not failures, failures
    assert visited > 10
    # Every POST form, sent empty and then with garbage in every field (after the crawl: whatever a post
    # changes cannot hide a page from it).
    for action, fields in forms.items():
        for data in ({}, garbage_for(fields)):
            status = client.post(action, data).status_code
            if status >= 500:
                failures.append((action, "empty" if not data else "garbage", status))
    assert not failures, failures
    assert forms


@pytest.mark.parametrize("path", ["/vets/", "/grooming/", "/adoption/", "/articles/", "/notifications/",
                                  "/consultations/", "/admin/stats/"])  # fmt: skip
def test_list_pages_answer_hostile_query_strings_without_a_server_error(demo, path):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(email="admin@hellopet.local"))
    bad = [(query, client.get(path + query).status_code) for query in HOSTILE]
    assert all(status < 500 for _, status in bad), bad
