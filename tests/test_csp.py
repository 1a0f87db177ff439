"""Issue 13.15: the Content-Security-Policy names only this site's WebSocket origin; /admin/ has a
policy too; private files are served sandboxed, PDFs as downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pages.middleware import ContentSecurityPolicyMiddleware
from tests.factories import IdentityVerificationFactory, VetLicenceFactory

pytestmark = pytest.mark.django_db


def directive(csp: str, name: str) -> list[str]:
    for part in csp.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"{name} missing from {csp!r}")


@pytest.mark.parametrize(
    ("site_url", "origin"),
    [
        ("https://hellopet.example", "wss://hellopet.example"),
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000"),
    ],
)
def test_websockets_may_connect_to_this_site_only(client, settings, site_url, origin):
    settings.SITE_URL = site_url
    middleware = ContentSecurityPolicyMiddleware(lambda request: None)
    assert directive(middleware.header, "connect-src") == ["'self'", origin]
    csp = client.get("/")["Content-Security-Policy"]
    assert "ws:" not in directive(csp, "connect-src") and "wss:" not in directive(csp, "connect-src")


def test_admin_pages_have_a_policy_too(client_for, staff):
    for path in ("/admin/login/", "/admin/", "/admin/stats/"):
        csp = client_for(staff if path != "/admin/login/" else None).get(path)["Content-Security-Policy"]
        assert directive(csp, "default-src") == ["'self'"]
        assert directive(csp, "script-src") == ["'self'"]
        assert directive(csp, "frame-ancestors") == ["'none'"]


def test_private_images_are_sandboxed_and_inline(client_for, unverified_member):
    verification = IdentityVerificationFactory(user=unverified_member)
    response = client_for(unverified_member).get(f"/accounts/verification/{verification.pk}/scan/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("inline;")


def test_private_pdfs_are_sandboxed_downloads(client_for, staff):
    licence = VetLicenceFactory(
        document=SimpleUploadedFile("strv.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    )
    response = client_for(staff).get(f"/accounts/vet-licence/{licence.pk}/document/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
