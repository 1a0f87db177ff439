"""Item 1 of issue 15: on a phone the unread count shows on the Menu button (the notification link is
inside the collapsed menu) and in the page title, "(3) ...", and both follow live notifications."""

import pytest

from notifications.services import notify
from tests import factories
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_menu_button_and_title_show_the_unread_count_live(live_asgi_server, browser):
    member = factories.UserFactory(city=None, language="id")
    verification = factories.IdentityVerificationFactory(user=member)
    for _ in range(3):
        notify(member, kind="accounts.identity_approved", context={"verification": None}, email=False)
    staff = factories.UserFactory(city=None, is_staff=True, is_superuser=True)

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, live_asgi_server, member)
    page.goto(f"{live_asgi_server}/grooming/")
    menu_badge = page.locator(".menu-button [data-unread-badge]")
    assert page.locator(".nav").is_hidden()  # the notification link is out of sight...
    assert menu_badge.is_visible() and menu_badge.inner_text() == "3"  # ...the count is not
    assert page.title().startswith("(3) ")
    assert "notifikasi belum dibaca" in page.locator(".menu-button").text_content()
    page.wait_for_timeout(500)  # let the notification socket connect

    admin_context = browser.new_context()
    admin = admin_context.new_page()
    login_in_browser(admin, live_asgi_server, staff)
    admin.goto(f"{live_asgi_server}/admin/accounts/identityverification/")
    admin.check(f"input[name=_selected_action][value='{verification.pk}']")
    admin.select_option("select[name=action]", "approve_selected")
    admin.click("button[name=index]")
    admin.wait_for_load_state()

    page.wait_for_function("document.title.startsWith('(4) ')", timeout=5000)
    assert menu_badge.inner_text() == "4"
    page.click(".menu-button")
    assert page.locator(".notif-link [data-unread-badge]").inner_text() == "4"
    admin_context.close()
    context.close()


def test_desktop_shows_the_count_on_the_notification_link_only(live_asgi_server, browser):
    member = factories.UserFactory(city=None, language="en")
    notify(member, kind="accounts.identity_approved", context={"verification": None}, email=False)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login_in_browser(page, live_asgi_server, member)
    page.goto(f"{live_asgi_server}/vets/")
    assert page.locator(".menu-button").is_hidden()
    link = page.locator(".notif-link")
    assert link.is_visible() and link.locator("[data-unread-badge]").inner_text() == "1"
    assert page.title().startswith("(1) ")
    context.close()


def test_no_count_in_the_title_without_unread_notifications(live_asgi_server, browser):
    member = factories.UserFactory(city=None)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, live_asgi_server, member)
    page.goto(f"{live_asgi_server}/articles/")
    assert not page.title().startswith("(")
    assert page.locator(".menu-button [data-unread-badge]").is_hidden()
    context.close()
