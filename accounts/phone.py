"""Indonesian phone numbers, checked against the numbering plan (Google's libphonenumber metadata)."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().]")
_DIALLABLE = re.compile(r"\+?\d+")
INDONESIA = 62


def normalize_phone(value: str) -> str:
    """An Indonesian phone number in E.164: '0812-3456-789', '62812…', '+62 812…' -> '+62812…'.

    Refused: anything but digits and the usual separators, numbers of another country, and numbers
    that the Indonesian numbering plan does not have (`+62 1234 5678`: no area or mobile prefix 1).
    """
    raw = _SEPARATORS.sub("", value or "")
    example = {"example": "0812-3456-7890", "international": "+62 812 3456 7890"}
    invalid = ValidationError(
        _(
            "“%(value)s” is not an Indonesian phone number. Enter a mobile or landline number, "
            "e.g. %(example)s or %(international)s."
        ),
        code="invalid_phone",
        params={"value": value, **example},
    )
    if not _DIALLABLE.fullmatch(raw):
        raise invalid
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        raise invalid from None
    if number.country_code != INDONESIA:
        raise ValidationError(
            _("Only Indonesian numbers (+62) are accepted, e.g. %(example)s."),
            code="foreign_phone",
            params=example,
        )
    if not phonenumbers.is_valid_number(number):
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
