"""My pets (/pets/) and one pet's health record (/pets/<uuid>/). Owner only; 404 for anyone else.

A vet in a consultation about the pet reads the record in the consultation room (consultations app)
and may open the record's files here; `get_pet_for_viewer` lets them in and the look is audited.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.private_files import serve_private_file

from . import services
from .access import get_pet_for_owner, get_pet_for_viewer, pets_for_owner
from .charts import weight_chart
from .forms import PetForm, RemindersForm, VaccinationForm, WeightForm
from .models import Vaccination, Weight
from .registry import timeline_for


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def pet_list(request):
    latest = Weight.objects.filter(pet=OuterRef("pk")).order_by("-measured_on", "-id")
    today = timezone.localdate()
    next_due = (
        Vaccination.objects.filter(pet=OuterRef("pk"), next_due__gte=today)
        .order_by("next_due")
        .values("next_due")
    )
    pets = (
        pets_for_owner(request.user)
        .select_related("species", "breed")
        .annotate(
            latest_kg=Subquery(latest.values("kg")[:1]),
            latest_weighed=Subquery(latest.values("measured_on")[:1]),
            next_vaccination_due=Subquery(next_due[:1]),
        )
        .order_by("handed_over_at", "name", "created_at")
    )
    pets = list(pets)
    return render(
        request,
        "pets/list.html",
        {
            "pets": [p for p in pets if not p.is_read_only],
            "copies": [p for p in pets if p.is_read_only],
        },
    )


@login_required
def pet_create(request):
    form = PetForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                pet = services.pet_create(
                    owner=request.user, data=form.pet_data(), photo=form.cleaned_data.get("new_photo")
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(name)s was added to your pets.") % {"name": pet.name})
                return redirect(pet)
        return render(request, "pets/form.html", {"form": form}, status=400)
    return render(request, "pets/form.html", {"form": form})


@login_required
def pet_edit(request, pk):
    pet = get_pet_for_owner(request.user, pk, editable=True)
    form = PetForm(request.POST or None, request.FILES or None, instance=pet)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.pet_update(
                    pet=pet,
                    by=request.user,
                    data=form.pet_data(),
                    photo=form.cleaned_data.get("new_photo"),
                    remove_photo=form.cleaned_data.get("remove_photo", False),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The record was saved."))
                return redirect(pet)
        pet.refresh_from_db()
        return render(request, "pets/form.html", {"form": form, "pet": pet}, status=400)
    return render(request, "pets/form.html", {"form": form, "pet": pet})


def _detail_context(pet, *, weight_form=None, vaccination_form=None):
    weights = list(pet.weights.all())
    return {
        "pet": pet,
        "weights": weights,
        "latest_weight": weights[-1] if weights else None,
        "chart": weight_chart(weights),
        "vaccinations": list(pet.vaccinations.all()),
        "treatments": list(pet.treatments.all()),
        "timeline": timeline_for(pet),
        "access_logs": list(pet.access_logs.all()[:50]),
        "weight_form": weight_form or WeightForm(),
        "vaccination_form": vaccination_form or VaccinationForm(),
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def pet_detail(request, pk):
    pet = get_pet_for_owner(request.user, pk)
    return render(request, "pets/detail.html", _detail_context(pet))


@login_required
@require_POST
def weight_add(request, pk):
    pet = get_pet_for_owner(request.user, pk, editable=True)
    form = WeightForm(request.POST)
    if form.is_valid():
        try:
            services.weight_add(pet=pet, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Weight recorded."))
            return redirect(f"{pet.get_absolute_url()}#weights")
    return render(request, "pets/detail.html", _detail_context(pet, weight_form=form), status=400)


@login_required
@require_POST
def weight_delete(request, pk, weight_id):
    pet = get_pet_for_owner(request.user, pk, editable=True)
    weight = get_object_or_404(pet.weights, pk=weight_id)
    services.weight_delete(weight=weight, by=request.user)
    messages.success(request, _("Weight removed."))
    return redirect(f"{pet.get_absolute_url()}#weights")


@login_required
@require_POST
def vaccination_add(request, pk):
    pet = get_pet_for_owner(request.user, pk, editable=True)
    form = VaccinationForm(request.POST, request.FILES)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("vaccine", "given_on", "next_due", "given_by")}
        try:
            services.vaccination_add(
                pet=pet, by=request.user, proof=form.cleaned_data.get("new_proof"), **data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Vaccination recorded."))
            return redirect(f"{pet.get_absolute_url()}#vaccinations")
    return render(request, "pets/detail.html", _detail_context(pet, vaccination_form=form), status=400)


@login_required
@require_POST
def vaccination_delete(request, pk, vaccination_id):
    pet = get_pet_for_owner(request.user, pk, editable=True)
    vaccination = get_object_or_404(pet.vaccinations, pk=vaccination_id)
    services.vaccination_delete(vaccination=vaccination, by=request.user)
    messages.success(request, _("Vaccination removed."))
    return redirect(f"{pet.get_absolute_url()}#vaccinations")


@login_required
@require_POST
def reminders(request, pk):
    pet = get_pet_for_owner(request.user, pk, editable=True)
    form = RemindersForm(request.POST)
    form.is_valid()
    enabled = form.cleaned_data.get("enabled", False)
    services.pet_set_reminders(pet=pet, by=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("Vaccination reminders are on for %(name)s.") % {"name": pet.name})
    else:
        messages.success(request, _("Vaccination reminders are off for %(name)s.") % {"name": pet.name})
    return redirect(f"{pet.get_absolute_url()}#vaccinations")


# --- private files: the owner, or a vet in a consultation about this pet (audited) ----------------
def _viewer(request, pk, what: str):
    if not request.user.is_authenticated:
        raise Http404  # a private file answers 404, not a login redirect
    pet, reason = get_pet_for_viewer(request.user, pk)
    if reason:
        services.access_record(pet=pet, viewer=request.user, reason=reason, what=what)
    return pet


@require_GET
def pet_photo(request, pk):
    pet = _viewer(request, pk, "photo")
    return serve_private_file(pet.photo)


@require_GET
def vaccination_proof(request, pk, vaccination_id):
    pet = _viewer(request, pk, "vaccination proof")
    vaccination = get_object_or_404(pet.vaccinations.exclude(proof=""), pk=vaccination_id)
    return serve_private_file(vaccination.proof)
