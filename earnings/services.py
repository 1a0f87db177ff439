"""Earnings state changes. Public API for the paid-for apps' payment hooks:

record_payment(payment=, partner=, partner_name=, kind=, description=, subject_url="") -> list[LedgerLine]
rate_in_force(kind=, at=) -> (rate in basis points, CommissionRule | None)
rule_create(kind=, percent=, effective_from=, note="", by=None) -> CommissionRule
payout_record(partner=, month=, amount=, paid_on=, reference=, by=None) -> Payout
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import format_rupiah
from payments.models import Payment, Refund

from .models import DEFAULT_RATE_BP, CommissionRule, Kind, LedgerLine, Partner, Payout
from .money import commission_reversed, split

JAKARTA = ZoneInfo("Asia/Jakarta")
EVER_PAID = (Payment.Status.PAID, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, JAKARTA).date()


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the Asia/Jakarta month of an aware datetime."""
    return local_date(moment).replace(day=1)


def today() -> datetime.date:
    return local_date(timezone.now())


# --- rules ---------------------------------------------------------------------------------------------
def rule_in_force(*, kind: str, on: datetime.date) -> CommissionRule | None:
    return (
        CommissionRule.objects.filter(kind=kind, effective_from__lte=on).order_by("-effective_from").first()
    )


def rate_in_force(*, kind: str, at: datetime.datetime) -> tuple[int, CommissionRule | None]:
    """The rate for a payment of `kind` settled at `at`: the latest rule effective on that Jakarta day."""
    rule = rule_in_force(kind=kind, on=local_date(at))
    if rule is None:
        return DEFAULT_RATE_BP[Kind(kind)], None
    return rule.rate_bp, rule


def current_rules() -> dict[str, tuple[Decimal, CommissionRule | None]]:
    """{kind: (percent in force today, rule or None)} for every kind (the /partners/ page)."""
    day, result = today(), {}
    for kind in Kind:
        rule = rule_in_force(kind=kind, on=day)
        percent = rule.percent if rule else Decimal(DEFAULT_RATE_BP[kind]) / 100
        result[kind.value] = (percent, rule)
    return result


def upcoming_rules() -> list[CommissionRule]:
    """Rules already decided that start after today (announced on the pricing page)."""
    return list(CommissionRule.objects.filter(effective_from__gt=today()).order_by("effective_from", "kind"))


def split_at_percent(amount: int, percent: Decimal) -> tuple[int, int]:
    return split(amount, int(Decimal(percent) * 100))


def rule_create(
    *, kind: str, percent: Decimal, effective_from: datetime.date, note: str = "", by=None
) -> CommissionRule:
    """A new rule from tomorrow or a later day: it never reaches back to money already recorded.

    Not today: payments settled earlier today were already recorded at the old rate, and a late hook
    delivery of another payment of today would then get the new one.
    """
    if kind not in Kind.values:
        raise ValidationError(_("Unknown partner kind."))
    percent = Decimal(percent)
    if not Decimal("0") <= percent <= Decimal("100") or percent != percent.quantize(Decimal("0.01")):
        raise ValidationError(_("The share must be between 0 and 100 %, with at most two decimals."))
    if effective_from <= today():
        raise ValidationError(
            _("A new rule starts tomorrow or later: earnings already recorded are never recomputed.")
        )
    if CommissionRule.objects.filter(kind=kind, effective_from=effective_from).exists():
        raise ValidationError(_("There is already a rule for this kind starting on that day."))
    return CommissionRule.objects.create(
        kind=kind,
        percent=percent,
        effective_from=effective_from,
        note=note[:200],
        created_by=by if getattr(by, "pk", None) else None,
    )


# --- the ledger ----------------------------------------------------------------------------------------
def partner_for(subject, *, name: str) -> Partner:
    """The Partner row of a user (vet, lister) or a salon, created on first use; the name kept current."""
    content_type = ContentType.objects.get_for_model(subject)
    partner, created = Partner.objects.get_or_create(
        content_type=content_type, object_id=str(subject.pk), defaults={"name": name[:200]}
    )
    if not created and name and partner.name != name[:200]:
        partner.name = name[:200]
        partner.save(update_fields=["name"])
    return partner


