"""Vet directory, vet dashboard, my consultations and the consultation actions.

The chat room page itself (/consultations/<uuid>/) lives in chat/views.py; it includes the
consultation panel (templates/consultations/_consultation_panel.html) whose forms post here.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import VetLicence
from common.pagecache import per_member, public_page
from common.private_files import serve_private_file
from payments.services import payment_pay_url
from pets.access import pets_for_owner

from . import services
from .access import get_consultation_for_user, open_consultations_with
from .chat.services import unread_counts
from .forms import (
    AvailabilityForm,
    CancelForm,
    ConsultationOpenForm,
    DirectoryFilterForm,
    EndForm,
    FollowUpForm,
    PrescribedItemFormSet,
    RatingForm,
    SummaryForm,
    VetProfileForm,
    prescribed_items,
)
from .models import Consultation, Rating, VetProfile

DIRECTORY_PAGE_SIZE = 12
LIST_PAGE_SIZE = 20


# --- directory ---------------------------------------------------------------------------------------
@public_page("vets")
def vet_directory(request):
    form = DirectoryFilterForm(request.GET)
    filters = form.filters()
    vets = VetProfile.objects.directory(**filters)
    page = Paginator(vets, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consultations/directory.html", {"form": form, "page": page})


def vet_availability_json(request):
    """{"<vet user id>": "online|busy|offline"} for the ids asked (the directory refreshes its badges)."""
    ids = [int(part) for part in request.GET.get("ids", "").split(",")[:50] if part.isdigit()]
    states = VetProfile.objects.listed().with_live_availability().filter(user_id__in=ids)
    response = JsonResponse(
        {str(user_id): state for user_id, state in states.values_list("user_id", "live_availability")}
    )
    response["Cache-Control"] = "no-store"
    return response


def _listed_vet_or_404(vet_id) -> VetProfile:
    return get_object_or_404(
        VetProfile.objects.listed()
        .with_live_availability()
        .select_related("user")
        .prefetch_related("specialties"),
        user_id=vet_id,
    )


def _vet_variant(request, vet_id) -> str | None:
    """The vet's page is the same for every member but the vet themself and a member with an open
    consultation with this vet (a link to it): those get a fresh render. Asked on every member's
    request for a vet page: plain SQL, the ORM's exists() cost more to build than to run (profiled)."""
    if request.user.pk == vet_id:
        return None
    statuses = Consultation.OPEN_STATUSES
    sql = (
        f"SELECT 1 FROM {Consultation._meta.db_table} WHERE owner_id = %s AND vet_id = %s "  # noqa: S608
        f"AND status IN ({', '.join(['%s'] * len(statuses))}) LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [request.user.pk, vet_id, *statuses])
        return None if cursor.fetchone() else ""


@public_page("vets", member_variant=_vet_variant)
def vet_detail(request, vet_id):
    profile = _listed_vet_or_404(vet_id)
    ratings = Rating.objects.filter(vet_id=vet_id).select_related("owner")[:10]
    open_consultation = None
    if request.user.is_authenticated:
        open_consultation = (
            Consultation.objects.filter(
                owner=request.user, vet_id=vet_id, status__in=Consultation.OPEN_STATUSES
            )
            .only("pk", "status")
            .first()
        )
    return render(
        request,
        "consultations/vet_detail.html",
        {"profile": profile, "ratings": ratings, "open_consultation": open_consultation},
    )


@login_required
def consultation_open(request, vet_id):
    profile = _listed_vet_or_404(vet_id)
    if profile.user_id == request.user.pk:
        raise PermissionDenied(_("You cannot consult yourself."))
    pets = list(pets_for_owner(request.user).active().select_related("species"))
    initial = {"pet": request.GET["pet"]} if request.GET.get("pet") else None
    form = ConsultationOpenForm(request.POST or None, request.FILES or None, pets=pets, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                consultation = services.consultation_open(
                    owner=request.user,
                    vet=profile.user,
                    pet=form.cleaned_data["pet_record"],
                    new_pet=form.new_pet_data(),
                    complaint=form.cleaned_data["complaint"],
                    photos=form.cleaned_data["photos"],
                    allow_reassign=form.cleaned_data["allow_reassign"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(payment_pay_url(consultation.payment))
        status = 400
    # Already one under way with this vet: say so and link to it, rather than let the form be filled for
    # nothing (a second is refused).
    existing = open_consultations_with(request.user, profile.user).first()
    context = {"profile": profile, "form": form, "existing": existing}
    return render(request, "consultations/open.html", context, status=status)


# --- the vet's dashboard ----------------------------------------------------------------------------
def _vet_only(request) -> None:
    if not request.user.is_vet:
        raise Http404


@login_required
def vet_dashboard(request):
    _vet_only(request)
    profile = services.vet_profile_get_or_create(vet=request.user)
    services.vet_touch(vet=request.user)
    form = VetProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.vet_profile_update(
            vet=request.user,
            bio=form.cleaned_data["bio"],
            specialties=form.cleaned_data["specialties"],
            years_of_experience=form.cleaned_data["years_of_experience"],
            fee=form.cleaned_data["fee"],
            photo=form.cleaned_data["photo"] if "photo" in request.FILES else None,
            remove_photo=form.cleaned_data.get("remove_photo", False),
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("consultations:vet_dashboard")
    # Fetched again: an invalid form wrote typed values onto `profile`; the cards show stored ones.
    profile = VetProfile.objects.with_live_availability().get(pk=profile.pk)
    queue = (
        Consultation.objects.filter(
            vet=request.user, status__in=[Consultation.Status.WAITING, Consultation.Status.ACTIVE]
        )
        .select_related("owner", "pet_species")
        .order_by("status", "paid_at")
    )
    licence = VetLicence.objects.filter(user=request.user).first()
    return render(
        request,
        "consultations/vet_dashboard.html",
        {
            "profile": profile,
            "form": form,
            "queue": queue,
            "licence": licence,
            "availability_form": AvailabilityForm(initial={"availability": profile.availability}),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def vet_availability(request):
    _vet_only(request)
    form = AvailabilityForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose online or offline."), status=400)
    services.vet_set_availability(vet=request.user, availability=form.cleaned_data["availability"])
    if form.cleaned_data["availability"] == VetProfile.Availability.ONLINE:
        messages.success(request, _("You are online. Owners can now start consultations with you."))
    else:
        messages.success(request, _("You are offline. Owners cannot start new consultations with you."))
    return redirect("consultations:vet_dashboard")


@login_required
@require_POST
def vet_heartbeat(request):
    """Called every few minutes by the dashboard page so that "online" does not go stale."""
    _vet_only(request)
    services.vet_touch(vet=request.user)
    return HttpResponse(status=204)


# --- my consultations -------------------------------------------------------------------------------
UNREAD_MARKER = re.compile(rb"<!--hp-unread:([0-9a-f-]{32,36})-->")


def _fill_unread(request, content: bytes) -> bytes:
    """The rows' unread badges, counted for every response: a chat message changes them and is
    stored without a signal (batched raw inserts), so they are left out of the stored page."""
    ids = {match.decode() for match in UNREAD_MARKER.findall(content)}
    if not ids:
        return content
    counts = unread_counts(user=request.user, consultation_ids=ids)
    title = escape(_("Unread messages"))

    def badge(match) -> bytes:
        n = counts.get(match.group(1).decode().replace("-", ""), 0)
        return f'<span class="badge" title="{title}">{n}</span>'.encode() if n else b""

    return UNREAD_MARKER.sub(badge, content)


# Stored for this member until a consultation or rating changes (the "vets" area); unread badges fresh.
@login_required
@public_page("vets", member_variant=per_member, fill=_fill_unread)
def consultation_list(request):
    user = request.user
    consultations = (
        # A vet's list starts at payment: unpaid, abandoned requests are the owner's business only.
        Consultation.objects.filter(Q(owner=user) | Q(vet=user, paid_at__isnull=False))
        .select_related("owner", "vet", "pet_species", "rating")
        .order_by("-created_at")
    )
    page = Paginator(consultations, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consultations/list.html", {"page": page})


@login_required
def consultation_photo(request, pk, photo_id):
    consultation = get_consultation_for_user(request.user, pk)
    photo = get_object_or_404(consultation.photos, pk=photo_id)
    return serve_private_file(photo.image)


# --- actions (forms in the consultation panel) ------------------------------------------------------
def _items_formset(request, prefix: str):
    """The prescribed items of a summary form; a client that sends none (no management form, as
    older pages and API clients) simply prescribes nothing."""
    if f"{prefix}-TOTAL_FORMS" not in request.POST:
        return PrescribedItemFormSet(prefix=prefix)  # unbound: valid, no items
    return PrescribedItemFormSet(request.POST, prefix=prefix)


def _summary_valid(form, items) -> bool:
    return form.is_valid() and (not items.is_bound or items.is_valid())


def _done(request, consultation, message):
    messages.success(request, message)
    return redirect(consultation.get_absolute_url())


def _failed(request, consultation, error, *, forms=None, status=409):
    """Show the panel again with the error and what was typed (never lose the summary or comment)."""
    return render(
        request,
        "consultations/action_failed.html",
        {"consultation": consultation, "errors": error.messages, "forms": forms or {}},
        status=status,
    )


@login_required
@require_POST
def consultation_accept(request, pk):
    consultation = get_consultation_for_user(request.user, pk)
    try:
        services.consultation_accept(consultation=consultation, vet=request.user)
    except ValidationError as error:
        return _failed(request, consultation, error)
    return _done(request, consultation, _("You accepted the consultation. The owner has been told."))


@login_required
@require_POST
def consultation_end(request, pk):
    consultation = get_consultation_for_user(request.user, pk)
    form = EndForm(request.POST)
    items = _items_formset(request, "end-items")
    bound = {"end": form, "end_items": items}
    if not _summary_valid(form, items):
        return _failed(request, consultation, ValidationError(_("Check the form.")), forms=bound, status=400)
    try:
        services.consultation_end(
            consultation=consultation,
            by=request.user,
            assessment=form.cleaned_data["assessment"],
            advice=form.cleaned_data["advice"],
            items=prescribed_items(items),
        )
    except ValidationError as error:
        return _failed(request, consultation, error, forms=bound)
    return _done(request, consultation, _("The consultation has ended."))


@login_required
@require_POST
def consultation_summary(request, pk):
    consultation = get_consultation_for_user(request.user, pk)
    form = SummaryForm(request.POST)
    items = _items_formset(request, "summary-items")
    bound = {"summary": form, "summary_items": items}
    if not _summary_valid(form, items):
        return _failed(
            request, consultation, ValidationError(_("Write the summary first.")), forms=bound, status=400
        )
    try:
        services.consultation_write_summary(
            consultation=consultation,
            vet=request.user,
            assessment=form.cleaned_data["assessment"],
            advice=form.cleaned_data["advice"],
            items=prescribed_items(items),
        )
    except ValidationError as error:
        return _failed(request, consultation, error, forms=bound)
    return _done(request, consultation, _("The summary was saved. The owner can read it now."))


@login_required
@require_POST
def consultation_cancel(request, pk):
    consultation = get_consultation_for_user(request.user, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _failed(
            request, consultation, ValidationError(_("Check the form.")), forms={"cancel": form}, status=400
        )
    was_paid = consultation.status == Consultation.Status.WAITING
    try:
        services.consultation_cancel(
            consultation=consultation, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        return _failed(request, consultation, error, forms={"cancel": form})
    if was_paid:
        return _done(
            request, consultation, _("The consultation was cancelled. The fee will be refunded in full.")
        )
    return _done(request, consultation, _("The consultation was cancelled."))


@login_required
@require_POST
def consultation_rate(request, pk):
    consultation = get_consultation_for_user(request.user, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _failed(
            request,
            consultation,
            ValidationError(_("Choose 1 to 5 stars.")),
            forms={"rating": form},
            status=400,
        )
    try:
        services.rating_submit(
            consultation=consultation,
            owner=request.user,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        return _failed(request, consultation, error, forms={"rating": form})
    return _done(request, consultation, _("Thank you for rating the vet."))


# --- the printable summary and the free follow-up ----------------------------------------------------
@login_required
def summary_page(request, pk):
    """The closing summary as a page the owner can print (print CSS; no PDF library)."""
    consultation = get_consultation_for_user(request.user, pk)
    if consultation.status != Consultation.Status.ENDED or not consultation.summary:
        raise Http404
    licence = (
        VetLicence.objects.filter(user_id=consultation.vet_id, status="approved")
        .order_by("-decided_at")
        .first()
    )
    can_follow_up = services.follow_up_allowed(consultation, request.user) and not (
        consultation.follow_ups.exists()
    )
    form = FollowUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if consultation.owner_id != request.user.pk:
            raise Http404
        if form.is_valid():
            try:
                follow_up = services.consultation_follow_up(
                    consultation=consultation, owner=request.user, complaint=form.cleaned_data["complaint"]
                )
            except ValidationError as error:
                form.add_error(None, error)
                status = 409
            else:
                messages.success(request, _("Your free follow-up was sent to the vet."))
                return redirect(follow_up.get_absolute_url())
        else:
            status = 400
    return render(
        request,
        "consultations/summary_page.html",
        {
            "consultation": consultation,
            "items": list(consultation.prescribed_items.all()),
            "licence": licence,
            "can_follow_up": can_follow_up,
            "follow_up_deadline": services.follow_up_deadline(consultation),
            "follow_up": consultation.follow_ups.first(),
            "form": form,
        },
        status=status,
    )
