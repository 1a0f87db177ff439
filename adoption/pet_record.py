"""Adoption and the pet's record (pets app): the adoption and the monthly follow-up reports appear on
the pet's timeline."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from pets.models import Pet
from pets.registry import TimelineEntry

from .models import Application


def timeline_entries(pet: Pet) -> list[TimelineEntry]:
    applications = (
        Application.objects.filter(pet__record_id=pet.history_pet_id, status=Application.Status.ADOPTED)
        .select_related("pet")
        .prefetch_related("reports")
    )
    if pet.history_until:
        applications = applications.filter(adopted_at__lte=pet.history_until)
    entries = []
    for application in applications:
        is_adopter = application.adopter_id == pet.owner_id
        entries.append(
            TimelineEntry(
                when=application.adopted_at,
                kind="adoption",
                title=_("Adopted through HELLOPET! (%(code)s)") % {"code": application.code or ""},
                url="/adoption/applications/" if is_adopter else "/adoption/listings/",
            )
        )
        for report in application.reports.all():
            when = timezone.make_aware(datetime.datetime.combine(report.report_date, datetime.time(12)))
            if pet.history_until and report.created_at > pet.history_until:
                continue
            entries.append(
                TimelineEntry(
                    when=when,
                    kind="adoption-report",
                    title=_("Monthly adoption report: %(condition)s")
                    % {"condition": report.get_condition_display()},
                    text=report.caption,
                )
            )
    return entries
