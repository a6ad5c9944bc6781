"""The referrals API for partner agencies' own systems: create and submit, list, read,
history and contributions, under the same access rules as the pages (docs/access.md)."""

from dataclasses import asdict
from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import AuditAction, AuditEvent, Role
from referrals import intake
from referrals.api.tokens import api_token_rotate
from referrals.models import (
    Child,
    ChildMatch,
    Contribution,
    ContributionRequest,
    ContributionSensitivity,
    Referral,
    ReferralState,
)
from tests.factories import AgencyFactory, MembershipFactory, person
from tests.referrals.conftest import child_details, referral_details

LIST = "/api/v1/referrals/"
VALID_NHS_NUMBER = "9434765919"
VALID_UPN = "A123456789012"  # check letter A for these twelve digits
VALID_POSTCODE = "SW1A 1AA"


def detail(pk) -> str:
    return f"/api/v1/referrals/{pk}/"


def referral_body(*, child=None, details=None, household=None, **extra) -> dict:
    """A complete, valid request body; overrides replace fields of child or details."""
    child_values = asdict(child_details(nhs_number=VALID_NHS_NUMBER, postcode=VALID_POSTCODE))
    child_values["date_of_birth"] = child_values["date_of_birth"].isoformat()
    body = {
        "child": {**child_values, **(child or {})},
        "details": {**asdict(referral_details()), **(details or {})},
        "household": household
        if household is not None
        else [{"full_name": "Dawn Brackenridge", "relationship": "mother"}],
    }
    return {**body, **extra}


def api_as(user) -> APIClient:
    """A partner system calling with the person's token."""
    client = APIClient()
    # A key is shown only when issued: kept on the person for the rest of the test.
    if not hasattr(user, "api_key_for_tests"):
        user.api_key_for_tests = api_token_rotate(person=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.api_key_for_tests}")
    return client


@pytest.fixture
def submitted_by_api(borough):
    response = api_as(borough["referrer"]).post(LIST, referral_body(), format="json")
    assert response.status_code == 201, response.json()
    return Referral.objects.get(pk=response.json()["id"])


# --- Create, and read back ------------------------------------------------------------------


def test_a_referral_posted_through_the_api_is_submitted_and_read_by_its_agency_lead(borough):
    created = api_as(borough["referrer"]).post(LIST, referral_body(), format="json")

    assert created.status_code == 201
    body = created.json()
    assert body["state"] == ReferralState.SUBMITTED
    assert body["reference"].startswith("REF-")
    assert body["child"]["first_name"] == "Ashlyn"
    assert created["Location"] == detail(body["id"])
    read = api_as(borough["police_lead"]).get(detail(body["id"]))
    assert read.status_code == 200
    assert read.json()["reference"] == body["reference"]
    assert read.json()["child"]["nhs_number"] == VALID_NHS_NUMBER
    assert read.json()["details"]["categories"] == ["missing", "cse"]
    assert read.json()["household"] == [
        {
            "full_name": "Dawn Brackenridge",
            "relationship": "mother",
            "date_of_birth": None,
            "lives_with_child": True,
        }
    ]
    assert read.json()["agency"] == {"id": borough["police"].pk, "name": "Police"}


def test_a_lead_of_another_agency_gets_the_same_404_as_for_a_missing_referral(
    borough, submitted_by_api
):
    school = api_as(borough["school_lead"])

    hidden = school.get(detail(submitted_by_api.pk))
    missing = school.get(detail(submitted_by_api.pk + 1000))

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "No referral found.", "code": "not_found"}


def test_every_refusal_is_recorded_in_the_audit_trail(borough, submitted_by_api):
    api_as(borough["school_lead"]).get(detail(submitted_by_api.pk), REMOTE_ADDR="10.9.8.7")

    refusal = AuditEvent.objects.get(action=AuditAction.REFUSED)
    assert refusal.actor == borough["school_lead"]
    assert refusal.referral == submitted_by_api
    assert refusal.ip_address == "10.9.8.7"
    assert refusal.detail == f"GET {detail(submitted_by_api.pk)}"


