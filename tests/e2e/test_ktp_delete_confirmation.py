"""Item 16 of issue 15: deleting one's KTP data asks first and says what is lost (an approved status
too); nothing is deleted until the member confirms."""

import pytest

from accounts.models import IdentityVerification
from tests import factories
from tests.conftest import login_in_browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_is_asked_before_the_ktp_data_and_the_approved_status_go(live_asgi_server, browser):
    base = live_asgi_server
    member = factories.VerifiedMemberFactory()
    assert member.is_identity_verified
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login_in_browser(page, base, member)
    page.goto(f"{base}/accounts/verification/")
    page.click("#delete-ktp")
    page.wait_for_load_state()
    lost = page.locator("#what-is-lost").inner_text()
    assert "NIK" in lost and "scan KTP" in lost
    assert "status terverifikasi" in lost
    assert IdentityVerification.objects.filter(user=member).exists()  # asking deletes nothing

    page.click("text=Tetap simpan")
    page.wait_for_load_state()
    assert page.url == f"{base}/accounts/verification/"
    assert IdentityVerification.objects.filter(user=member).exists()

    page.click("#delete-ktp")
    page.click("#confirm-delete")
    page.wait_for_load_state()
    assert not IdentityVerification.objects.filter(user=member).exists()
    member = type(member).objects.get(pk=member.pk)  # is_identity_verified is cached on the instance
    assert not member.is_identity_verified
    context.close()


@pytest.mark.django_db
def test_the_confirmation_page_is_the_owner_s_only(client_for, owner, other_member):
    verification = IdentityVerification.objects.get(user=owner)
    url = f"/accounts/verification/{verification.pk}/delete/"
    assert client_for(other_member).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to the login page
    assert client_for(owner).get(url).status_code == 200
    assert IdentityVerification.objects.filter(pk=verification.pk).exists()
