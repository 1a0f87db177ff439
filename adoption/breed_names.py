"""The seeded breed names whose Indonesian name differs, for the translation catalogue (`make messages`
picks them up from here). Breed.label looks them up with gettext; the rest are the same in both."""

from django.utils.translation import gettext_noop

BREED_NAMES = [
    gettext_noop("Mixed (kampung)"),
    gettext_noop("Domestic (kampung)"),
    gettext_noop("Persian"),
    gettext_noop("Siamese"),
    gettext_noop("Local"),
    gettext_noop("Parakeet"),
    gettext_noop("Cockatiel"),
    gettext_noop("Canary"),
]
