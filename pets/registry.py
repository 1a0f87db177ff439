"""How the feature apps add to a pet's record without `pets` importing them.

`pets` sits under consultations, grooming and adoption: they import it, it imports none of them. Each
fills this registry in its `AppConfig.ready()`:

    from pets.registry import register_care_access, register_timeline

    register_timeline("consultations", consultation_entries)   # (pet) -> list[TimelineEntry]
    register_care_access("consultations", vet_access_reason)   # (user, pet) -> str | None

A timeline provider returns the entries of one pet in a fixed number of queries. A care-access checker
says why `user` (not the owner) may look at the record now, or None; the first reason wins and is
written to the owner's audit of who looked.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.datetime
    kind: str  # the registering app's key, used for the icon/CSS class
    title: str
    text: str = ""
    url: str = ""
    items: tuple = field(default=())  # extra lines (prescribed items, ...)


_timeline: dict[str, Callable] = {}
_care_access: dict[str, Callable] = {}


def register_timeline(key: str, provider: Callable) -> None:
    _timeline[key] = provider


def register_care_access(key: str, checker: Callable) -> None:
    _care_access[key] = checker


def timeline_for(pet) -> list[TimelineEntry]:
    entries = []
    for provider in _timeline.values():
        entries.extend(provider(pet))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def care_access_reason(user, pet) -> str | None:
    for checker in _care_access.values():
        reason = checker(user, pet)
        if reason:
            return reason
    return None
