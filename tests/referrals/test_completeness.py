"""One definition of "a referral is complete" (referrals.completeness): the service, the pages
(each step's Continue and "check your answers") and the API refuse the same incomplete
referral in the same words, and all accept a complete one."""

from dataclasses import asdict
from types import SimpleNamespace

import pytest

from referrals import completeness, intake
from referrals.forms import ChildForm, ConcernForm, ConsentForm
from referrals.models import ReferralState
from referrals.services import ReferralError
from tests.referrals.conftest import child_details, referral_details
from tests.referrals.test_api_referrals import LIST, api_as, referral_body
from tests.referrals.test_pages_intake import CONCERN, CONSENT, child_step

pytestmark = pytest.mark.django_db

NO_DATE = {"date_of_birth_0": "", "date_of_birth_1": "", "date_of_birth_2": ""}
STEP_FORMS = {"child": ChildForm, "concern": ConcernForm, "consent": ConsentForm}
STEP_DATA = {"child": child_step, "concern": lambda **o: {**CONCERN, **o}}
STEP_DATA["consent"] = lambda **o: {**CONSENT, **o}

# (field, message, the child's values, the details' values, the step page's input, its name)
CASES = [
    pytest.param(
        "first_name",
        "Enter the child's first name",
        {"first_name": ""},
        {},
        {"first_name": ""},
        "first_name",
        id="first name",
    ),
    pytest.param(
        "last_name",
        "Enter the child's last name",
        {"last_name": "  "},
        {},
        {"last_name": "  "},
        "last_name",
        id="last name",
    ),
    pytest.param(
        "date_of_birth",
        "Enter the child's date of birth",
        {"date_of_birth": None},
        {},
        NO_DATE,
        "date_of_birth",
        id="date of birth of a born child",
    ),
    pytest.param(
        "expected_date_of_birth",
        "Enter the expected date of birth",
        {"is_unborn": True, "date_of_birth": None},
        {},
        {"born": "no", **NO_DATE},
        "expected_date_of_birth",
        id="expected date of birth of an unborn child",
    ),
    pytest.param(
        "categories",
        "Select at least one category of concern",
        {},
        {"categories": []},
        {"categories": []},
        "categories",
        id="categories",
    ),
    pytest.param(
        "concern",
        "Describe the concern",
        {},
        {"concern": "   "},
        {"concern": "   "},
        "concern",
        id="concern",
    ),
    pytest.param(
        "consent",
        "Say whether the family consented to this referral",
        {},
        {"consent": "", "lawful_basis": "", "reason_without_consent": ""},
        {"consent": ""},
        "consent",
        id="consent",
    ),
    pytest.param(
        "lawful_basis",
        "Give the lawful basis for sharing without consent",
        {},
        {"consent": "refused", "lawful_basis": ""},
        {"consent": "refused", "lawful_basis_refused": "", "reason_refused": "Risk of harm."},
        "lawful_basis_refused",
        id="lawful basis without consent",
    ),
    pytest.param(
        "reason_without_consent",
        "Give the reason for sharing without consent",
        {},
        {"consent": "not_sought", "reason_without_consent": ""},
        {"reason_not_sought": ""},
        "reason_not_sought",
        id="reason for sharing without consent",
    ),
]
FIELDS = ("field", "message", "child", "details", "page_input", "page_field")


def step_form(step: str, data: dict, borough):
    kwargs = {"agencies": [borough["police"]]} if step == "child" else {}
    return STEP_FORMS[step](data, **kwargs)


@pytest.mark.parametrize(FIELDS, CASES)
def test_the_rule_has_one_wording(field, message, child, details, page_input, page_field):
    draft_values = SimpleNamespace(
        child=child_details(**child), **asdict(referral_details(**details))
    )

    problems = completeness.missing_for_submission(draft_values)

    assert problems == [completeness.Problem(field=field, message=message)]
    assert completeness.MESSAGES[field] == message


@pytest.mark.parametrize(FIELDS, CASES)
def test_the_service_refuses_to_submit_the_incomplete_referral(
    make_draft, borough, field, message, child, details, page_input, page_field
):
    draft = make_draft(child=child_details(**child), details=referral_details(**details))

    with pytest.raises(ReferralError) as refused:
        intake.referral_submit(actor=borough["referrer"], referral=draft)

    assert str(refused.value) == message
    draft.refresh_from_db()
    assert draft.state == ReferralState.DRAFT


@pytest.mark.parametrize(FIELDS, CASES)
def test_check_your_answers_refuses_the_incomplete_referral(
    client, make_draft, borough, field, message, child, details, page_input, page_field
):
    draft = make_draft(child=child_details(**child), details=referral_details(**details))
    client.force_login(borough["referrer"])

    response = client.post(f"/referrals/{draft.pk}/draft/check/")

    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert f"/draft/{completeness.STEPS[field]}/?return=check#" in html
    assert f"{message}</a>" in html
    draft.refresh_from_db()
    assert draft.state == ReferralState.DRAFT


@pytest.mark.parametrize(FIELDS, CASES)
def test_the_step_page_refuses_to_continue_without_it(
    borough, field, message, child, details, page_input, page_field
):
    step = completeness.STEPS[field]

    form = step_form(step, STEP_DATA[step](**page_input), borough)

    assert not form.is_valid()
    assert form.errors == {page_field: [message]}


@pytest.mark.parametrize(FIELDS, CASES)
def test_the_api_refuses_the_incomplete_referral_on_the_field(
    borough, field, message, child, details, page_input, page_field
):
    part = "child" if completeness.STEPS[field] == "child" else "details"

    response = api_as(borough["referrer"]).post(
        LIST, referral_body(child=child, details=details), format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {f"{part}.{field}": [message]}


def test_a_complete_referral_passes_every_door(client, make_draft, borough):
    for step in STEP_FORMS:
        form = step_form(step, STEP_DATA[step](), borough)
        assert form.is_valid(), form.errors
    client.force_login(borough["referrer"])
    through_the_page = make_draft()
    through_the_service = make_draft()

    checked = client.post(f"/referrals/{through_the_page.pk}/draft/check/")
    submitted = intake.referral_submit(actor=borough["referrer"], referral=through_the_service)
    through_the_api = api_as(borough["referrer"]).post(LIST, referral_body(), format="json")

    assert completeness.missing_for_submission(through_the_page) == []
    assert checked["Location"] == f"/referrals/{through_the_page.pk}/submitted/"
    assert submitted.state == ReferralState.SUBMITTED
    assert through_the_api.status_code == 201, through_the_api.json()


def test_sharing_without_consent_needs_both_the_lawful_basis_and_the_reason(make_draft, borough):
    draft = make_draft(
        details=referral_details(consent="refused", lawful_basis="", reason_without_consent="")
    )

    with pytest.raises(ReferralError) as refused:
        intake.referral_submit(actor=borough["referrer"], referral=draft)

    assert str(refused.value) == (
        "Give the lawful basis for sharing without consent; "
        "Give the reason for sharing without consent"
    )
