"""Consultations and the pet's record (pets app): the vet's side panel, the vet's access to the
record's files, and the consultation entries of the pet's timeline.

Medical privacy: a vet sees a pet's record only through a consultation about that pet, while it is
open (waiting or in progress) and for PANEL_DAYS after it ended; each look is written to the owner's
audit (pets.AccessLog).
"""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pets import services as pet_services
from pets.charts import weight_chart
from pets.models import Pet
from pets.registry import TimelineEntry

from .models import Consultation

PANEL_DAYS = 7
Status = Consultation.Status


def _window_q(now) -> Q:
    return Q(status__in=[Status.WAITING, Status.ACTIVE]) | Q(
        status=Status.ENDED, ended_at__gte=now - datetime.timedelta(days=PANEL_DAYS)
    )


def record_open_for_vet(consultation: Consultation, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    if consultation.pet_id is None:
        return False
    if consultation.status in (Status.WAITING, Status.ACTIVE):
        return True
    return (
        consultation.status == Status.ENDED
        and consultation.ended_at is not None
        and consultation.ended_at >= now - datetime.timedelta(days=PANEL_DAYS)
    )


def _reason(consultation: Consultation, owner_language: str) -> str:
    with translation.override(owner_language or "id"):
        return _("Consultation of %(date)s") % {
            "date": date_format(timezone.localtime(consultation.created_at), "j M Y")
        }


def vet_access_reason(user, pet: Pet) -> str | None:
    """pets.registry care-access checker: the vet of an open (or recently ended) consultation about
    this very pet may open its files."""
    if not getattr(user, "is_vet", False):
        return None
    consultation = (
        Consultation.objects.filter(vet=user, pet_id=pet.pk)
        .filter(_window_q(timezone.now()))
        .select_related("owner")
        .order_by("-created_at")
        .first()
    )
    if consultation is None:
        return None
    return _reason(consultation, consultation.owner.language)


def earlier_consultations(pet: Pet, *, exclude_pk=None):
    """The pet's earlier consultations with a summary (any vet), within the record's history."""
    queryset = Consultation.objects.filter(pet_id=pet.history_pet_id, status=Status.ENDED).exclude(summary="")
    if pet.history_since:
        queryset = queryset.filter(created_at__gte=pet.history_since)
    if pet.history_until:
        queryset = queryset.filter(created_at__lt=pet.history_until)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return (
        queryset.select_related("vet", "pet_species")
        .prefetch_related("prescribed_items")
        .order_by("-ended_at")
    )


def vet_panel(consultation: Consultation, user, now: datetime.datetime | None = None) -> dict | None:
    """What the consultation's vet sees beside the chat, or None when they may not see the record.
    A fixed number of queries whatever the record holds; writes the owner's audit line."""
    if consultation.vet_id != user.pk or consultation.pet_id is None:
        return None
    now = now or timezone.now()
    if not record_open_for_vet(consultation, now):
        return {"closed": True}
    pet = Pet.objects.select_related("species", "breed").get(pk=consultation.pet_id)
    weights = list(pet.weights.all())
    pet_services.access_record(
        pet=pet,
        viewer=user,
        reason=_reason(consultation, consultation.owner.language),
        what="record",
        now=now,
    )
    return {
        "closed": False,
        "pet": pet,
        "vaccinations": list(pet.vaccinations.all()),
        "weights": weights[-5:],
        "latest_weight": weights[-1] if weights else None,
        "chart": weight_chart(weights),
        "treatments": list(pet.treatments.all()[:20]),
        "earlier": list(earlier_consultations(pet, exclude_pk=consultation.pk)[:20]),
        "open_until": (consultation.ended_at + datetime.timedelta(days=PANEL_DAYS))
        if consultation.ended_at
        else None,
    }


def timeline_entries(pet: Pet) -> list[TimelineEntry]:
    """pets.registry timeline provider: the pet's consultations with their summaries."""
    entries = []
    for consultation in earlier_consultations(pet):
        url = ""
        if consultation.owner_id == pet.owner_id:
            url = reverse("consultations:summary_page", args=[consultation.pk])
        entries.append(
            TimelineEntry(
                when=consultation.ended_at or consultation.created_at,
                kind="consultation",
                title=_("Consultation with %(vet)s") % {"vet": consultation.vet.full_name},
                text=consultation.assessment or consultation.summary,
                url=url,
                items=tuple(item.as_text() for item in consultation.prescribed_items.all()),
            )
        )
    return entries
