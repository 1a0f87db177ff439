"""Earnings in Django admin: staff add commission rules and record payouts; the ledger is read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from common.money import format_rupiah

from . import services
from .models import CommissionRule, LedgerLine, Partner, Payout


class CommissionRuleForm(forms.ModelForm):
    class Meta:
        model = CommissionRule
        fields = ["kind", "percent", "effective_from", "note"]

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        if day <= services.today():
            raise ValidationError(
                _("A new rule starts tomorrow or later: earnings already recorded are never recomputed.")
            )
        return day


@admin.register(CommissionRule)
class CommissionRuleAdmin(admin.ModelAdmin):
    """History is kept: a rule that has started is read-only; a change is a new rule from a later day."""

    form = CommissionRuleForm
    list_display = ["kind", "percent", "effective_from", "in_force", "note", "created_by", "created_at"]
    list_filter = ["kind"]
    ordering = ["kind", "-effective_from"]

    @admin.display(description=_("in force today"), boolean=True)
    def in_force(self, obj):
        current = services.rule_in_force(kind=obj.kind, on=services.today())
        return current is not None and current.pk == obj.pk

    def _started(self, obj) -> bool:
        return obj is not None and obj.effective_from <= services.today()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._started(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._started(obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class PayoutForm(forms.ModelForm):
    month = forms.DateField(
        label=_("month paid out"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        help_text=_("YYYY-MM, a month that has ended."),
    )

    class Meta:
        model = Payout
        fields = ["partner", "month", "amount", "paid_on", "reference"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            # Checked here so a bad payout is a form error; saved by the same service in save_model.
            self._check = dict(
                partner=cleaned["partner"],
                month=cleaned["month"],
                amount=cleaned["amount"],
                paid_on=cleaned["paid_on"],
                reference=cleaned["reference"],
            )
            services.payout_check(**self._check)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return cleaned


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    """A payout records a bank transfer that happened: added once, never edited or deleted."""

    form = PayoutForm
    list_display = ["partner", "month", "amount_rp", "paid_on", "reference", "created_by"]
    list_filter = ["month"]
    search_fields = ["partner__name", "reference"]
    list_select_related = ["partner", "created_by"]
    autocomplete_fields = ["partner"]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_rp(self, obj):
        return format_rupiah(obj.amount)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        payout = services.payout_record(**form._check, by=request.user)
        obj.pk = payout.pk
        obj.month = payout.month
        obj._state.adding = False
        obj._state.db = payout._state.db


class LineInline(admin.TabularInline):
    model = LedgerLine
    fields = ["occurred_at", "entry", "kind", "description", "gross", "commission", "partner_net", "rate_bp"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-occurred_at"]
    classes = ["collapse"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdmin):
    list_display = ["name", "content_type", "earned", "paid_out", "owed", "statements"]
    search_fields = ["name"]
    readonly_fields = ["name", "content_type", "object_id", "earned", "paid_out", "owed", "statements"]
    fields = readonly_fields
    inlines = [LineInline]

    def get_queryset(self, request):
        # Two subquery-free aggregates would multiply across the joins: annotate each from its own table.
        def total(model, field):
            return Coalesce(
                Subquery(
                    model.objects.filter(partner=OuterRef("pk"))
                    .values("partner")
                    .annotate(s=Sum(field))
                    .values("s")
                ),
                Value(0),
            )

        return (
            super()
            .get_queryset(request)
            .select_related("content_type")
            .annotate(_earned=total(LedgerLine, "partner_net"), _paid=total(Payout, "amount"))
        )

    @admin.display(description=_("earned (net)"), ordering="_earned")
    def earned(self, obj):
        return format_rupiah(obj._earned)

    @admin.display(description=_("paid out"), ordering="_paid")
    def paid_out(self, obj):
        return format_rupiah(obj._paid)

    @admin.display(description=_("balance owed"))
    def owed(self, obj):
        return format_rupiah(obj._earned - obj._paid)

    @admin.display(description=_("statement"))
    def statements(self, obj):
        month = services.today().replace(day=1)
        url = reverse("earnings:statement", args=[obj.pk, month.year, month.month])
        return format_html('<a href="{}">{}</a>', url, _("This month's statement"))


@admin.register(LedgerLine)
class LedgerLineAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "partner",
        "kind",
        "entry",
        "description",
        "gross",
        "commission",
        "partner_net",
    ]
    list_filter = ["kind", "entry", "month"]
    search_fields = ["partner__name", "description", "payment__id"]
    list_select_related = ["partner"]
    date_hierarchy = "occurred_at"
