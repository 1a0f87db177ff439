"""Thin views: fetch through adoption.access, validate with a form, change state through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.pagecache import CountCachingPaginator, per_member, public_page
from common.private_files import serve_private_file
from earnings.access import earns_as_themselves
from payments.services import payment_pay_url
from pets.access import get_pet_for_owner, pets_for_owner

from . import services
from .access import (
    LISTED,
    get_application_for_adopter,
    get_application_for_lister,
    get_pet_for_adopter,
    get_pet_for_lister,
    get_pet_for_viewer,
    get_pet_vaccination_book_for_user,
    pet_page_facts,
)
from .forms import (
    ApplicationForm,
    ApproveForm,
    BrowseForm,
    DeclineForm,
    HandoverFailedForm,
    PetForm,
    ReportForm,
    initial_from_record,
)
from .models import Application, CartItem, Pet

PAGE_SIZE = 12
VERIFY_URL = "/accounts/verification/"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _refuse_unverified(request, message):
    messages.error(request, message)
    return redirect(VERIFY_URL)


# --- browse --------------------------------------------------------------------------------------
@public_page("adoption")
def browse(request):
    form = BrowseForm(request.GET or None)
    pets = Pet.objects.filter(status=Pet.Status.AVAILABLE).select_related(
        "species", "breed", "city", "lister"
    )
    pets = form.filter(pets).prefetch_related("photos")
    if form.is_bound and not form.is_valid():
        pets = pets.order_by("-created_at")
    # The total is a COUNT over every matching pet (100,000 at scale): remembered until a pet changes.
    page = CountCachingPaginator(pets, PAGE_SIZE, areas=("adoption",)).get_page(request.GET.get("page"))
    return render(request, "adoption/browse.html", {"form": form, "page": page})


def _pet_variant(request, pk) -> str | None:
    """A listed pet's page is the same for every member who is not its lister, but for whether the pet
    is in their cart and whether they may adopt yet (verified). The lister sees their tools, an applicant
    may see a pet that is no longer listed: a fresh render for them."""
    facts = pet_page_facts(request.user, pk)
    if facts is None:
        return None
    status, lister_id, in_cart, verified = facts
    if status not in LISTED or lister_id == request.user.pk:
        return None
    return f"cart{int(in_cart)}verified{int(verified)}"


@public_page("adoption", member_variant=_pet_variant)
def pet_detail(request, pk):
    pet = get_pet_for_viewer(request.user, pk)
    user = request.user
    context = {
        "pet": pet,
        "photos": list(pet.photos.all()),
        "is_lister": user.is_authenticated and pet.lister_id == user.pk,
        "in_cart": user.is_authenticated and CartItem.objects.filter(user=user, pet=pet).exists(),
    }
    return render(request, "adoption/pet_detail.html", context)


# --- listings ------------------------------------------------------------------------------------
@login_required
def pet_create(request):
    if not request.user.is_identity_verified:
        return _refuse_unverified(
            request, _("Only members with a verified identity can list a pet. Verify your KTP first.")
        )
    record = None
    source = request.POST.get("record") or request.GET.get("from")
    if source:
        try:
            record = get_pet_for_owner(request.user, source, editable=True)
        except (Http404, ValidationError):
            raise Http404
    initial = {"city": request.user.city_id, **(initial_from_record(record) if record else {})}
    form = PetForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pet = services.pet_create(
                lister=request.user,
                data=form.pet_data(),
                photos=form.cleaned_data["photos"],
                vaccination_book=form.cleaned_data.get("vaccination_book"),
                record=record,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s was listed. Our team checks new listings before they are shown.")
                % {"name": pet.name},
            )
            return redirect("adoption:listings")
    status = 400 if form.is_bound else 200
    my_pets = [] if record else list(pets_for_owner(request.user).active())
    return render(
        request,
        "adoption/pet_form.html",
        {"form": form, "pet": None, "record": record, "my_pets": my_pets},
        status=status,
    )


@login_required
def pet_edit(request, pk):
    pet = get_pet_for_lister(request.user, pk)
    if pet.status in (Pet.Status.ADOPTED, Pet.Status.WITHDRAWN):
        messages.error(request, _("This listing can no longer be edited."))
        return redirect("adoption:listings")
    form = PetForm(request.POST or None, request.FILES or None, instance=pet)
    if request.method == "POST" and form.is_valid():
        try:
            services.pet_update(
                pet=pet,
                by=request.user,
                data=form.pet_data(),
                photos=form.cleaned_data["photos"],
                remove_photo_ids=[p.pk for p in form.cleaned_data.get("remove_photos") or []],
                vaccination_book=form.cleaned_data.get("vaccination_book"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("adoption:listings")
    status = 400 if form.is_bound else 200
    return render(request, "adoption/pet_form.html", {"form": form, "pet": pet}, status=status)


@login_required
def pet_delete(request, pk):
    pet = get_pet_for_lister(request.user, pk)
    if request.method != "POST":
        return render(request, "adoption/pet_delete.html", {"pet": pet})
    try:
        services.pet_delete(pet=pet, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(name)s was removed from your listings.") % {"name": pet.name})
    return redirect("adoption:listings")


def vaccination_book(request, pk):
    # No login redirect: a private file's URL tells an anonymous visitor nothing (404, as for KTP scans).
    return serve_private_file(get_pet_vaccination_book_for_user(request.user, pk).vaccination_book)


@login_required
def listings(request):
    applications = Application.objects.select_related("adopter", "adopter__city").prefetch_related(
        "events", "reports"
    )
    pets = (
        Pet.objects.filter(lister=request.user)
        .exclude(status=Pet.Status.WITHDRAWN)
        # Pets waiting for a decision first.
        .annotate(waiting=Count("applications", filter=Q(applications__status=Application.Status.SUBMITTED)))
        .order_by("-waiting", "-created_at")
        .select_related("species", "breed", "city")
        .prefetch_related("photos", Prefetch("applications", queryset=applications))
    )
    return render(
        request,
        "adoption/listings.html",
        {"pets": pets, "decline_form": DeclineForm(), "earnings_link": earns_as_themselves(request.user)},
    )


@login_required
def application_approve(request, pk):
    application = get_application_for_lister(request.user, pk)
    if application.status != Application.Status.SUBMITTED or not application.pet.is_available:
        messages.error(request, _("This application can no longer be approved."))
        return redirect("adoption:listings")
    form = ApproveForm(request.POST or None, initial={"pickup_phone": request.user.phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.application_approve(
                application=application,
                by=request.user,
                pickup_at=form.cleaned_data["pickup_at"],
                pickup_address=form.cleaned_data["pickup_address"],
                pickup_phone=form.cleaned_data["pickup_phone"],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("adoption:listings")
        messages.success(
            request, _("Pickup scheduled. We told %(name)s.") % {"name": application.adopter.first_name}
        )
        return redirect("adoption:listings")
    status = 400 if form.is_bound else 200
    return render(request, "adoption/approve.html", {"application": application, "form": form}, status=status)


@login_required
@require_POST
def application_decline(request, pk):
    application = get_application_for_lister(request.user, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Add a short note for the adopter."))
        return redirect("adoption:listings")
    try:
        services.application_decline(application=application, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The application was declined."))
    return redirect("adoption:listings")


@login_required
@require_POST
def application_handover_failed(request, pk):
    application = get_application_for_lister(request.user, pk)
    form = HandoverFailedForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.application_handover_failed(application=application, by=request.user, note=note)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Handover marked as failed; the pet is available again."))
    return redirect("adoption:listings")


# --- cart and checkout ---------------------------------------------------------------------------
@login_required
@require_POST
def cart_add(request, pk):
    pet = get_pet_for_adopter(request.user, pk)
    if not request.user.is_identity_verified:
        return _refuse_unverified(request, _("Verify your identity (KTP) before adopting."))
    try:
        services.cart_add(user=request.user, pet=pet)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("adoption:pet", pk=pet.pk) if pet.is_available else redirect("adoption:browse")
    messages.success(request, _("%(name)s is in your adoption cart.") % {"name": pet.name})
    return redirect("adoption:cart")


@login_required
@require_POST
def cart_remove(request, pk):
    services.cart_remove(user=request.user, pet_id=pk)
    messages.success(request, _("Removed from your cart."))
    return redirect("adoption:cart")


def _cart_items(user):
    return list(
        CartItem.objects.filter(user=user)
        .select_related("pet", "pet__species", "pet__city", "pet__lister")
        .prefetch_related("pet__photos")
    )


@login_required
def cart(request):
    items = _cart_items(request.user)
    available = [i for i in items if i.pet.is_available]
    return render(request, "adoption/cart.html", {"items": items, "available": available})


@login_required
def checkout(request):
    if not request.user.is_identity_verified:
        return _refuse_unverified(request, _("Verify your identity (KTP) before adopting."))
    items = _cart_items(request.user)
    available = [i for i in items if i.pet.is_available]
    if not available:
        messages.error(request, _("There is no available pet in your cart."))
        return redirect("adoption:cart")
    form = ApplicationForm(request.POST or None, initial=services.last_answers(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            created = services.checkout(adopter=request.user, answers=form.answers())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            codes = ", ".join(a.code for a in created)
            messages.success(
                request, _("Application sent: %(codes)s. The lister will answer you.") % {"codes": codes}
            )
            return redirect("adoption:applications")
    status = 400 if form.is_bound else 200
    return render(request, "adoption/checkout.html", {"form": form, "available": available}, status=status)


# --- adopter's applications ----------------------------------------------------------------------
# Stored for this member until one of their applications (its events, reports) or a pet changes.
@login_required
@public_page("adoption", "adoption-applications", member_variant=per_member)
def applications(request):
    rows = (
        Application.objects.filter(adopter=request.user)
        .select_related("pet", "pet__species", "pet__lister", "pet__city", "payment")
        .prefetch_related("pet__photos", "events", "reports")
    )
    return render(request, "adoption/applications.html", {"applications": rows})


@login_required
@require_POST
def application_pay(request, pk):
    application = get_application_for_adopter(request.user, pk)
    if not application.needs_payment or application.payment is None:
        messages.error(request, _("There is nothing to pay for this application."))
        return redirect("adoption:applications")
    return redirect(payment_pay_url(application.payment))


@login_required
@require_POST
def application_received(request, pk):
    application = get_application_for_adopter(request.user, pk)
    try:
        services.application_confirm_received(
            application=application, by=request.user, early=request.POST.get("early") == "1"
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _(
                "Congratulations on your new family member! Its record is now in My pets. "
                "Remember the monthly reports."
            ),
        )
    return redirect("adoption:applications")


@login_required
@require_POST
def application_withdraw(request, pk):
    application = get_application_for_adopter(request.user, pk)
    try:
        services.application_withdraw(application=application, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("adoption:applications")


@login_required
def report_create(request, pk):
    application = get_application_for_adopter(request.user, pk)
    if application.status != Application.Status.ADOPTED:
        messages.error(request, _("Reports are for pets you adopted."))
        return redirect("adoption:applications")
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_submit(application=application, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you for the report."))
            return redirect("adoption:applications")
    status = 400 if form.is_bound else 200
    return render(
        request, "adoption/report_form.html", {"form": form, "application": application}, status=status
    )
