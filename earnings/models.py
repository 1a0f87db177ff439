"""Commission rules, the partners' earnings ledger and payouts.

The ledger is append-only: a line records the amounts as they were computed when the money moved
(gross, commission, partner net, and the rate used), so a later rule change never rewrites it.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .money import BASIS


class Kind(models.TextChoices):
    """What the partner was paid for; each kind has its own commission rule."""

    CONSULTATION = "consultation", _("Vet consultations")
    GROOMING = "grooming", _("Grooming deposits")
    ADOPTION = "adoption", _("Adoption fees")


# The rates that apply while no rule exists for a kind (the data migration seeds the same figures as
# rules, so this is only reached on a database emptied by hand or by a test's flush).
DEFAULT_RATE_BP = {Kind.CONSULTATION: 2000, Kind.GROOMING: 1500, Kind.ADOPTION: 0}


class CommissionRule(models.Model):
    """The platform's share of one kind of payment, from a date on (a new rule replaces, never edits)."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    percent = models.DecimalField(
        _("platform share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("For adoption fees this is the platform fee; the lister gets the rest."),
    )
    effective_from = models.DateField(
        _("effective from"), help_text=_("Applies to payments settled from this day on (Asia/Jakarta).")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "-effective_from"]
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        constraints = [
            models.UniqueConstraint(fields=["kind", "effective_from"], name="commission_rule_one_per_day"),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="commission_rule_percent_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.percent} % ({self.effective_from:%Y-%m-%d})"

    @property
    def rate_bp(self) -> int:
        return int(Decimal(self.percent) * 100)


class Partner(models.Model):
    """Who earns: a vet (a user), a salon, an adoption lister (a user). One row per earning object."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="partner_one_per_object")
        ]

    def __str__(self):
        return self.name


class LedgerLine(models.Model):
    """One movement of a partner's money: a settled payment (+) or a refund of it (−)."""

    class Entry(models.TextChoices):
        SETTLEMENT = "settlement", pgettext_lazy("ledger entry", "Payment")
        REFUND = "refund", pgettext_lazy("ledger entry", "Refund")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    entry = models.CharField(_("entry"), max_length=20, choices=Entry.choices)
    payment = models.ForeignKey("payments.Payment", on_delete=models.PROTECT, related_name="+")
    refund = models.ForeignKey(
        "payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Signed whole rupiah: a refund line is negative. gross = commission + partner_net, always.
    gross = models.BigIntegerField(_("gross (Rp)"))
    commission = models.BigIntegerField(_("commission (Rp)"))
    partner_net = models.BigIntegerField(_("partner net (Rp)"))
    rate_bp = models.PositiveIntegerField(_("rate (basis points)"), validators=[MaxValueValidator(BASIS)])
    rule = models.ForeignKey(
        CommissionRule, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    occurred_at = models.DateTimeField(_("when"))
    month = models.DateField(_("month"), help_text=_("First day of the month in Asia/Jakarta."))
    description = models.CharField(_("description"), max_length=200)
    subject_url = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("earnings line")
        verbose_name_plural = _("earnings lines")
        indexes = [models.Index(fields=["partner", "month"], name="ledger_partner_month_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(gross=F("commission") + F("partner_net")), name="ledger_line_balances"
            ),
            # A re-delivered hook writes nothing twice: one settlement per payment, one line per refund.
            models.UniqueConstraint(
                fields=["payment"], condition=Q(entry="settlement"), name="ledger_one_settlement_per_payment"
            ),
            models.UniqueConstraint(
                fields=["refund"], condition=Q(refund__isnull=False), name="ledger_one_line_per_refund"
            ),
            models.CheckConstraint(
                condition=(Q(entry="settlement", refund__isnull=True, gross__gte=0))
                | (Q(entry="refund", refund__isnull=False, gross__lte=0)),
                name="ledger_line_entry_shape",
            ),
        ]

    def __str__(self):
        return f"{self.partner} {self.get_entry_display()} {self.gross}"

    @property
    def rate_percent(self) -> Decimal:
        return Decimal(self.rate_bp) / 100


class Payout(models.Model):
    """Staff transferred a month's earnings to the partner."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payouts")
    month = models.DateField(_("month paid out"), help_text=_("First day of the month."))
    amount = models.PositiveBigIntegerField(_("amount (Rp)"))
    paid_on = models.DateField(_("transferred on"))
    reference = models.CharField(_("transfer reference"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-paid_on"]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="payout_one_per_partner_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]

    def __str__(self):
        return f"{self.partner} {self.month:%Y-%m}: {self.amount}"
