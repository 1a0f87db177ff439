"""The verification queues shown on the admin index: what waits for a staff decision."""

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass
class Queue:
    label: str
    count: int | None  # None: the model does not exist yet
    url: str


# (label, model, status field lookup, pending value)
QUEUES = [
    (_("Identity verifications (KTP)"), "accounts.IdentityVerification", "status", "pending"),
    (_("Vet licences"), "accounts.VetLicence", "status", "pending"),
    (_("Pet listings"), "adoption.Pet", "status", "pending_review"),
]


def verification_queues() -> list[Queue]:
    queues = []
    for label, model_label, field, pending in QUEUES:
        app_label, model_name = model_label.split(".")
        model = None
        if apps.is_installed(app_label):
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                model = None
        if model is None:
            queues.append(Queue(str(label), None, ""))
            continue
        try:
            url = reverse(f"admin:{app_label}_{model_name.lower()}_changelist") + f"?{field}__exact={pending}"
        except NoReverseMatch:  # the model exists but is not registered in the admin (yet)
            url = ""
        queues.append(Queue(str(label), model.objects.filter(**{field: pending}).count(), url))
    return queues
