"""Structure checks for the NIK (Nomor Induk Kependudukan) printed on a KTP.

PPRRDD DDMMYY SSSS: province, regency, district of registration; birth date with 40 added to the
day for women; a serial. Only the structure can be checked here; staff compare it with the scan.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Province, Regency

# Regencies of Papua (91) and Papua Barat (92) moved to the provinces created in 2022 (93-96) and got
# new codes; NIKs issued before keep the old codes, so any regency number is accepted for them.
PROVINCES_WITH_MOVED_REGENCIES = {"91", "92"}


@dataclass(frozen=True)
class NikFacts:
    regency_code: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def parse_nik(nik: str, *, today: datetime.date | None = None) -> NikFacts:
    nik = (nik or "").strip().replace(" ", "")
    if len(nik) != 16 or not nik.isdigit():
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_length")
    province, regency, district = nik[0:2], nik[2:4], nik[4:6]
    regency_code = f"{province}.{regency}"
    if not Province.objects.filter(code=province).exists():
        raise ValidationError(
            _("The first two digits of the NIK are not a province code."), code="nik_region"
        )
    if (
        regency == "00"
        or district == "00"
        or (
            province not in PROVINCES_WITH_MOVED_REGENCIES
            and not Regency.objects.filter(code=regency_code).exists()
        )
    ):
        raise ValidationError(
            _("Digits 3–6 of the NIK are not a regency/city and district code."), code="nik_region"
        )
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "M"
    if day > 40:
        day -= 40
        sex = "F"
    today = today or datetime.date.today()
    year = 2000 + year2 if 2000 + year2 <= today.year else 1900 + year2
    try:
        birth = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(_("Digits 7–12 of the NIK are not a valid birth date."), code="nik_birth_date")
    if birth > today:
        raise ValidationError(_("Digits 7–12 of the NIK are not a valid birth date."), code="nik_birth_date")
    if nik[12:16] == "0000":
        raise ValidationError(_("The last four digits of the NIK cannot be 0000."), code="nik_serial")
    return NikFacts(regency_code=regency_code, birth_date=birth, sex=sex)
