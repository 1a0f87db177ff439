"""Which earning partners a user may see, without this app importing the apps that own them.

Users earn as themselves (a vet's consultations, a lister's adoption fees): this app knows that. A
salon is grooming's: grooming registers a source in its AppConfig.ready():

    from earnings.registry import register_partner_source
    register_partner_source(lambda user: [(salon, salon.name) for salon in salons_managed_by(user)])

A source returns [(subject, display name)] for the user, [] when there is nothing.
"""

from collections.abc import Callable

_sources: list[Callable] = []


def register_partner_source(source: Callable) -> None:
    if source not in _sources:
        _sources.append(source)


def subjects_for(user) -> list[tuple[object, str]]:
    found = []
    for source in _sources:
        found += list(source(user))
    return found
