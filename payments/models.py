import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    """One thing paid for (a consultation fee, an adoption fee, a grooming deposit)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")

    FINAL_UNPAID = {Status.FAILED, Status.EXPIRED, Status.CANCELLED}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    purpose = models.CharField(_("purpose"), max_length=30, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    description = models.CharField(_("description"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    refunded_amount = models.PositiveBigIntegerField(_("refunded (Rp)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # Which status the paid-for app has been told about; reconciliation re-delivers when it lags.
    delivered_status = models.CharField(max_length=20, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["target_type", "target_id"], name="payment_target_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(refunded_amount__lte=models.F("amount")), name="payment_refund_le_amount"),
        ]

    def __str__(self):
        return f"{self.description} ({self.get_status_display()})"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_paid(self):
        return self.status in (self.Status.PAID, self.Status.PARTIALLY_REFUNDED)


class PaymentAttempt(models.Model):
    """One Midtrans transaction (`order_id`) for a payment; a retry after failure is a new attempt."""

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Pending")
        SETTLEMENT = "settlement", _("Settled")
        CAPTURE = "capture", _("Captured")
        DENY = "deny", _("Denied")
        CANCEL = "cancel", _("Cancelled")
        EXPIRE = "expire", _("Expired")
        FAILURE = "failure", _("Failed")
        REFUND = "refund", _("Refunded")
        PARTIAL_REFUND = "partial_refund", _("Partially refunded")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="attempts")
    order_id = models.CharField(max_length=50, unique=True)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    fraud_status = models.CharField(max_length=20, blank=True)
    payment_type = models.CharField(max_length=40, blank=True)
    snap_token = models.CharField(max_length=100, blank=True)
    redirect_url = models.URLField(max_length=500, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")

    def __str__(self):
        return self.order_id


class PaymentNotification(models.Model):
    """Every notification received, valid or not, kept as it came (audit)."""

    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")
    order_id = models.CharField(max_length=100, blank=True, db_index=True)
    raw_body = models.TextField()
    signature_valid = models.BooleanField(default=False)
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    reason = models.CharField(_("reason"), max_length=300)
    manual = models.BooleanField(_("recorded manually"), default=False)
    gateway_reference = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