def test_submission_through_the_api_starts_the_clocks_and_suggests_the_same_child(
    borough, make_submitted
):
    # Known: named on a submitted referral (a draft's child is never suggested).
    known = make_submitted(
        actor=borough["other_referrer"],
        agency=borough["school"],
        child=child_details(first_name="Ash", nhs_number=VALID_NHS_NUMBER),
    ).child

    response = api_as(borough["referrer"]).post(LIST, referral_body(), format="json")

    referral = Referral.objects.get(pk=response.json()["id"])
    assert referral.hub == borough["hub"]
    assert referral.screening_due_at is not None
    assert ChildMatch.objects.filter(referral=referral, candidate=known).exists()
    assert AuditEvent.objects.filter(referral=referral, action=AuditAction.CREATED).exists()


def test_the_audit_rows_of_an_api_submission_name_the_agency_the_referrer_acts_for(borough):
    # The API draws no page header: the agency is read on its own, once for the request.
    response = api_as(borough["referrer"]).post(LIST, referral_body(), format="json")

    rows = AuditEvent.objects.filter(referral_id=response.json()["id"])
    assert {row.action for row in rows} == {AuditAction.CREATED, AuditAction.CHANGED}
    assert {row.actor_agency for row in rows} == {borough["police"]}
    assert {row.actor for row in rows} == {borough["referrer"]}


def test_identifiers_are_stored_as_normalised(borough):
    body = referral_body(
        child={"nhs_number": "943-476-5919", "upn": "a 1234 5678 9012", "postcode": "sw1a1aa"}
    )

    response = api_as(borough["referrer"]).post(LIST, body, format="json")

    child = Referral.objects.get(pk=response.json()["id"]).child
    assert (child.nhs_number, child.upn, child.postcode) == (
        VALID_NHS_NUMBER,
        VALID_UPN,
        VALID_POSTCODE,
    )


def test_an_unborn_child_is_referred_with_an_expected_date_of_birth(borough):
    due = timezone.localdate() + timedelta(days=60)
    body = referral_body(
        child={"is_unborn": True, "date_of_birth": None, "expected_date_of_birth": str(due)}
    )

    response = api_as(borough["referrer"]).post(LIST, body, format="json")

    assert response.status_code == 201
    assert response.json()["child"]["expected_date_of_birth"] == str(due)


# --- Field errors ------------------------------------------------------------------------------


def test_field_errors_are_named_by_their_path_in_the_body_and_nothing_is_created(borough):
    body = referral_body(
        child={
            "nhs_number": "943 476 5910",
            "upn": "B123456789012",
            "postcode": "NOT A POSTCODE",
            "date_of_birth": str(timezone.localdate() + timedelta(days=1)),
        },
        details={"categories": [], "concern": " ", "consent": "refused", "lawful_basis": ""},
        household=[{"full_name": "Dawn Brackenridge", "relationship": "mother"}, {}],
    )

    response = api_as(borough["referrer"]).post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    errors = response.json()["errors"]
    assert errors["child.nhs_number"] == [
        "Enter a valid NHS number: 10 digits that pass the NHS check digit"
    ]
    assert errors["child.upn"][0].startswith("Enter a valid UPN")
    assert errors["child.postcode"] == ["Enter a full UK postcode, like SW1A 1AA"]
    assert errors["details.categories"] == ["Select at least one category of concern"]
    assert errors["details.concern"] == ["Describe the concern"]
    assert errors["household.1.full_name"] == ["Enter the person's full name"]
    assert errors["household.1.relationship"] == ["Enter how the person is related to the child"]
    assert not Referral.objects.exists()
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    ("child", "details", "field", "message"),
    [
        (
            {"date_of_birth": str(date.today() + timedelta(days=3))},
            {},
            "child.date_of_birth",
            "Date of birth must be today or in the past",
        ),
        (
            {"date_of_birth": "1990-01-01"},
            {},
            "child.date_of_birth",
            "Date of birth must be within the last 25 years",
        ),
        ({"date_of_birth": None}, {}, "child.date_of_birth", "Enter the child's date of birth"),
        (
            {"date_of_birth": "15/06/2012"},
            {},
            "child.date_of_birth",
            "Enter the date of birth as YYYY-MM-DD",
        ),
        (
            {"is_unborn": True, "date_of_birth": None},
            {},
            "child.expected_date_of_birth",
            "Enter the expected date of birth",
        ),
        ({"first_name": ""}, {}, "child.first_name", "Enter the child's first name"),
        ({"nhs_number": "12345"}, {}, "child.nhs_number", "NHS number must be 10 digits"),
        ({}, {"categories": ["cse", "gossip"]}, "details.categories.1", None),
        ({}, {"consent": ""}, "details.consent", None),
        (
            {},
            {"consent": "refused", "lawful_basis": ""},
            "details.lawful_basis",
            "Give the lawful basis for sharing without consent",
        ),
        (
            {},
            {"consent": "not_sought", "reason_without_consent": ""},
            "details.reason_without_consent",
            "Give the reason for sharing without consent",
        ),
    ],
)
def test_each_rule_of_a_complete_referral_is_an_error_on_its_field(
    borough, child, details, field, message
):
    response = api_as(borough["referrer"]).post(
        LIST, referral_body(child=child, details=details), format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]


