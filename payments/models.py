import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import Event


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
    # A second partial refund keeps the status: the refunded amount tells that it is news too.
    delivered_refunded_amount = models.PositiveBigIntegerField(default=0)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set when Midtrans reports money for a payment we had already closed (e.g. settled after it
    # expired here): the money is real, the paid-for thing is gone, so staff must refund it.
    needs_attention = models.CharField(_("needs attention"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="payment_target_idx"),
            models.Index(fields=["status", "expires_at"], name="payment_status_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=models.F("amount")), name="payment_refund_le_amount"
            ),
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
    """One Midtrans transaction (`order_id`) for a payment.

    Usually one per payment; a new one is made only when the previous Snap session can no longer be
    used (its token expired, or creating it failed) while the payment itself is still open.
    """

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

    OPEN = {Status.CREATED, Status.PENDING}

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="attempts")
    order_id = models.CharField(max_length=50, unique=True)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    fraud_status = models.CharField(max_length=20, blank=True)
    payment_type = models.CharField(max_length=40, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)
    snap_token = models.CharField(max_length=100, blank=True)
    redirect_url = models.URLField(max_length=500, blank=True)
    expires_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        indexes = [models.Index(fields=["status", "expires_at"], name="attempt_status_expiry_idx")]

    def __str__(self):
        return self.order_id

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class PaymentNotification(models.Model):
    """Every notification received, valid or not, kept as it came (audit)."""

    attempt = models.ForeignKey(
        PaymentAttempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    order_id = models.CharField(max_length=100, blank=True, db_index=True)
    raw_body = models.TextField()
    signature_valid = models.BooleanField(default=False)
    transaction_status = models.CharField(max_length=30, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")

    def __str__(self):
        return f"{self.order_id or '?'} {self.transaction_status} ({self.received_at:%Y-%m-%d %H:%M:%S} UTC)"


class PaymentEvent(Event):
    """A status change of a payment, with what caused it (audit trail shown in admin)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    source = models.CharField(max_length=40)  # notification, reconcile, finish-page, refund, cancel, ...

    class Meta(Event.Meta):
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")

    def __str__(self):
        return f"{self.from_status} → {self.to_status} ({self.source})"


class Refund(models.Model):
    class State(models.TextChoices):
        # Recorded; the task queue is sending it to Midtrans (retrying while Midtrans is unreachable).
        PENDING = "pending", _("Being sent to Midtrans")
        DONE = "done", _("Done")
        # The payment method cannot be refunded through Midtrans (e.g. bank transfer): the money is
        # owed to the payer and staff must transfer it by hand, then mark the refund done.
        AWAITING_MANUAL = "awaiting_manual", _("Awaiting manual transfer")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    reason = models.CharField(_("reason"), max_length=300)
    manual = models.BooleanField(_("recorded manually"), default=False)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DONE)
    manual_note = models.CharField(_("manual refund note"), max_length=300, blank=True)
    # Midtrans deduplicates refunds by refund_key: a retried request cannot refund twice.
    refund_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("Midtrans attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"{self.payment_id} −{self.amount}"


class SimulatedTransaction(models.Model):
    """The offline simulator's own record (the stand-in for Midtrans's database). Never used with keys."""

    order_id = models.CharField(max_length=50, unique=True)
    token = models.CharField(max_length=64, unique=True)
    transaction_id = models.UUIDField(default=uuid.uuid4, editable=False)
    gross_amount = models.PositiveBigIntegerField()
    # "" until the customer picks an outcome: like Midtrans, the status API answers 404 before that.
    transaction_status = models.CharField(max_length=20, blank=True)
    fraud_status = models.CharField(max_length=20, blank=True)
    payment_type = models.CharField(max_length=40, blank=True)
    request_json = models.JSONField(default=dict)
    notification_url = models.URLField(max_length=500, blank=True)
    finish_url = models.URLField(max_length=500, blank=True)
    expires_at = models.DateTimeField()
    transaction_time = models.DateTimeField(null=True, blank=True)
    settlement_time = models.DateTimeField(null=True, blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)
    refunds = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("simulated Midtrans transaction")
        verbose_name_plural = _("simulated Midtrans transactions")

    def __str__(self):
        return f"{self.order_id} ({self.transaction_status or 'new'})"
