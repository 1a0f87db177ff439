"""The pure slot algorithm: unit cases and hypothesis properties (no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from grooming.slots import Busy, Interval, free_seat, free_slots, is_open_at, opening_intervals

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
MONDAY = dt.date(2026, 11, 23)
MIN30 = dt.timedelta(minutes=30)
HOUR = dt.timedelta(hours=1)


def at(hour, minute=0, day=MONDAY, tz=WIB):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def day_opening(weekly, closures=(), tz=WIB, day=MONDAY):
    return opening_intervals(first_day=day, last_day=day, weekly=weekly, closures=closures, tz=tz)


def test_lunch_break_splits_the_day_and_no_slot_crosses_it():
    opening = day_opening({0: [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(15))]})
    slots = free_slots(opening=opening, busy=[], duration=HOUR, step=MIN30, capacity=1, not_before=at(0))
    assert [s.strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "13:00",
        "13:30",
        "14:00",
    ]


def test_closure_day_has_no_slots():
    opening = day_opening({0: [(dt.time(9), dt.time(17))]}, closures=[MONDAY])
    assert opening == []


def test_busy_booking_blocks_overlapping_starts_only():
    opening = day_opening({0: [(dt.time(9), dt.time(12))]})
    busy = [Busy(at(10), at(11))]
    slots = free_slots(opening=opening, busy=busy, duration=HOUR, step=MIN30, capacity=1, not_before=at(0))
    assert [s.strftime("%H:%M") for s in slots] == ["09:00", "11:00"]


def test_capacity_two_needs_one_whole_free_seat():
    opening = day_opening({0: [(dt.time(10), dt.time(12))]})
    # Seat 0 busy 10-11, seat 1 busy 11-12: at most one pet at any moment, yet no seat is free 10:30-11:30.
    busy = [Busy(at(10), at(11), 0), Busy(at(11), at(12), 1)]
    slots = free_slots(opening=opening, busy=busy, duration=HOUR, step=MIN30, capacity=2, not_before=at(0))
    assert [s.strftime("%H:%M") for s in slots] == ["10:00", "11:00"]
    assert free_seat(busy, at(10), at(11), 2) == 1


def test_lead_time_hides_earlier_slots():
    opening = day_opening({0: [(dt.time(9), dt.time(12))]})
    slots = free_slots(opening=opening, busy=[], duration=HOUR, step=MIN30, capacity=1, not_before=at(10, 15))
    assert [s.strftime("%H:%M") for s in slots] == ["10:30", "11:00"]


def test_slots_are_in_the_salons_zone():
    opening = day_opening({0: [(dt.time(9), dt.time(10))]}, tz=WITA)
    (slot,) = free_slots(opening=opening, busy=[], duration=HOUR, step=MIN30, capacity=1, not_before=at(0))
    assert slot.utcoffset() == dt.timedelta(hours=8)
    assert slot.astimezone(dt.UTC).hour == 1  # 09:00 WITA is 01:00 UTC
    assert is_open_at(at(9, 30, tz=WITA), opening)
    assert not is_open_at(at(9, 30, tz=WIB), opening)  # 09:30 WIB is 10:30 WITA: closed


# --- properties -------------------------------------------------------------------------------------
minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def day_ranges(draw):
    """Up to three non-overlapping ranges on one day (like a lunch break)."""
    points = sorted(draw(st.sets(st.integers(min_value=0, max_value=47), min_size=0, max_size=6)))
    if len(points) % 2:
        points = points[:-1]
    ranges = []
    for i in range(0, len(points), 2):
        opens, closes = points[i] * 30, points[i + 1] * 30
        ranges.append((dt.time(opens // 60, opens % 60), dt.time(closes // 60, closes % 60)))
    return ranges


@st.composite
def scenario(draw):
    weekly = {d: draw(day_ranges()) for d in range(7)}
    first = MONDAY + dt.timedelta(days=draw(st.integers(0, 6)))
    span = draw(st.integers(0, 2))
    closures = draw(
        st.sets(st.sampled_from([first + dt.timedelta(days=i) for i in range(span + 1)]), max_size=2)
    )
    capacity = draw(st.integers(1, 3))
    base = dt.datetime.combine(first, dt.time(0), tzinfo=WIB)
    busy = []
    for _ in range(draw(st.integers(0, 8))):
        start = base + dt.timedelta(minutes=draw(st.integers(0, (span + 1) * 24 * 60)))
        length = dt.timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90, 120])))
        busy.append(Busy(start, start + length, draw(st.integers(0, capacity - 1))))
    duration = dt.timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90, 120, 180])))
    step = dt.timedelta(minutes=draw(st.sampled_from([15, 30, 60])))
    not_before = base + dt.timedelta(minutes=draw(st.integers(0, (span + 1) * 24 * 60)))
    opening = opening_intervals(
        first_day=first, last_day=first + dt.timedelta(days=span), weekly=weekly, closures=closures, tz=WIB
    )
    return opening, busy, duration, step, capacity, not_before, closures


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_every_slot_is_inside_one_opening_range_and_never_in_the_past(case):
    opening, busy, duration, step, capacity, not_before, closures = case
    for slot in free_slots(
        opening=opening, busy=busy, duration=duration, step=step, capacity=capacity, not_before=not_before
    ):
        assert slot >= not_before
        assert slot.date() not in closures
        assert any(i.start <= slot and slot + duration <= i.end for i in opening)
        # On the grid of its range's opening time.
        container = next(i for i in opening if i.start <= slot and slot + duration <= i.end)
        assert (slot - container.start) % step == dt.timedelta(0)


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_a_slot_always_has_a_seat_free_for_its_whole_length(case):
    opening, busy, duration, step, capacity, not_before, _closures = case
    for slot in free_slots(
        opening=opening, busy=busy, duration=duration, step=step, capacity=capacity, not_before=not_before
    ):
        seat = free_seat(busy, slot, slot + duration, capacity)
        assert seat is not None
        assert not any(b.seat == seat and b.start < slot + duration and slot < b.end for b in busy)


@settings(max_examples=200, deadline=None)
@given(scenario(), st.data())
def test_booking_offered_slots_one_by_one_never_overbooks(case, data):
    """Book offered slots greedily; at no instant do more bookings than seats overlap, none shares a seat."""
    opening, busy, duration, step, capacity, not_before, _closures = case
    booked = list(busy)
    mine = []
    for _ in range(6):
        offered = free_slots(
            opening=opening,
            busy=booked,
            duration=duration,
            step=step,
            capacity=capacity,
            not_before=not_before,
        )
        if not offered:
            break
        start = data.draw(st.sampled_from(offered))
        seat = free_seat(booked, start, start + duration, capacity)
        new = Busy(start, start + duration, seat)
        assert not any(b.seat == seat and b.start < new.end and new.start < b.end for b in booked)
        booked.append(new)
        mine.append(new)
    for a in mine:
        assert not any(
            b is not a and b.seat == a.seat and b.start < a.end and a.start < b.end for b in booked
        )


@settings(max_examples=200, deadline=None)
@given(scenario())
def test_every_free_grid_point_is_offered(case):
    """Completeness: a grid start inside a range, after not_before, with a free seat, is returned."""
    opening, busy, duration, step, capacity, not_before, _closures = case
    offered = set(
        free_slots(
            opening=opening, busy=busy, duration=duration, step=step, capacity=capacity, not_before=not_before
        )
    )
    for interval in opening:
        start = interval.start
        while start + duration <= interval.end:
            if start >= not_before and free_seat(busy, start, start + duration, capacity) is not None:
                assert start in offered
            start += step


def test_interval_overlap_is_half_open():
    a = Interval(at(9), at(10))
    assert not a.overlaps(at(10), at(11))
    assert a.overlaps(at(9, 59), at(11))
