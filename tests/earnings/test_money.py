"""The rounding rule: commission rounded half up to a whole rupiah, the partner gets the rest."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earnings.money import commission_reversed, round_half_up_div, split


@pytest.mark.parametrize(
    ("amount", "rate_bp", "commission", "net"),
    [
        (75_000, 2000, 15_000, 60_000),
        (12_345, 1500, 1_852, 10_493),  # 1,851.75 -> 1,852
        (10, 2500, 3, 7),  # 2.5 -> 3: half up, never half to even
        (30, 2500, 8, 22),  # 7.5 -> 8
        (1, 4999, 0, 1),  # 0.4999 -> 0
        (1, 5000, 1, 0),  # 0.5 -> 1
        (99_999, 0, 0, 99_999),
        (99_999, 10_000, 99_999, 0),
    ],
)
def test_the_commission_is_rounded_half_up_and_the_partner_gets_the_rest(amount, rate_bp, commission, net):
    assert split(amount, rate_bp) == (commission, net)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        split(-1, 2000)
    with pytest.raises(ValueError):
        split(100, 10_001)
    with pytest.raises(ValueError):
        commission_reversed(gross=100, commission=20, refunded_total=101)


@given(st.integers(0, 10**12), st.integers(0, 10_000))
def test_split_matches_decimal_half_up_and_adds_up(amount, rate_bp):
    commission, net = split(amount, rate_bp)
    expected = (Decimal(amount) * rate_bp / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert commission == int(expected)
    assert commission + net == amount and 0 <= commission <= amount


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_round_half_up_div_matches_decimal(numerator, denominator):
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert round_half_up_div(numerator, denominator) == int(expected)


@given(
    st.integers(1, 10**9).flatmap(
        lambda g: st.tuples(st.just(g), st.integers(0, g), st.lists(st.integers(0, g)))
    )
)
def test_reversals_are_monotonic_bounded_and_complete(args):
    gross, commission, points = args
    previous = 0
    for refunded in sorted(points):
        reversed_ = commission_reversed(gross=gross, commission=commission, refunded_total=refunded)
        assert previous <= reversed_ <= commission
        previous = reversed_
    assert commission_reversed(gross=gross, commission=commission, refunded_total=gross) == commission
    assert commission_reversed(gross=gross, commission=commission, refunded_total=0) == 0
