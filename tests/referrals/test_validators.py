"""Validators for NHS numbers, UPNs, postcodes and dates of birth."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from referrals.validators import (
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    validate_date_of_birth,
    validate_nhs_number,
    validate_uk_postcode,
    validate_upn,
)


def raised(validator, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        validator(*args, **kwargs)
    return error.value


# --- NHS number --------------------------------------------------------------------------


def nhs_weighted_sum(first_nine: str) -> int:
    return sum(int(digit) * (10 - index) for index, digit in enumerate(first_nine))


def nhs_check_digit(first_nine: str) -> int:
    """Worked independently of the code under test: weights 10..2, 11 - (sum mod 11)."""
    return (11 - nhs_weighted_sum(first_nine) % 11) % 11  # 11 is 0; 10 stays 10: never issued


def first_test_range_prefix(wanted) -> str:
    """The first nine digits in the 999 test range for which wanted(prefix) holds."""
    return next(p for p in (f"999{serial:06d}" for serial in range(1_000_000)) if wanted(p))


def test_nhs_numbers_are_10_digits_ending_in_their_modulus_11_check_digit():
    prefixes = [f"999{serial:06d}" for serial in range(0, 200)]
    valid = [f"{p}{nhs_check_digit(p)}" for p in prefixes if nhs_check_digit(p) != 10]

    assert len(valid) > 150
    for number in valid:
        validate_nhs_number(number)


def test_nhs_check_digit_of_11_is_written_as_0():
    prefix = first_test_range_prefix(lambda p: nhs_weighted_sum(p) % 11 == 0)

    validate_nhs_number(f"{prefix}0")


def test_the_published_example_nhs_number_943_476_5919_is_valid():
    validate_nhs_number("943 476 5919")


def test_nhs_numbers_may_be_written_with_spaces_or_hyphens():
    validate_nhs_number("943 476 5919")
    validate_nhs_number("943-476-5919")
    assert normalise_nhs_number(" 943 476-5919 ") == "9434765919"


def test_nhs_number_with_the_wrong_check_digit_is_refused():
    error = raised(validate_nhs_number, "9434765918")

    assert error.code == "nhs_number_check_digit"
    assert error.messages == ["Enter a valid NHS number: 10 digits that pass the NHS check digit"]


def test_nhs_number_whose_check_digit_would_be_10_is_refused_whatever_its_last_digit():
    prefix = first_test_range_prefix(lambda p: nhs_check_digit(p) == 10)

    for last_digit in "0123456789":
        assert raised(validate_nhs_number, f"{prefix}{last_digit}").code == "nhs_number_check_digit"


@pytest.mark.parametrize("value", ["943476591", "94347659190", "", "94347659I9", "ABCDEFGHIJ"])
def test_nhs_number_that_is_not_10_digits_is_refused(value):
    error = raised(validate_nhs_number, value)

    assert error.code == "nhs_number_format"
    assert error.messages == ["NHS number must be 10 digits"]


def test_nhs_number_in_non_ascii_digits_is_refused():
    assert raised(validate_nhs_number, "٩٤٣٤٧٦٥٩١٩").code == "nhs_number_format"


# --- Unique Pupil Number -----------------------------------------------------------------

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_with_check_letter(last_twelve: str) -> str:
    """Worked independently: characters 2..13 times weights 2..13, mod 23, as a letter."""
    total = sum(
        (int(c) if c.isdigit() else UPN_LETTERS.index(c)) * weight
        for weight, c in enumerate(last_twelve, start=2)
    )
    return UPN_LETTERS[total % 23] + last_twelve


def test_upn_with_the_check_letter_for_its_12_digits_is_valid():
    # LA 801, establishment 2000, year 26, serial 123.
    validate_upn(upn_with_check_letter("801200026123"))


def test_published_upn_example_b801200005001_is_valid():
    validate_upn("B801200005001")  # python-stdnum's documented example


def test_upn_may_be_written_in_lower_case_or_with_spaces():
    validate_upn("b801 2000 05001")
    assert normalise_upn(" b801 2000 05001 ") == "B801200005001"


def test_upn_with_the_wrong_check_letter_is_refused():
    error = raised(validate_upn, "A801200005001")

    assert error.code == "upn_check_letter"
    assert "check letter" in error.messages[0]


def test_upn_from_the_school_census_error_1510_example_has_a_wrong_check_letter():
    # The census help pages use B207000016049 as their wrong UPN; its digits sum to 266,
    # 266 mod 23 = 13, and 13 is P in the check letter table.
    assert raised(validate_upn, "B207000016049").code == "upn_check_letter"
    validate_upn("P207000016049")


def test_temporary_upn_ending_in_a_letter_counts_that_letter_as_its_alphabet_index():
    temporary = upn_with_check_letter("80120002612A")

    validate_upn(temporary)
    validate_upn(upn_with_check_letter("80120002612Z"))


@pytest.mark.parametrize("last_letter", ["I", "O", "S"])
def test_temporary_upn_cannot_end_in_i_o_or_s(last_letter):
    upn = upn_with_check_letter("80120002612A")[:-1] + last_letter

    assert raised(validate_upn, upn).code == "upn_format"


@pytest.mark.parametrize("value", ["B80120000500", "B8012000050011", ""])
def test_upn_that_is_not_13_characters_is_refused(value):
    error = raised(validate_upn, value)

    assert error.code == "upn_length"
    assert error.messages == ["UPN must be 13 characters"]


@pytest.mark.parametrize(
    "value",
    [
        "1801200005001",  # starts with a digit
        "I801200005001",  # I is never a check letter
        "B80120A005001",  # letter in the middle
        "BB01200005001",
    ],
)
def test_upn_in_the_wrong_format_is_refused(value):
    assert raised(validate_upn, value).code == "upn_format"


# --- Postcode ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["sw1a 1aa", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX", "GIR 0AA"],
)
def test_uk_postcodes_of_every_shape_are_valid(value):
    validate_uk_postcode(value)


@pytest.mark.parametrize("value", ["SW1A1AA", "  sw1a   1aa ", "gir0aa"])
def test_postcodes_are_valid_without_or_with_extra_spaces(value):
    validate_uk_postcode(value)


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("  ec1a   1bb ", "EC1A 1BB"),
        ("m11ae", "M1 1AE"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_postcodes_are_normalised_to_upper_case_with_one_space_before_the_inward_code(
    value, normalised
):
    assert normalise_postcode(value) == normalised


@pytest.mark.parametrize(
    "value",
    [
        "12345",
        "SW1A1AAA",
        "SW1A 1AAA",
        "",
        "SW1A",
        "SW1A 1A",
        "1SW 1AA",  # outward code must start with a letter
        "AI1 1AA",  # I is never the second letter
        "SW1A 1A1",  # inward code ends in two letters
        "SW1A-1AA",
    ],
)
def test_strings_that_are_not_uk_postcodes_are_refused(value):
    error = raised(validate_uk_postcode, value)

    assert error.code == "postcode_format"
    assert error.messages == ["Enter a full UK postcode, like SW1A 1AA"]


# --- Date of birth -----------------------------------------------------------------------

TODAY = date(2026, 4, 2)


def test_date_of_birth_today_or_in_the_past_is_valid():
    validate_date_of_birth(TODAY, today=TODAY)
    validate_date_of_birth(date(2015, 6, 30), today=TODAY)


def test_date_of_birth_in_the_future_is_refused():
    error = raised(validate_date_of_birth, TODAY + timedelta(days=1), today=TODAY)

    assert error.code == "date_of_birth_in_future"
    assert error.messages == ["Date of birth must be today or in the past"]


def test_date_of_birth_exactly_25_years_ago_is_valid():
    validate_date_of_birth(date(2001, 4, 2), today=TODAY)


def test_date_of_birth_more_than_25_years_ago_is_refused():
    error = raised(validate_date_of_birth, date(2001, 4, 1), today=TODAY)

    assert error.code == "date_of_birth_too_old"
    assert error.messages == ["Date of birth must be within the last 25 years"]


def test_25_years_before_a_leap_day_is_the_28th_of_february():
    validate_date_of_birth(date(2003, 2, 28), today=date(2028, 2, 29))
    assert raised(validate_date_of_birth, date(2003, 2, 27), today=date(2028, 2, 29))


def test_expected_date_of_birth_in_the_future_is_valid_for_an_unborn_child():
    validate_date_of_birth(TODAY + timedelta(days=1), unborn=True, today=TODAY)


@pytest.mark.parametrize("value", [TODAY, TODAY - timedelta(days=1)])
def test_expected_date_of_birth_today_or_in_the_past_is_refused(value):
    error = raised(validate_date_of_birth, value, unborn=True, today=TODAY)

    assert error.code == "expected_date_of_birth_not_in_future"
    assert error.messages == ["Expected date of birth must be in the future"]


def test_expected_date_of_birth_exactly_10_months_ahead_is_valid():
    validate_date_of_birth(date(2027, 2, 2), unborn=True, today=TODAY)


def test_expected_date_of_birth_more_than_10_months_ahead_is_refused():
    error = raised(validate_date_of_birth, date(2027, 2, 3), unborn=True, today=TODAY)

    assert error.code == "expected_date_of_birth_too_late"
    assert error.messages == ["Expected date of birth must be within the next 10 months"]


def test_10_months_from_the_end_of_a_long_month_is_the_end_of_a_short_one():
    validate_date_of_birth(date(2027, 2, 28), unborn=True, today=date(2026, 4, 30))
    assert raised(validate_date_of_birth, date(2027, 3, 1), unborn=True, today=date(2026, 4, 30))


def test_date_of_birth_defaults_to_judging_against_today_in_the_current_time_zone():
    tomorrow = timezone.localdate() + timedelta(days=1)

    assert raised(validate_date_of_birth, tomorrow).code == "date_of_birth_in_future"
    validate_date_of_birth(tomorrow, unborn=True)
