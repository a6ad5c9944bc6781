"""Validators for the identifiers and dates on a referral about a child.

Each ``validate_*`` function is a Django validator: it returns nothing and raises
``ValidationError`` with a GOV.UK-style message and a ``code``. Validators accept what the
matching ``normalise_*`` helper would tidy up (spaces, case), so forms should store the
normalised value.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

# --- NHS number --------------------------------------------------------------------------

NHS_NUMBER_LENGTH = 10
NHS_NUMBER_FORMAT_MESSAGE = "NHS number must be 10 digits"
NHS_NUMBER_CHECK_DIGIT_MESSAGE = "Enter a valid NHS number: 10 digits that pass the NHS check digit"

_NHS_NUMBER_SEPARATORS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    """An NHS number is normalised by removing the spaces and hyphens people type in it."""
    return _NHS_NUMBER_SEPARATORS.sub("", str(value))


def nhs_number_check_digit(first_nine_digits: str) -> int | None:
    """The NHS check digit is 11 - (sum of digits x weights 10..2) mod 11; 11 is 0, 10 is none.

    Returns None when the result is 10: no NHS number is issued with those nine digits.
    """
    total = sum(
        int(digit) * weight
        for digit, weight in zip(first_nine_digits, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    """An NHS number is valid when it is 10 digits and the last is its check digit."""
    number = normalise_nhs_number(value)
    if len(number) != NHS_NUMBER_LENGTH or not number.isascii() or not number.isdigit():
        return False
    return nhs_number_check_digit(number[:9]) == int(number[9])


def validate_nhs_number(value: str) -> None:
    """An NHS number must be 10 digits (spaces and hyphens allowed) passing the modulus 11 check."""
    number = normalise_nhs_number(value)
    if len(number) != NHS_NUMBER_LENGTH or not number.isascii() or not number.isdigit():
        raise ValidationError(NHS_NUMBER_FORMAT_MESSAGE, code="nhs_number_format")
    if not is_valid_nhs_number(number):
        raise ValidationError(NHS_NUMBER_CHECK_DIGIT_MESSAGE, code="nhs_number_check_digit")


# --- Unique Pupil Number -----------------------------------------------------------------

UPN_LENGTH = 13
# 23 letters: I, O and S are never used, being too easily read as 1, 0 and 5.
UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_FORMAT = re.compile(rf"[{UPN_ALPHABET}][0-9]{{11}}[0-9{UPN_ALPHABET}]")

UPN_LENGTH_MESSAGE = "UPN must be 13 characters"
UPN_FORMAT_MESSAGE = (
    "Enter a UPN in the correct format: a letter, then 12 digits "
    "(a temporary UPN ends in a letter instead of its last digit)"
)
UPN_CHECK_LETTER_MESSAGE = (
    "Enter a valid UPN: the first letter does not match the check letter for the rest of it"
)


def normalise_upn(value: str) -> str:
    """A UPN is normalised to upper case without spaces."""
    return "".join(str(value).split()).upper()


def upn_check_letter(last_twelve: str) -> str:
    """The UPN check letter is sum(character x position, positions 2..13) mod 23, as a letter.

    Source: DfE "Unique pupil numbers (UPNs)" guidance and the Government Data Standards
    Catalogue entry "Unique Pupil Number" (v2.0): multiply the characters in positions 2 to 13
    by their position (2 to 13), add the products, take the remainder on dividing by 23 and
    look it up in UPN_ALPHABET (0 = A ... 22 = Z, skipping I, O and S). For a temporary UPN,
    whose 13th character is a letter, that letter counts as its index in UPN_ALPHABET
    (A = 0, B = 1, ...).
    """
    total = 0
    for position, character in enumerate(last_twelve, start=2):
        value = int(character) if character.isdigit() else UPN_ALPHABET.index(character)
        total += value * position
    return UPN_ALPHABET[total % 23]


def validate_upn(value: str) -> None:
    """A UPN must be a check letter and 12 digits (or 11 and a letter if temporary) that match.

    Permanent UPN: check letter, LA number (3 digits), DfE establishment number (4), last two
    digits of the year of issue (2), serial (3). Temporary UPN: the same, with the serial's
    last digit replaced by a letter from UPN_ALPHABET. The LA number is not checked against
    the list of LA codes, which changes; only the format and the check letter are.
    """
    upn = normalise_upn(value)
    if len(upn) != UPN_LENGTH:
        raise ValidationError(UPN_LENGTH_MESSAGE, code="upn_length")
    if not _UPN_FORMAT.fullmatch(upn):
        raise ValidationError(UPN_FORMAT_MESSAGE, code="upn_format")
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError(UPN_CHECK_LETTER_MESSAGE, code="upn_check_letter")


# --- Postcode ----------------------------------------------------------------------------

# The Government Data Standards Catalogue postcode pattern (Cabinet Office, Bulk Data Transfer
# additional validation), upper case only and with exactly one space, as it runs on normalised
# postcodes. It checks the shape of a postcode, not that the postcode exists.
_UK_POSTCODE = re.compile(
    r"GIR 0AA"
    r"|(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z]?)"
    r" [0-9][A-Z]{2}"
)
POSTCODE_MESSAGE = "Enter a full UK postcode, like SW1A 1AA"
_INWARD_CODE_LENGTH = 3


def normalise_postcode(value: str) -> str:
    """A postcode is normalised to upper case with one space before its last 3 characters."""
    compact = "".join(str(value).split()).upper()
    if len(compact) <= _INWARD_CODE_LENGTH:
        return compact
    return f"{compact[:-_INWARD_CODE_LENGTH]} {compact[-_INWARD_CODE_LENGTH:]}"


def validate_uk_postcode(value: str) -> None:
    """A UK postcode must match the government postcode pattern once normalised."""
    if not _UK_POSTCODE.fullmatch(normalise_postcode(value)):
        raise ValidationError(POSTCODE_MESSAGE, code="postcode_format")


# --- Date of birth -----------------------------------------------------------------------

# Children, and care leavers who are supported up to their 25th birthday.
OLDEST_AGE_YEARS = 25
# A pregnancy lasts about 9 months; 10 leaves room for an early referral or a late birth.
LATEST_EXPECTED_BIRTH_MONTHS = 10

DATE_OF_BIRTH_IN_FUTURE_MESSAGE = "Date of birth must be today or in the past"
DATE_OF_BIRTH_TOO_OLD_MESSAGE = "Date of birth must be within the last 25 years"
EXPECTED_DATE_NOT_IN_FUTURE_MESSAGE = "Expected date of birth must be in the future"
EXPECTED_DATE_TOO_LATE_MESSAGE = "Expected date of birth must be within the next 10 months"


def _add_months(day: date, months: int) -> date:
    """Adding months keeps the day of the month, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day_of_month = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day_of_month))