def test_consent_given_needs_no_lawful_basis(borough):
    body = referral_body(
        details={"consent": "given", "lawful_basis": "", "reason_without_consent": ""}
    )

    response = api_as(borough["referrer"]).post(LIST, body, format="json")

    assert response.status_code == 201


def test_a_misspelt_field_is_an_error_rather_than_silently_dropped(borough):
    body = referral_body(child={"nhs_no": VALID_NHS_NUMBER}, colour="blue")

    response = api_as(borough["referrer"]).post(LIST, body, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"child.nhs_no", "colour"}


def test_a_body_that_is_not_json_is_refused_with_415(borough):
    response = api_as(borough["referrer"]).post(LIST, {"child": "x"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_malformed_json_is_a_400_with_a_detail(borough):
    response = api_as(borough["referrer"]).post(
        LIST, data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- Which agency ---------------------------------------------------------------------------


def test_a_person_who_refers_for_several_agencies_names_the_agency(borough):
    MembershipFactory(user=borough["referrer"], agency=borough["school"], role=Role.REFERRER)
    api = api_as(borough["referrer"])

    unnamed = api.post(LIST, referral_body(), format="json")
    named = api.post(LIST, referral_body(agency=borough["school"].pk), format="json")

    assert unnamed.status_code == 400
    assert "agency" in unnamed.json()["errors"]
    assert named.status_code == 201
    assert named.json()["agency"]["id"] == borough["school"].pk


def test_an_agency_the_person_does_not_act_for_is_a_field_error(borough):
    body = referral_body(agency=borough["school"].pk)

    response = api_as(borough["referrer"]).post(LIST, body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"agency": ["Choose an agency you act for"]}


@pytest.mark.parametrize(
    ("agency", "error"),
    [
        ("abc", "Give the agency's id, a number"),
        (True, "Give the agency's id, a number"),
        ([1], "Give the agency's id, a number"),
        (987654, "Choose an agency you act for"),
    ],
)
def test_an_agency_that_is_not_an_id_of_theirs_is_a_field_error(borough, agency, error):
    response = api_as(borough["referrer"]).post(LIST, referral_body(agency=agency), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"agency": [error]}
    assert not Referral.objects.exists()


def test_an_agency_closed_since_is_not_one_to_refer_for(borough):
    police = borough["police"]
    police.is_active = False
    police.save(update_fields=["is_active"])

    response = api_as(borough["referrer"]).post(
        LIST, referral_body(agency=police.pk), format="json"
    )

    assert response.status_code == 403
    assert not Referral.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_only_referrers_and_agency_leads_may_create_referrals(borough, role):
    caller = person(role, AgencyFactory(), username=f"api-{role}")
    allowed = role in {Role.REFERRER, Role.AGENCY_LEAD}

    response = api_as(caller).post(LIST, referral_body(), format="json")

    assert response.status_code == (201 if allowed else 403)
    if not allowed:
        assert response.json()["code"] == "permission_denied"
        assert AuditEvent.objects.filter(actor=caller, action=AuditAction.REFUSED).exists()
        assert not Referral.objects.exists()


# --- Authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"), [("get", LIST), ("post", LIST), ("get", detail(1)), ("get", "/api/docs/")]
)
def test_a_caller_without_credentials_gets_401_and_is_told_to_use_a_token(db, method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Referral.objects.exists()


def test_a_wrong_token_gets_401(borough):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(LIST)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_the_token_of_a_person_no_longer_active_is_refused(borough):
    api = api_as(borough["referrer"])
    borough["referrer"].is_active = False
    borough["referrer"].save(update_fields=["is_active"])

    assert api.get(LIST).status_code == 401


def test_a_browser_session_may_use_the_api_but_must_send_the_csrf_token_to_post(borough):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(borough["referrer"])

    listed = browser.get(LIST)
    posted = browser.post(LIST, referral_body(), format="json")

    assert listed.status_code == 200
    assert posted.status_code == 403
    assert "CSRF" in posted.json()["detail"]


# --- List --------------------------------------------------------------------------------------


def test_the_list_shows_only_what_the_caller_may_see_and_no_case_content(borough, make_draft):
    mine = api_as(borough["referrer"]).post(LIST, referral_body(), format="json").json()
    make_draft(actor=borough["other_referrer"], agency=borough["school"])

    police_lead = api_as(borough["police_lead"]).get(LIST).json()
    school_lead = api_as(borough["school_lead"]).get(LIST).json()

    assert police_lead["count"] == 1
    summary = police_lead["results"][0]
    assert summary["id"] == mine["id"]
    assert set(summary) == {"id", "url", "reference", "state", "agency", "created_at"} | {
        "submitted_at"
    }
    assert summary["url"] == f"http://testserver{detail(mine['id'])}"
    assert school_lead["count"] == 0  # the school's only referral is someone's draft


def test_the_list_is_paged_with_limit_and_offset(borough, make_submitted):
    made = [make_submitted().pk for _ in range(3)]

    page = api_as(borough["police_lead"]).get(LIST, {"limit": 2, "offset": 1}).json()

    assert page["count"] == 3
    assert [r["id"] for r in page["results"]] == sorted(made, reverse=True)[1:3]
    assert page["previous"] is not None


# --- Read ----------------------------------------------------------------------------------------


def test_each_read_is_recorded_as_a_view_with_who_and_from_where(borough, submitted_by_api):
    api_as(borough["police_lead"]).get(detail(submitted_by_api.pk), REMOTE_ADDR="10.1.2.3")

    view = AuditEvent.objects.get(referral=submitted_by_api, action=AuditAction.VIEWED)
    assert view.actor == borough["police_lead"]
    assert view.ip_address == "10.1.2.3"


def test_a_quality_auditor_reads_a_case_only_with_a_reason_which_is_recorded(
    borough, submitted_by_api
):
    auditor = api_as(person(Role.QUALITY_AUDITOR, borough["council"], username="auditor"))

    without = auditor.get(detail(submitted_by_api.pk))
    with_reason = auditor.get(
        detail(submitted_by_api.pk), HTTP_X_ACCESS_REASON="Quarterly audit of CSE referrals"
    )

    assert without.status_code == 403
    assert without.json()["code"] == "access_reason_required"
    assert "X-Access-Reason" in without.json()["detail"]
    assert submitted_by_api.concern not in without.content.decode()
    assert with_reason.status_code == 200
    view = AuditEvent.objects.get(referral=submitted_by_api, action=AuditAction.VIEWED)
    assert view.reason == "Quarterly audit of CSE referrals"
    assert AuditEvent.objects.filter(referral=submitted_by_api, action=AuditAction.REFUSED).exists()


def test_a_draft_is_read_only_by_the_referrer_writing_it(borough, make_draft):
    draft = make_draft()

    assert api_as(borough["referrer"]).get(detail(draft.pk)).status_code == 200
    assert api_as(borough["police_lead"]).get(detail(draft.pk)).status_code == 404


def test_a_panel_only_contribution_is_not_shown_to_another_agency_reading_the_case(
    borough, submitted_by_api
):
    intake.contributions_request(
        actor=borough["coordinator"], referral=submitted_by_api, agencies=[borough["school"]]
    )
    Contribution.objects.create(
        referral=submitted_by_api,
        agency=borough["police"],
        author=borough["police_lead"],
        text="Intelligence: vehicle linked to an investigation.",
        sensitivity=ContributionSensitivity.PANEL_ONLY,
    )

    for_police = api_as(borough["police_lead"]).get(detail(submitted_by_api.pk)).json()
    for_school = api_as(borough["school_lead"]).get(detail(submitted_by_api.pk)).json()

    assert len(for_police["contributions"]) == 1
    assert for_school["contributions"] == []


# --- History -------------------------------------------------------------------------------------


def test_the_history_lists_every_move_oldest_first_with_who_and_why(borough, submitted_by_api):
    intake.referral_screen(
        actor=borough["coordinator"], referral=submitted_by_api, rag="amber", reason="Two episodes"
    )

    response = api_as(borough["police_lead"]).get(f"{detail(submitted_by_api.pk)}history/")

    assert response.status_code == 200
    history = response.json()
    assert history["state"] == ReferralState.SCREENED
    assert [(t["name"], t["from_state"], t["to_state"]) for t in history["transitions"]] == [
        ("submit", "draft", "submitted"),
        ("screen", "submitted", "screened"),
    ]
    assert history["transitions"][1]["reason"] == "Two episodes"
    assert history["transitions"][1]["actor"] == borough["coordinator"].get_full_name()
    assert AuditEvent.objects.filter(
        referral=submitted_by_api, actor=borough["police_lead"], action=AuditAction.VIEWED
    ).exists()


def test_the_history_of_a_referral_the_caller_may_not_see_is_404(borough, submitted_by_api):
    response = api_as(borough["school_lead"]).get(f"{detail(submitted_by_api.pk)}history/")

    assert response.status_code == 404


# --- Contributions -------------------------------------------------------------------------------


def contributions(referral) -> str:
    return f"{detail(referral.pk)}contributions/"


def test_an_asked_agency_adds_what_it_knows_and_the_referring_agency_reads_it(
    borough, submitted_by_api
):
    intake.contributions_request(
        actor=borough["coordinator"], referral=submitted_by_api, agencies=[borough["school"]]
    )
    body = {
        "text": "Attendance 62% this term; two unexplained absences.",
        "sensitivity": "not_for_family",
        "lawful_basis": "Education Act 2002 s175",
    }

    added = api_as(borough["school_lead"]).post(contributions(submitted_by_api), body, "json")

    assert added.status_code == 201
    assert added.json()["agency"] == {"id": borough["school"].pk, "name": "School"}
    asked = ContributionRequest.objects.get(referral=submitted_by_api, agency=borough["school"])
    assert asked.answered_at is not None
    read = api_as(borough["police_lead"]).get(detail(submitted_by_api.pk)).json()
    assert [c["text"] for c in read["contributions"]] == [body["text"]]


def test_a_contribution_needs_text_and_a_lawful_basis(borough, submitted_by_api):
    response = api_as(borough["police_lead"]).post(
        contributions(submitted_by_api), {"text": "  "}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "text": ["Enter what your agency knows"],
        "lawful_basis": ["Give the lawful basis for sharing this information"],
    }
    assert not Contribution.objects.exists()


def test_a_coordinator_who_may_read_but_acts_for_no_referring_agency_gets_403(
    borough, submitted_by_api
):
    response = api_as(borough["coordinator"]).post(
        contributions(submitted_by_api), {"text": "x", "lawful_basis": "y"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "You may not add information to this referral."


def test_an_agency_not_asked_and_not_shared_with_gets_404_for_a_contribution(
    borough, submitted_by_api
):
    response = api_as(borough["school_lead"]).post(
        contributions(submitted_by_api), {"text": "x", "lawful_basis": "y"}, format="json"
    )

    assert response.status_code == 404
    assert not Contribution.objects.exists()