def record_payment(
    *, payment: Payment, partner, partner_name: str, kind: str, description: str, subject_url: str = ""
) -> list[LedgerLine]:
    """Bring the partner's ledger in line with a payment: its settlement and every refund not yet recorded.

    Called by the paid-for app's payment hook (paid and refunded) inside the hook's transaction.
    Idempotent: a re-delivered hook finds the lines written and adds nothing (also guarded by unique
    constraints). Amounts are computed once, with the rule in force when the payment settled, and
    never recomputed. Refunds reverse the commission in proportion to the amount refunded, on the
    running total, so the reversals never exceed the original commission. Returns the new lines.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown earnings kind {kind!r}")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in EVER_PAID or locked.paid_at is None:
            return []
        new_lines = []
        settlement = LedgerLine.objects.filter(payment=locked, entry=LedgerLine.Entry.SETTLEMENT).first()
        if settlement is None:
            rate, rule = rate_in_force(kind=kind, at=locked.paid_at)
            commission, net = split(locked.amount, rate)
            settlement = LedgerLine.objects.create(
                partner=partner if isinstance(partner, Partner) else partner_for(partner, name=partner_name),
                kind=kind,
                entry=LedgerLine.Entry.SETTLEMENT,
                payment=locked,
                gross=locked.amount,
                commission=commission,
                partner_net=net,
                rate_bp=rate,
                rule=rule,
                occurred_at=locked.paid_at,
                month=month_of(locked.paid_at),
                description=description[:200],
                subject_url=subject_url[:200],
            )
            new_lines.append(settlement)
        new_lines += _record_refunds(locked, settlement)
    return new_lines


def _record_refunds(payment: Payment, settlement: LedgerLine) -> list[LedgerLine]:
    # The refund lines follow the partner and kind of the settlement they reverse, whatever the
    # caller says today: the money came from that line.
    written = LedgerLine.objects.filter(payment=payment, entry=LedgerLine.Entry.REFUND)
    done = written.aggregate(gross=Sum("gross"), commission=Sum("commission"))
    refunded_so_far = -(done["gross"] or 0)
    reversed_so_far = -(done["commission"] or 0)
    lined = set(written.values_list("refund_id", flat=True))
    new_lines = []
    for refund in Refund.objects.filter(payment=payment).order_by("created_at", "pk"):
        if refund.pk in lined:
            continue
        refunded_so_far += refund.amount
        if refunded_so_far > settlement.gross:
            raise ValueError(f"refunds of payment {payment.pk} exceed what was paid")
        target = commission_reversed(
            gross=settlement.gross, commission=settlement.commission, refunded_total=refunded_so_far
        )
        commission = target - reversed_so_far
        reversed_so_far = target
        new_lines.append(
            LedgerLine.objects.create(
                partner_id=settlement.partner_id,
                kind=settlement.kind,
                entry=LedgerLine.Entry.REFUND,
                payment=payment,
                refund=refund,
                gross=-refund.amount,
                commission=-commission,
                partner_net=-(refund.amount - commission),
                rate_bp=settlement.rate_bp,
                rule_id=settlement.rule_id,
                occurred_at=refund.created_at,
                month=month_of(refund.created_at),
                description=settlement.description,
                subject_url=settlement.subject_url,
            )
        )
    return new_lines


# --- payouts -------------------------------------------------------------------------------------------
def balance_owed(partner: Partner) -> int:
    """Everything the partner earned (net of refunds) minus everything paid out to them."""
    if partner.pk is None:
        return 0
    earned = LedgerLine.objects.filter(partner=partner).aggregate(s=Sum("partner_net"))["s"] or 0
    paid = Payout.objects.filter(partner=partner).aggregate(s=Sum("amount"))["s"] or 0
    return int(earned) - int(paid)


def payout_check(
    *, partner: Partner, month: datetime.date, amount: int, paid_on: datetime.date, reference: str
) -> None:
    """Raise ValidationError when this payout may not be recorded (also called by the admin form)."""
    if not (reference or "").strip():
        raise ValidationError(_("Give the transfer reference."))
    month = month.replace(day=1)
    if month >= today().replace(day=1):
        raise ValidationError(_("Only a month that has ended can be paid out."))
    if paid_on > today():
        raise ValidationError(_("The transfer date cannot be in the future."))
    if Payout.objects.filter(partner=partner, month=month).exists():
        raise ValidationError(_("This month has already been paid out to this partner."))
    owed = balance_owed(partner)
    if int(amount) <= 0 or int(amount) > owed:
        raise ValidationError(
            _("The payout must be between Rp 1 and the %(owed)s owed.")
            % {"owed": format_rupiah(max(owed, 0))}
        )


def payout_record(
    *, partner: Partner, month: datetime.date, amount: int, paid_on: datetime.date, reference: str, by=None
) -> Payout:
    """Staff transferred a month's earnings: recorded once per partner and month, never above what is owed."""
    with transaction.atomic():
        # Two staff recording the same payout serialize here; the second fails the check.
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        payout_check(partner=locked, month=month, amount=amount, paid_on=paid_on, reference=reference)
        return Payout.objects.create(
            partner=locked,
            month=month.replace(day=1),
            amount=int(amount),
            paid_on=paid_on,
            reference=reference.strip()[:100],
            created_by=by if getattr(by, "pk", None) else None,
        )
