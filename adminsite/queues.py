"""The verification queues shown on the admin index: what waits for a staff decision."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import IdentityVerification, VerificationStatus, VetLicence
from adoption.models import Pet


@dataclass
class Queue:
    label: str
    count: int
    url: str


# (label, model, pending status)
QUEUES = [
    (_("Identity verifications (KTP)"), IdentityVerification, VerificationStatus.PENDING),
    (_("Vet licences"), VetLicence, VerificationStatus.PENDING),
    (_("Pet listings"), Pet, Pet.Status.PENDING_REVIEW),
]


def verification_queues() -> list[Queue]:
    queues = []
    for label, model, pending in QUEUES:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + f"?status__exact={pending}"
        queues.append(Queue(str(label), model.objects.filter(status=pending).count(), url))
    return queues