def earliest_date_of_birth(*, today: date) -> date:
    """The earliest date of birth accepted is 25 years before today (a 25th birthday today)."""
    return _add_months(today, -12 * OLDEST_AGE_YEARS)


def latest_expected_date_of_birth(*, today: date) -> date:
    """The latest expected date of birth accepted is 10 calendar months after today."""
    return _add_months(today, LATEST_EXPECTED_BIRTH_MONTHS)


def validate_date_of_birth(value: date, *, unborn: bool = False, today: date | None = None) -> None:
    """A date of birth is today or past and within 25 years; an unborn's is within 10 months ahead.

    ``today`` defaults to today in the current time zone. For an unborn child the expected
    date must be after today and on or before latest_expected_date_of_birth; otherwise the
    date must be no later than today and on or after earliest_date_of_birth.
    """
    today = timezone.localdate() if today is None else today
    if unborn:
        if value <= today:
            raise ValidationError(
                EXPECTED_DATE_NOT_IN_FUTURE_MESSAGE, code="expected_date_of_birth_not_in_future"
            )
        if value > latest_expected_date_of_birth(today=today):
            raise ValidationError(
                EXPECTED_DATE_TOO_LATE_MESSAGE, code="expected_date_of_birth_too_late"
            )
        return
    if value > today:
        raise ValidationError(DATE_OF_BIRTH_IN_FUTURE_MESSAGE, code="date_of_birth_in_future")
    if value < earliest_date_of_birth(today=today):
        raise ValidationError(DATE_OF_BIRTH_TOO_OLD_MESSAGE, code="date_of_birth_too_old")
