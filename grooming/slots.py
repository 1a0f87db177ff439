"""Free-slot computation, pure: no ORM, datetimes in, datetimes out (fast to property-test).

A salon has `capacity` seats (tables / groomers). A booking occupies one seat for [start, end).
A slot start `s` for a service of length `d` is offered when
  * [s, s + d) lies inside one opening range of one local day (lunch breaks split ranges),
  * the day is not a closure,
  * `s` is on the grid: opening time + k * step,
  * `s >= not_before` (now + minimum lead time), and
  * some seat has no busy interval overlapping [s, s + d).
Indonesian zones have no daylight saving, so local wall-clock arithmetic is exact.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True, order=True)
class Interval:
    start: dt.datetime
    end: dt.datetime

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Busy:
    start: dt.datetime
    end: dt.datetime
    seat: int = 0


def opening_intervals(
    *,
    first_day: dt.date,
    last_day: dt.date,
    weekly: Mapping[int, Sequence[tuple[dt.time, dt.time]]],
    closures: Iterable[dt.date],
    tz: ZoneInfo,
) -> list[Interval]:
    """Aware opening ranges for each local day in [first_day, last_day]. `weekly` maps
    Monday=0..Sunday=6 to (opens, closes) pairs in local time; closes > opens."""
    closed = set(closures)
    intervals = []
    day = first_day
    while day <= last_day:
        if day not in closed:
            for opens, closes in sorted(weekly.get(day.weekday(), ())):
                if closes > opens:
                    start = dt.datetime.combine(day, opens, tzinfo=tz)
                    end = dt.datetime.combine(day, closes, tzinfo=tz)
                    intervals.append(Interval(start, end))
        day += dt.timedelta(days=1)
    return sorted(intervals)


def free_seat(busy: Iterable[Busy], start: dt.datetime, end: dt.datetime, capacity: int) -> int | None:
    """The lowest seat with nothing booked over [start, end), or None when all are taken."""
    taken = {b.seat for b in busy if b.start < end and start < b.end}
    for seat in range(capacity):
        if seat not in taken:
            return seat
    return None


def free_slots(
    *,
    opening: Iterable[Interval],
    busy: Sequence[Busy],
    duration: dt.timedelta,
    step: dt.timedelta,
    capacity: int,
    not_before: dt.datetime,
) -> list[dt.datetime]:
    """Slot starts (aware, in the opening intervals' zone), ascending, no duplicates."""
    if duration <= dt.timedelta(0) or step <= dt.timedelta(0) or capacity < 1:
        return []
    slots = set()
    for interval in opening:
        # Only busy intervals touching this opening range matter: keeps the inner loop short.
        nearby = [b for b in busy if b.start < interval.end and interval.start < b.end]
        start = interval.start
        while start + duration <= interval.end:
            if start >= not_before and free_seat(nearby, start, start + duration, capacity) is not None:
                slots.add(start)
            start += step
    return sorted(slots)


def is_open_at(moment: dt.datetime, opening: Iterable[Interval]) -> bool:
    return any(i.start <= moment < i.end for i in opening)
