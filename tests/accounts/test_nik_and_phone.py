import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.nik import parse_nik
from accounts.phone import normalize_phone

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def test_valid_nik_gives_region_birth_date_and_sex():
    facts = parse_nik("3273014506900001", today=TODAY)  # Kota Bandung, woman born 5 June 1990
    assert facts.regency_code == "32.73"
    assert facts.birth_date == datetime.date(1990, 6, 5)
    assert facts.sex == "F"
    assert parse_nik("3273010506900001", today=TODAY).sex == "M"


@pytest.mark.parametrize(
    "nik, code",
    [
        ("327301450690000", "nik_length"),  # 15 digits
        ("32730145069000012", "nik_length"),  # 17 digits
        ("32730145069000AB", "nik_length"),
        ("9973014506900001", "nik_region"),  # no province 99
        ("3299014506900001", "nik_region"),  # no regency 32.99
        ("3273004506900001", "nik_region"),  # district 00
        ("3273013206900001", "nik_birth_date"),  # day 32
        ("3273017506900001", "nik_birth_date"),  # day 75-40=35
        ("3273011513900001", "nik_birth_date"),  # month 13
        ("3273013002900001", "nik_birth_date"),  # 30 February
        ("3273014506900000", "nik_serial"),
    ],
)
def test_malformed_nik_is_refused_with_a_reason(nik, code):
    with pytest.raises(ValidationError) as error:
        parse_nik(nik, today=TODAY)
    assert error.value.code == code


def test_nik_from_before_the_2022_papua_split_keeps_its_old_regency_code():
    # Merauke was 91.01 before it moved to Papua Selatan (93.01); old KTPs still say 9101.
    assert parse_nik("9101011203850001", today=TODAY).regency_code == "91.01"


def test_future_birth_date_in_nik_is_refused():
    with pytest.raises(ValidationError):
        parse_nik("3273011212260001", today=TODAY)  # 12 Dec 2026, after "today"


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "+6281234567890",
        "6281234567890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "(0812) 3456 7890",
    ],
)
def test_phone_numbers_are_normalised_to_plus_62(raw):
    assert normalize_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(
    "raw", ["12", "abc", "+62 812", "0000000000", "08123", "+62 1234 5678", "0812-ABCD-1234"]
)
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError) as error:
        normalize_phone(raw)
    assert error.value.code == "invalid_phone"
    assert "bukan nomor telepon Indonesia" in error.value.messages[0]  # the UI's default language


def test_a_number_that_the_indonesian_plan_does_not_have_is_refused_by_name():
    """+62 then 1: no Indonesian area code or mobile prefix starts with 1 (the old check let it pass)."""
    with pytest.raises(ValidationError) as error:
        normalize_phone("+62 1234 5678")
    assert error.value.messages == [
        "“+62 1234 5678” bukan nomor telepon Indonesia. Masukkan nomor ponsel atau telepon rumah, "
        "mis. 0812-3456-7890 atau +62 812 3456 7890."
    ]
    with translation.override("en"):
        assert error.value.messages == [
            "“+62 1234 5678” is not an Indonesian phone number. Enter a mobile or landline number, "
            "e.g. 0812-3456-7890 or +62 812 3456 7890."
        ]


def test_a_foreign_number_is_refused_with_its_own_message():
    with pytest.raises(ValidationError) as error:
        normalize_phone("+1 202 555 0100 999 99")
    assert error.value.code == "foreign_phone"


def test_landlines_keep_their_area_code():
    assert normalize_phone("(021) 555-1234") == "+62215551234"
    assert normalize_phone("+62 21 5551234") == "+62215551234"


def test_the_profile_form_says_why_a_number_is_refused(client_for, owner):
    response = client_for(owner).post(
        "/accounts/profile/", {"full_name": "Budi", "phone": "+62 1234 5678", "city": "", "language": "en"}
    )
    assert response.status_code == 200
    assert "bukan nomor telepon Indonesia" in response.context["form"].errors["phone"][0]


def test_reference_data_has_all_provinces_and_regencies():
    from accounts.models import Province, Regency

    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Regency.objects.filter(kind="city").count() == 98
    assert Regency.objects.get(code="93.01").name == "Kabupaten Merauke"
    assert Regency.objects.get(code="51.71").province.timezone == "Asia/Makassar"
    assert Regency.objects.get(code="91.71").province.timezone == "Asia/Jayapura"
