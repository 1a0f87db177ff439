"""Vaccination reminders: 7 days before and on the due day, once each, switchable per pet."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.models import Notification
from pets import services
from pets.models import VaccinationReminder
from tests.pets.factories import PetFactory, VaccinationFactory

pytestmark = pytest.mark.django_db


def due_in(days, **kwargs):
    today = timezone.localdate()
    return VaccinationFactory(next_due=today + datetime.timedelta(days=days), proof="", **kwargs)


def test_week_before_and_on_the_day_each_once(owner, django_capture_on_commit_callbacks):
    pet = PetFactory(owner=owner, name="Mochi")
    in_week = due_in(7, pet=pet, vaccine="Rabies")
    today_one = due_in(0, pet=pet, vaccine="Tricat")
    due_in(3, pet=pet, vaccine="FeLV")  # neither 7 days nor today: nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_vaccination_reminders() == 2
    assert services.send_vaccination_reminders() == 0  # idempotent
    kinds = set(VaccinationReminder.objects.values_list("vaccination_id", "kind"))
    assert kinds == {(in_week.pk, "week"), (today_one.pk, "day")}
    notes = Notification.objects.filter(recipient=owner, kind="pets.vaccination_due")
    assert notes.count() == 2 and all(n.url == f"/pets/{pet.pk}/" for n in notes)
    assert len(mail.outbox) == 2 and any("Rabies" in m.subject for m in mail.outbox)


def test_the_day_reminder_follows_the_week_one(owner):
    vaccination = due_in(7, pet=PetFactory(owner=owner))
    assert services.send_vaccination_reminders() == 1
    later = timezone.localdate() + datetime.timedelta(days=7)
    assert services.send_vaccination_reminders(today=later) == 1
    assert services.send_vaccination_reminders(today=later) == 0
    assert vaccination.reminders.count() == 2


def test_switched_off_pets_and_read_only_copies_get_none(owner, other_member):
    due_in(7, pet=PetFactory(owner=owner, vaccination_reminders=False))
    handed = PetFactory(owner=owner)
    due_in(7, pet=handed)
    services.pet_hand_over(pet=handed, to=other_member, share_medical_notes=True)
    # The adopter (new owner) is reminded; the lister's read-only copy is not.
    assert services.send_vaccination_reminders() == 1
    assert Notification.objects.get(kind="pets.vaccination_due").recipient == other_member


def test_a_newer_shot_of_the_same_vaccine_silences_the_old_due_date(owner):
    pet = PetFactory(owner=owner)
    due_in(0, pet=pet, vaccine="Rabies", given_on=timezone.localdate() - datetime.timedelta(days=365))
    VaccinationFactory(pet=pet, vaccine="rabies", given_on=timezone.localdate(), next_due=None, proof="")
    assert services.send_vaccination_reminders() == 0


def test_management_command(owner, capsys):
    due_in(7, pet=PetFactory(owner=owner))
    call_command("pets_vaccination_reminders")
    assert "1 vaccination reminder(s) sent" in capsys.readouterr().out
    call_command("pets_vaccination_reminders")
    assert "0 vaccination reminder(s) sent" in capsys.readouterr().out
