"""What it must show: for any sequence of payments, refunds and partial refunds (and rule changes,
and hooks delivered late or twice) the ledger balances, and statements never change after a rule change.

Every expected figure is computed here independently, with Decimal and ROUND_HALF_UP.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from earnings import stats as earnings_stats
from earnings.models import DEFAULT_RATE_BP, CommissionRule, Kind, LedgerLine, Partner
from earnings.services import local_date, record_payment
from earnings.statements import statement_snapshot, totals_of
from tests import factories
from tests.earnings.conftest import paid_payment, refund_payment, wib

KINDS = [Kind.CONSULTATION, Kind.GROOMING, Kind.ADOPTION]
START = wib(2026, 1, 1, 9, 0)

pay = st.tuples(
    st.just("pay"), st.integers(0, 2), st.sampled_from(KINDS), st.integers(1, 5_000_000), st.booleans()
)
refund = st.tuples(st.just("refund"), st.integers(0, 50), st.floats(0.0, 1.0), st.booleans(), st.booleans())
rule = st.tuples(st.just("rule"), st.sampled_from(KINDS), st.integers(0, 10_000))
redeliver = st.tuples(st.just("redeliver"), st.integers(0, 50))
steps = st.lists(
    st.tuples(st.one_of(pay, refund, rule, redeliver), st.integers(0, 20 * 24)),  # hours to move on
    min_size=1,
    max_size=20,
)


def line_values(line) -> tuple:
    return (
        line.partner_id,
        line.entry,
        line.gross,
        line.commission,
        line.partner_net,
        line.rate_bp,
        line.month,
    )


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class LedgerProperties(TestCase):
    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=steps)
    def test_any_sequence_balances_and_statements_survive_rule_changes(self, steps):
        payer = factories.UserFactory()
        subjects = [factories.VetFactory(), factories.UserFactory(), factories.UserFactory()]
        now = START
        rules: dict[str, list[tuple[datetime.date, int]]] = defaultdict(list)  # kind -> [(from, bp)]
        payments = []  # (payment, subject, kind)
        frozen = []  # (partner pk, month, snapshot) of closed months, taken at each rule change
        lines_frozen = {}  # every line's figures at each rule change

        def deliver(payment, subject, kind):
            record_payment(
                payment=payment, partner=subject, partner_name=subject.full_name, kind=kind,
                description=payment.description,
            )  # fmt: skip

        for (op, *args), hours in steps:
            now += datetime.timedelta(hours=hours)
            if op == "pay":
                who, kind, amount, delivered = args
                payment = paid_payment(payer, subjects[who], amount, now)
                payments.append((payment, subjects[who], kind))
                if delivered:  # otherwise the hook was lost; a later delivery must catch up
                    deliver(payment, subjects[who], kind)
            elif op == "refund" and payments:
                index, share, everything, delivered = args
                payment, subject, kind = payments[args[0] % len(payments)]
                left = payment.amount - payment.refunded_amount
                amount = left if everything else max(1, int(left * share))
                if left:
                    refund_payment(payment, min(amount, left), now)
                    if delivered:
                        deliver(payment, subject, kind)
            elif op == "rule":
                kind, bp = args
                day = local_date(now) + datetime.timedelta(
                    days=1
                )  # staff start rules tomorrow at the earliest
                # A closed month's statement is final once its payments are all delivered (reconciliation
                # re-delivers a lost hook within minutes; a late line belongs to the month it was paid).
                for payment, subject, kind_ in payments:
                    deliver(payment, subject, kind_)
                lines_frozen.update({line.pk: line_values(line) for line in LedgerLine.objects.all()})
                for partner in Partner.objects.all():
                    closed = LedgerLine.objects.filter(
                        partner=partner, month__lt=local_date(now).replace(day=1)
                    )
                    for month in set(closed.values_list("month", flat=True)):
                        frozen.append((partner.pk, month, statement_snapshot(partner, month)))
                CommissionRule.objects.update_or_create(
                    kind=kind, effective_from=day, defaults={"percent": Decimal(bp) / 100}
                )
                rules[kind] = [r for r in rules[kind] if r[0] != day] + [(day, bp)]
            elif op == "redeliver" and payments:
                deliver(*payments[args[0] % len(payments)])

        for payment, subject, kind in payments:  # reconciliation delivers whatever lagged, twice
            deliver(payment, subject, kind)
        lines_before = LedgerLine.objects.count()
        for payment, subject, kind in payments:
            deliver(payment, subject, kind)
        assert LedgerLine.objects.count() == lines_before, "a re-delivered hook wrote a line twice"

        def rate_for(kind, paid_at) -> int:
            day = local_date(paid_at)
            applicable = [r for r in rules[kind] if r[0] <= day]
            base = CommissionRule.objects.filter(kind=kind, effective_from__lte=datetime.date(2026, 1, 1))
            if applicable:
                return max(applicable)[1]
            return (
                base.order_by("-effective_from").first().rate_bp if base.exists() else DEFAULT_RATE_BP[kind]
            )

        for payment, subject, kind in payments:
            payment.refresh_from_db()
            lines = list(LedgerLine.objects.filter(payment=payment).order_by("occurred_at", "pk"))
            settlement, refunds = lines[0], lines[1:]
            assert settlement.entry == "settlement" and settlement.occurred_at == payment.paid_at
            # Computed once with the rule in force when the money settled, whatever came later.
            bp = rate_for(kind, payment.paid_at)
            assert settlement.rate_bp == bp
            assert settlement.commission == half_up(Decimal(payment.amount) * bp / 10_000)
            assert settlement.gross == payment.amount
            refunded, reversed_ = 0, 0
            for line in refunds:
                assert line.entry == "refund" and line.kind == settlement.kind
                refunded -= line.gross
                expected = half_up(Decimal(settlement.commission) * refunded / settlement.gross)
                assert -line.commission == expected - reversed_  # proportional, on the running total
                reversed_ = expected
                assert line.gross <= line.commission <= 0 and line.partner_net <= 0
            assert refunded == payment.refunded_amount
            assert 0 <= reversed_ <= settlement.commission  # reversals never exceed the original
            totals = LedgerLine.objects.filter(payment=payment).aggregate(
                g=Sum("gross"), c=Sum("commission"), n=Sum("partner_net")
            )
            assert totals["g"] == payment.amount - payment.refunded_amount
            if payment.refunded_amount == payment.amount:
                assert totals["c"] == 0 and totals["n"] == 0

        for line in LedgerLine.objects.all():
            assert line.gross == line.commission + line.partner_net
        for partner in Partner.objects.all():
            for month in set(LedgerLine.objects.filter(partner=partner).values_list("month", flat=True)):
                t = totals_of(LedgerLine.objects.filter(partner=partner, month=month))
                assert t.gross - t.refunds == t.commission + t.net
        by_month = earnings_stats.by_month_and_kind(datetime.date(2025, 1, 1), datetime.date(2030, 1, 1))
        assert sum(f.revenue for f in by_month.values()) == (
            LedgerLine.objects.aggregate(s=Sum("commission"))["s"] or 0
        )
        assert sum(f.gmv - f.refunds for f in by_month.values()) == sum(
            p.amount - p.refunded_amount for p, _s, _k in payments
        )

        for pk, values in lines_frozen.items():
            assert line_values(LedgerLine.objects.get(pk=pk)) == values
        for partner_pk, month, snapshot in frozen:
            assert statement_snapshot(Partner.objects.get(pk=partner_pk), month) == snapshot
