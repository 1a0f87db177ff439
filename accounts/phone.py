import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_phone(value: str) -> str:
    """Indonesian phone numbers in E.164: '0812-3456-789', '62812…', '+62 812…' -> '+62812…'."""
    raw = _SEPARATORS.sub("", value or "")
    if raw.startswith("+62"):
        digits = raw[3:]
    elif raw.startswith("62"):
        digits = raw[2:]
    elif raw.startswith("0"):
        digits = raw[1:]
    else:
        digits = raw
    if not digits.isdigit() or not 8 <= len(digits) <= 13 or digits[0] == "0":
        raise ValidationError(
            _("Enter an Indonesian phone number, e.g. 0812-3456-7890 or +62 812 3456 7890."),
            code="invalid_phone",
        )
    return "+62" + digits
