"""Payments in Django admin: the ledger is read-only; staff act through refunds only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from common.money import format_rupiah

from . import services
from .models import (
    Payment,
    PaymentAttempt,
    PaymentEvent,
    PaymentNotification,
    Refund,
    SimulatedTransaction,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttemptInline(ReadOnlyInline):
    model = PaymentAttempt
    fields = [
        "order_id",
        "amount",
        "status",
        "fraud_status",
        "payment_type",
        "expires_at",
        "checked_at",
        "created_at",
    ]
    readonly_fields = fields


class NotificationInline(ReadOnlyInline):
    model = PaymentNotification
    fields = [
        "received_at",
        "order_id",
        "transaction_status",
        "signature_valid",
        "response_status",
        "outcome",
    ]
    readonly_fields = fields
    classes = ["collapse"]


class EventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = ["created_at", "from_status", "to_status", "source", "note"]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["created_at", "amount", "reason", "manual", "state", "manual_note", "refund_key", "created_by"]
    readonly_fields = fields


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(needs_attention="")
        if self.value() == "no":
            return queryset.filter(needs_attention="")
        return queryset


class RefundForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Amount (Rp)"),
        min_value=1,
        required=False,
        help_text=_("Empty: everything still refundable."),
    )
    reason = forms.CharField(
        label=_("Reason (sent to the payer)"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    manual = forms.BooleanField(
        label=_("Record as a manual refund (the money is returned outside Midtrans)"),
        required=False,
    )


class ManualRefundDoneForm(forms.Form):
    note = forms.CharField(label=_("How the money was returned (bank, reference)"), max_length=300)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "short_id",
        "description",
        "payer",
        "purpose",
        "amount_display",
        "status",
        "refunded_display",
        "created_at",
        "paid_at",
        "attention",
    ]
    list_filter = ["status", "purpose", NeedsAttentionFilter, "created_at", "paid_at"]
    search_fields = ["=id", "description", "payer__email", "payer__full_name", "attempts__order_id"]
    list_select_related = ["payer"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline, EventInline, RefundInline, NotificationInline]
    actions = ["refund_selected"]
    readonly_fields = [
        "id",
        "payer",
        "purpose",
        "target_type",
        "target_id",
        "target_display",
        "description",
        "amount",
        "refunded_amount",
        "status",
        "delivered_status",
        "delivered_refunded_amount",
        "expires_at",
        "created_at",
        "paid_at",
        "updated_at",
        "needs_attention",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # payments are created by the app that sells something

    def has_delete_permission(self, request, obj=None):
        return False  # a ledger keeps its rows

    @admin.display(description=_("paid for"))
    def target_display(self, obj):
        try:
            return str(obj.target) if obj.target is not None else _("(deleted)")
        except Exception:  # a model of an app that is gone: show the raw reference instead
            return f"{obj.target_type_id}:{obj.target_id}"

    @admin.display(description=_("payment"), ordering="created_at")
    def short_id(self, obj):
        return str(obj.pk)[:8]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_rupiah(obj.amount)

    @admin.display(description=_("refunded"), ordering="refunded_amount")
    def refunded_display(self, obj):
        return format_rupiah(obj.refunded_amount) if obj.refunded_amount else "-"

    @admin.display(description=_("attention"), boolean=True)
    def attention(self, obj):
        return bool(obj.needs_attention)

    @admin.action(description=_("Refund selected…"))
    def refund_selected(self, request, queryset):
        candidates = queryset.filter(
            Q(status__in=[Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED]) | ~Q(needs_attention="")
        ).select_related("payer")
        refundable = [p for p in candidates if services.refundable_amount(p)]
        form = RefundForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            amount = form.cleaned_data["amount"]
            if amount and len(refundable) != 1:
                form.add_error("amount", _("A partial amount can be given for one payment at a time."))
            else:
                self._refund(request, refundable, form.cleaned_data)
                return None
        rows = [
            (p, services.refund_via_gateway_possible(p), services.refundable_amount(p)) for p in refundable
        ]
        return TemplateResponse(
            request,
            "payments/admin_refund.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Refund payments"),
                "form": form,
                "rows": rows,
                "skipped": queryset.count() - len(refundable),
                "opts": self.model._meta,
                "action": "refund_selected",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
            status=400 if form.is_bound else 200,
        )

    def _refund(self, request, payments, data):
        done = 0
        for payment in payments:
            try:
                refund = services.refund_payment(
                    payment=payment,
                    amount=data["amount"],
                    reason=data["reason"],
                    by=request.user,
                    manual=data["manual"],
                )
            except ValidationError as error:
                self.message_user(request, f"{payment}: {'; '.join(error.messages)}", messages.ERROR)
                continue
            done += 1
            if refund.state == Refund.State.AWAITING_MANUAL:
                self.message_user(
                    request,
                    _("%(payment)s: owed; transfer %(amount)s by hand, then mark the refund done.")
                    % {"payment": payment, "amount": format_rupiah(refund.amount)},
                    messages.WARNING,
                )
        self.message_user(request, _("%(count)d refunded.") % {"count": done}, messages.SUCCESS)


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["created_at", "payment", "amount_display", "state", "manual", "reason", "created_by"]
    list_filter = ["state", "manual", "created_at"]
    search_fields = ["payment__description", "payment__payer__email", "reason", "refund_key", "=payment__id"]
    list_select_related = ["payment", "created_by"]
    actions = ["mark_done"]
    readonly_fields = [
        "payment",
        "amount",
        "reason",
        "manual",
        "state",
        "manual_note",
        "refund_key",
        "gateway_reference",
        "attempts",
        "last_error",
        "created_by",
        "created_at",
        "completed_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # refunds are made from a payment (action "Refund selected…")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_rupiah(obj.amount)

    @admin.action(description=_("Mark manual refunds as transferred…"))
    def mark_done(self, request, queryset):
        owed = list(queryset.filter(state=Refund.State.AWAITING_MANUAL).select_related("payment"))
        form = ManualRefundDoneForm(request.POST if "note" in request.POST else None)
        if form.is_bound and form.is_valid():
            for refund in owed:
                services.refund_mark_done(refund=refund, note=form.cleaned_data["note"], by=request.user)
            self.message_user(
                request, _("%(count)d marked as transferred.") % {"count": len(owed)}, messages.SUCCESS
            )
            return None
        return TemplateResponse(
            request,
            "payments/admin_refund_done.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Mark manual refunds as transferred"),
                "form": form,
                "refunds": owed,
                "opts": self.model._meta,
                "action": "mark_done",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    list_display = [
        "order_id",
        "payment",
        "amount",
        "status",
        "fraud_status",
        "payment_type",
        "expires_at",
        "created_at",
    ]
    list_filter = ["status", "payment_type", "created_at"]
    search_fields = ["order_id", "transaction_id", "payment__payer__email"]
    list_select_related = ["payment"]


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "order_id",
        "transaction_status",
        "signature_valid",
        "response_status",
        "outcome",
    ]
    list_filter = ["signature_valid", "response_status", "transaction_status", "received_at"]
    search_fields = ["order_id", "outcome"]
    readonly_fields = [
        "received_at",
        "order_id",
        "payment",
        "attempt",
        "transaction_status",
        "signature_valid",
        "response_status",
        "outcome",
        "raw_body",
    ]
    fields = readonly_fields


@admin.register(SimulatedTransaction)
class SimulatedTransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "order_id",
        "gross_amount",
        "transaction_status",
        "payment_type",
        "expires_at",
        "created_at",
    ]
    list_filter = ["transaction_status", "payment_type"]
    search_fields = ["order_id"]
