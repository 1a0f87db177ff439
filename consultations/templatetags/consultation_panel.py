"""`{% consultation_panel_state consultation as panel %}`: what the viewer may do with a consultation.

Used by templates/consultations/_consultation_panel.html, which the chat room page includes; keeping
the rules here (via services) means the room page needs nothing but `consultation` in its context.
"""

from django import template
from django.urls import reverse
from django.utils import timezone

from payments.services import payment_pay_url

from .. import services
from ..access import consultation_participant_role
from ..forms import CancelForm, EndForm, PrescribedItemFormSet, RatingForm, SummaryForm
from ..models import Consultation, Rating

register = template.Library()
Status = Consultation.Status


@register.simple_tag(takes_context=True)
def consultation_panel_state(context, consultation):
    user = context["request"].user
    bound = context.get("forms") or {}
    now = timezone.now()
    role = consultation_participant_role(consultation, user)
    is_owner, is_vet = role == "owner", role == "vet"
    status = consultation.status
    deadline = services.accept_deadline(consultation)
    rating = Rating.objects.filter(consultation=consultation).first() if status == Status.ENDED else None
    payment = consultation.payment
    can_cancel = bool(role) and services.cancel_allowed(consultation, user, now)
    return {
        "role": role,
        "is_owner": is_owner,
        "is_vet": is_vet,
        "photos": list(consultation.photos.all()),
        "pay_url": (
            payment_pay_url(payment)
            if is_owner and status == Status.AWAITING_PAYMENT and payment and payment.is_pending
            else ""
        ),
        "accept_deadline": deadline,
        "can_accept": is_vet and status == Status.WAITING,
        "can_end": bool(role) and status == Status.ACTIVE,
        "can_write_summary": is_vet and status == Status.ENDED,
        "can_cancel": can_cancel,
        "cancel_later": is_owner and status == Status.WAITING and not can_cancel,
        "can_rate": is_owner and status == Status.ENDED and rating is None,
        "rating": rating,
        "end_form": bound.get("end") or EndForm(),
        "end_items": bound.get("end_items") or PrescribedItemFormSet(prefix="end-items"),
        "summary_form": bound.get("summary")
        or SummaryForm(initial={"assessment": consultation.assessment, "advice": consultation.advice}),
        "summary_items": bound.get("summary_items") or _summary_items(consultation, status),
        "summary_url": (
            reverse("consultations:summary_page", args=[consultation.pk])
            if status == Status.ENDED and consultation.summary
            else ""
        ),
        "cancel_form": bound.get("cancel") or CancelForm(),
        "rating_form": bound.get("rating") or RatingForm(),
    }


def _summary_items(consultation, status):
    initial = []
    if status == Status.ENDED and consultation.summary:
        initial = list(consultation.prescribed_items.values("name", "dose", "frequency", "days"))
    return PrescribedItemFormSet(prefix="summary-items", initial=initial)
