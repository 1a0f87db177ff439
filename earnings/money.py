"""Whole-rupiah arithmetic of commissions. No floats anywhere: rates are basis points (1 % = 100).

The rule (docs/earnings.md): the commission is rounded half up to a whole rupiah, the partner gets the
rest, so commission + partner net is always exactly the amount paid.
"""

BASIS = 10_000  # basis points in 100 %


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for numerator >= 0 and denominator > 0."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("round_half_up_div takes a non-negative numerator and a positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


def split(amount: int, rate_bp: int) -> tuple[int, int]:
    """(commission, partner net) of a whole-rupiah amount at `rate_bp` basis points."""
    if amount < 0 or not 0 <= rate_bp <= BASIS:
        raise ValueError("split takes a non-negative amount and a rate between 0 and 100 %")
    commission = round_half_up_div(amount * rate_bp, BASIS)
    return commission, amount - commission


def commission_reversed(*, gross: int, commission: int, refunded_total: int) -> int:
    """How much of the original commission is reversed once `refunded_total` of `gross` is refunded.

    Proportional and cumulative: computed on the running refunded total, not per refund, so the
    reversals of several partial refunds add up to exactly the commission when everything is refunded
    and never exceed it on the way there.
    """
    if not 0 <= refunded_total <= gross or not 0 <= commission <= gross:
        raise ValueError("refunded_total and commission must lie between 0 and the gross amount")
    if gross == 0:
        return 0
    return round_half_up_div(commission * refunded_total, gross)
