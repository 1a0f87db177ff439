"""Issue 15.6: notifications are stored as kind + parameters and rendered in the reader's language when
shown (older rows keep their stored text as a fallback); the ID/EN switch of a member is saved to
their profile, which the pages and the e-mails then follow."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.utils import translation

from notifications import snapshot
from notifications.models import Notification, OutgoingEmail
from notifications.services import in_app, notify, render_notification
from tests import factories
from tests.consultations.chat_support import make_consultation
from tests.grooming.factories import BookingFactory

pytestmark = pytest.mark.django_db


def _shown(notification, language):
    with translation.override(language):
        return in_app(notification)


def test_a_notification_follows_the_language_of_whoever_reads_it(owner, vet):
    owner.language = "id"
    consultation = make_consultation(owner, vet)
    notification = notify(
        owner, kind="consultations.accepted", context={"consultation": consultation}, url="/c/", email=False
    )
    assert notification.params["v"] == snapshot.VERSION
    title_id, body_id, lang_id = _shown(notification, "id")
    title_en, body_en, lang_en = _shown(notification, "en")
    assert (title_id, body_id) == (notification.title, notification.body)  # as written at the time
    assert title_en == "drh. Ayu Pratiwi accepted your consultation"
    assert (
        body_en
        == "drh. Ayu Pratiwi accepted your consultation about Mochi. Open the chat to talk to the vet."
    )
    assert (lang_id, lang_en) == ("id", "en")
    assert title_id != title_en


@pytest.mark.parametrize("language", ["id", "en"])
def test_rendering_from_the_parameters_equals_rendering_from_the_objects(owner, language):
    """A booking notification (times in the salon's zone, names of related rows) shown from its stored
    parameters reads exactly like one rendered from the live objects in that language."""
    booking = BookingFactory(member=owner)
    notification = notify(
        owner, kind="grooming.booking_confirmed", context={"booking": booking}, url="/grooming/", email=False
    )
    owner.language = language
    subject, text, _html = render_notification(
        owner, kind="grooming.booking_confirmed", context={"booking": booking}, url="/grooming/"
    )
    title, body, _lang = _shown(notification, language)
    assert title == subject
    assert body == text.removesuffix(f"{settings.SITE_URL}/grooming/").strip()
    assert booking.salon.name in body and booking.service.name in body


def test_only_what_the_templates_read_is_stored(owner, vet):
    consultation = make_consultation(owner, vet)
    notification = notify(
        owner, kind="consultations.accepted", context={"consultation": consultation}, email=False
    )
    values = notification.params["values"]
    assert values["consultation"] == {"pet_name": "Mochi", "vet": {"full_name": "drh. Ayu Pratiwi"}}
    assert "password" not in str(notification.params)


def test_deleted_objects_do_not_matter_once_stored(owner, vet):
    consultation = make_consultation(owner, vet)
    notification = notify(
        owner, kind="consultations.accepted", context={"consultation": consultation}, email=False
    )
    consultation.delete()
    notification.refresh_from_db()
    assert _shown(notification, "en")[0] == "drh. Ayu Pratiwi accepted your consultation"


def test_language_dependent_values_are_kept_per_language():
    class Pet:
        def __str__(self):
            return "Kucing" if translation.get_language() == "id" else "Cat"

    params, results = snapshot.record(lambda ctx: str(ctx["pet"]), {"pet": Pet()}, ["id", "en"])
    assert results == {"id": "Kucing", "en": "Cat"}
    with translation.override("en"):
        assert str(snapshot.restore(params)["pet"]) == "Cat"
    with translation.override("id"):
        assert str(snapshot.restore(params)["pet"]) == "Kucing"


def test_old_rows_show_their_stored_text_marked_with_its_language(owner, client_for):
    old = Notification.objects.create(
        recipient=owner,
        kind="consultations.accepted",
        title="Dokter menerima konsultasi Anda",
        body="Teks lama",
    )
    # The data migration marks the language of the text old rows were written in.
    migration = importlib.import_module("notifications.migrations.0004_old_rows_language")
    migration.mark_language(apps, None)
    old.refresh_from_db()
    assert old.language == owner.language == "id"
    assert _shown(old, "en") == ("Dokter menerima konsultasi Anda", "Teks lama", "id")

    owner.language = "en"
    owner.save(update_fields=["language"])
    page = client_for(owner).get("/notifications/").content.decode()
    assert 'lang="id" data-kind="consultations.accepted"' in page
    assert "Dokter menerima konsultasi Anda" in page


def test_the_list_page_renders_each_notification_in_the_readers_language(owner, vet, client_for):
    consultation = make_consultation(owner, vet)
    notify(
        owner, kind="consultations.accepted", context={"consultation": consultation}, url="/c/", email=False
    )
    client = client_for(owner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/notifications/"})
    page = client.get("/notifications/").content.decode()
    assert "drh. Ayu Pratiwi accepted your consultation" in page
    assert 'lang="id" data-kind' not in page


# --- the ID/EN switch is saved to the profile ---------------------------------------------------------
def test_the_switch_saves_a_members_language_and_their_emails_follow(
    owner, client_for, django_capture_on_commit_callbacks
):
    client = client_for(owner)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/vets/"})
    assert response.status_code == 302 and response["Location"] == "/vets/"
    owner.refresh_from_db()
    assert owner.language == "en"
    with django_capture_on_commit_callbacks(execute=True):
        notify(owner, kind="accounts.identity_approved", context={"verification": None})
    assert (
        OutgoingEmail.objects.get().subject
        == mail.outbox[0].subject
        == "Your identity verification was approved"
    )


def test_a_members_profile_language_wins_over_a_stale_cookie_and_fixes_it(owner, client_for):
    owner.language = "en"
    owner.save(update_fields=["language"])
    client = client_for(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"  # left from before they logged in
    response = client.get("/vets/")
    assert response["Content-Language"] == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_visitors_switch_is_a_cookie_only(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/vets/")["Content-Language"] == "en"


def test_an_unknown_language_changes_nothing(owner, client_for):
    client_for(owner).post("/i18n/setlang/", {"language": "xx", "next": "/"})
    owner.refresh_from_db()
    assert owner.language == "id"


def test_login_applies_the_saved_language(client):
    member = factories.UserFactory(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    client.post("/accounts/login/", {"username": member.email, "password": factories.PASSWORD})
    assert client.get("/vets/")["Content-Language"] == "en"


def test_related_lists_and_branches_are_recorded_as_the_template_reads_them(owner, vet):
    """`{% for %}` over `x.related.all`, `{% if %}` on an object and a missing value all come back."""
    from django.template import Context, Template

    consultation = make_consultation(owner, vet)
    template = Template(
        "{% for m in owner.consultations_as_owner.all %}{{ m.pet_name }};{% endfor %}"
        "{% if consultation.vet %}vet={{ consultation.vet.full_name }}{% endif %}|{{ consultation.nothing }}"
    )
    render = lambda ctx: template.render(Context(ctx))  # noqa: E731
    context = {"owner": owner, "consultation": consultation}
    params, results = snapshot.record(render, context, ["id", "en"])
    consultation.delete()
    assert results["id"] == "Mochi;vet=drh. Ayu Pratiwi|"
    assert render(snapshot.restore(params)) == results["id"]
