"""The live notification client end to end: a staff decision in one browser shows up in the member's
open page (badge + toast) without a reload."""

import pytest

from tests import factories
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_sees_badge_and_toast_when_staff_decides(live_asgi_server, browser):
    member = factories.UserFactory(city=None, language="en")
    verification = factories.IdentityVerificationFactory(user=member)
    staff = factories.UserFactory(city=None, is_staff=True, is_superuser=True)

    member_context = browser.new_context(viewport={"width": 360, "height": 740})
    page = member_context.new_page()
    login_in_browser(page, live_asgi_server, member)
    page.goto(f"{live_asgi_server}/notifications/")
    badge = page.locator("[data-unread-badge]").first
    assert badge.is_hidden()
    page.wait_for_timeout(500)  # let the socket connect

    staff_context = browser.new_context()
    admin = staff_context.new_page()
    login_in_browser(admin, live_asgi_server, staff)
    admin.goto(f"{live_asgi_server}/admin/accounts/identityverification/")
    admin.check(f"input[name=_selected_action][value='{verification.pk}']")
    admin.select_option("select[name=action]", "approve_selected")
    admin.click("button[name=index]")
    admin.wait_for_load_state()

    toast = page.locator(".live-toast")
    toast.wait_for(timeout=5000)
    assert "identity verification was approved" in toast.inner_text()
    assert badge.inner_text() == "1"
    member_context.close()
    staff_context.close()
