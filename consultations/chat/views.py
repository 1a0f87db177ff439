"""The chat room page, photo messages over HTTP and the private attachment view."""

import datetime
import logging
import uuid

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from PIL import Image

from common.cache_guard import cache_call
from common.private_files import serve_private_file
from common.uploads import SafeImageField

from ..access import consultation_participant_role, get_consultation_for_user
from ..models import Message
from . import services

logger = logging.getLogger(__name__)


UPLOADS_PER_MINUTE = 10


def _uploads_this_minute(user) -> int:
    """This upload's number within the minute: from the cache, or, while the cache is down, counted
    from the stored photo messages (the limit keeps holding; see common/cache_guard.py)."""
    key = f"chat:uploads:{user.pk}"

    def from_cache():
        cache.add(key, 0, 60)
        return cache.incr(key)

    def from_database():
        since = timezone.now() - datetime.timedelta(minutes=1)
        return Message.objects.filter(sender=user, created_at__gte=since).exclude(attachment="").count() + 1

    return cache_call(
        from_cache,
        what="chat photo-upload limit",
        policy="counting the sender's photo messages in the database instead",
        fallback=from_database,
    )


class PhotoMessageForm(forms.Form):
    photo = SafeImageField(label=gettext_lazy("Photo"))
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    body = forms.CharField(
        label=gettext_lazy("Caption"), required=False, max_length=services.MAX_BODY_CHARS, strip=True
    )


@login_required
@require_GET
def room(request, pk):
    consultation = get_consultation_for_user(request.user, pk)
    role = consultation_participant_role(consultation, request.user)
    history = list(consultation.messages.select_related("sender").order_by("seq"))  # = id order
    names = {}
    for message in history:
        # Built from the rows already loaded: no query per message.
        message.event = services.message_to_event(message, consultation=consultation)
        names[message.sender_id] = message.event["sender"]["name"]
    reads = services.read_states(consultation)
    peer = None
    if role is not None:
        peer_user = consultation.vet if role == "owner" else consultation.owner
        peer = services.participant_info(consultation, peer_user)
    context = {
        "consultation": consultation,
        "role": role,
        "is_participant": role is not None,
        "can_chat": role is not None and services.chat_is_open(consultation),
        "history": history,
        "last_id": history[-1].pk if history else 0,
        "last_seq": history[-1].seq if history else 0,
        "peer": peer,
        "peer_read": reads.get(peer["id"], 0) if peer else 0,
        "photo_client_id": uuid.uuid4(),
        "max_body": services.MAX_BODY_CHARS,
    }
    return render(request, "consultations/room.html", context)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refuse(request, pk, status: int, code: str, detail: str):
    if _wants_json(request):
        return JsonResponse({"type": "error", "code": code, "detail": detail}, status=status)
    flash.error(request, detail)
    return redirect("consultations:room", pk=pk)


@login_required
@require_POST
def photo_upload(request, pk):
    """A photo message: checked and re-encoded by SafeImageField, stored in private storage, then
    announced to the room after commit. Idempotent by client_id like a text message.

    Answers JSON for the page's fetch (Accept: application/json); without JavaScript the form posts
    here too and is redirected back to the room."""
    consultation = get_consultation_for_user(request.user, pk)
    if consultation_participant_role(consultation, request.user) is None:
        return _refuse(request, pk, 403, "forbidden", _("Only the owner and the vet can send photos."))
    if not services.chat_is_open(consultation):
        return _refuse(request, pk, 409, "chat_closed", _("This consultation is closed."))
    form = PhotoMessageForm(request.POST, request.FILES)
    if not form.is_valid():
        detail = " ".join(str(e) for errors in form.errors.values() for e in errors)
        if not _wants_json(request):
            flash.error(request, detail)
            return redirect("consultations:room", pk=pk)
        return JsonResponse({"type": "error", "code": "invalid", "detail": detail}, status=400)
    client_id = form.cleaned_data["client_id"]
    existing = Message.objects.filter(
        consultation=consultation, sender=request.user, client_id=client_id
    ).first()
    if existing is None:
        if _uploads_this_minute(request.user) > UPLOADS_PER_MINUTE:
            return _refuse(request, pk, 429, "rate_limited", _("Too many photos; wait a minute."))
        photo = form.cleaned_data["photo"]
        with Image.open(photo) as image:
            width, height = image.size
        photo.seek(0)
        message, created = services.message_send(
            consultation=consultation,
            sender=request.user,
            client_id=client_id,
            body=form.cleaned_data["body"],
            attachment=photo,
            attachment_width=width,
            attachment_height=height,
            broadcast=True,
        )
        if created:
            try:
                services.notify_if_away(consultation=consultation, sender_id=request.user.pk, message=message)
            except Exception as error:  # the cache (presence) is down: the photo is stored all the same
                logger.warning("away notification skipped, cache unavailable: %s", error)
    else:
        message, created = existing, False
    if not _wants_json(request):
        return redirect("consultations:room", pk=pk)
    event = services.message_to_event(message, consultation=consultation)
    return JsonResponse(event, status=201 if created else 200)


@login_required
@require_GET
def attachment(request, pk, message_id):
    consultation = get_consultation_for_user(request.user, pk)
    message = get_object_or_404(consultation.messages.exclude(attachment=""), pk=message_id)
    return serve_private_file(message.attachment)
