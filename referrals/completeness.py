"""The one definition of "this referral is complete enough to submit".

The service refuses to submit (referrals.intake.referral_submit), the pages say what is
missing (the step forms and "check your answers"), and the API answers 400, all from the
rules below, in the same words. A problem is named by the field it is about, spelt as on
the model and in the API body; each door maps that name onto its own input if it differs
(the consent page asks for the lawful basis once per answer, for example).

Questions that only one door asks (the pages' "Has the child been born?", the API's refusal
of a date of birth for an unborn child) and the checks of a value's form (an NHS number's
check digit, a date of birth within 25 years) live with that door and referrals.validators.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from referrals.models import Consent

MESSAGES = {
    "first_name": "Enter the child's first name",
    "last_name": "Enter the child's last name",
    "date_of_birth": "Enter the child's date of birth",
    "expected_date_of_birth": "Enter the expected date of birth",
    "categories": "Select at least one category of concern",
    "concern": "Describe the concern",
    "consent": "Say whether the family consented to this referral",
    "lawful_basis": "Give the lawful basis for sharing without consent",
    "reason_without_consent": "Give the reason for sharing without consent",
}

# The step of a new referral on which each field is asked.
STEPS = {
    "first_name": "child",
    "last_name": "child",
    "date_of_birth": "child",
    "expected_date_of_birth": "child",
    "categories": "concern",
    "concern": "concern",
    "consent": "consent",
    "lawful_basis": "consent",
    "reason_without_consent": "consent",
}


@dataclass(frozen=True)
class Problem:
    """Something a referral still needs before it can be submitted."""

    field: str
    message: str

    @property
    def step(self) -> str:
        return STEPS[self.field]


def _problem(field: str) -> Problem:
    return Problem(field=field, message=MESSAGES[field])


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def child_problems(
    *,
    first_name: str,
    last_name: str,
    is_unborn: bool,
    date_of_birth: date | None,
    expected_date_of_birth: date | None,
) -> list[Problem]:
    """A child is named (first and last name) and dated: born with a date of birth, or
    unborn with an expected date of birth."""
    problems = []
    if _blank(first_name):
        problems.append(_problem("first_name"))
    if _blank(last_name):
        problems.append(_problem("last_name"))
    if is_unborn and expected_date_of_birth is None:
        problems.append(_problem("expected_date_of_birth"))
    if not is_unborn and date_of_birth is None:
        problems.append(_problem("date_of_birth"))
    return problems


def concern_problems(*, categories: Iterable[str], concern: str) -> list[Problem]:
    """A concern has at least one category and a description."""
    problems = []
    if not list(categories or []):
        problems.append(_problem("categories"))
    if _blank(concern):
        problems.append(_problem("concern"))
    return problems


def consent_problems(
    *, consent: str, lawful_basis: str, reason_without_consent: str
) -> list[Problem]:
    """Consent is answered; sharing without it gives both the lawful basis and the reason."""
    if not consent:
        return [_problem("consent")]
    problems = []
    if consent != Consent.GIVEN:
        if _blank(lawful_basis):
            problems.append(_problem("lawful_basis"))
        if _blank(reason_without_consent):
            problems.append(_problem("reason_without_consent"))
    return problems


def missing_for_submission(referral) -> list[Problem]:
    """What a referral (or a draft's values: intake.ChildDetails and ReferralDetails behind
    ``.child`` and the details' own attributes) still needs before it can be submitted,
    in the order of the steps."""
    child = referral.child
    return [
        *child_problems(
            first_name=child.first_name,
            last_name=child.last_name,
            is_unborn=child.is_unborn,
            date_of_birth=child.date_of_birth,
            expected_date_of_birth=child.expected_date_of_birth,
        ),
        *concern_problems(categories=referral.categories, concern=referral.concern),
        *consent_problems(
            consent=referral.consent,
            lawful_basis=referral.lawful_basis,
            reason_without_consent=referral.reason_without_consent,
        ),
    ]
