"""Issue 12, finding 4: a draft never leaks through child matching.

Reproduced: priya.okafor (a school referrer) saved a draft about a child; dana.harlow (police)
submitted a referral about a similarly named child with the same date of birth; the
coordinator's match page showed the draft's child (name, date of birth); once the match was
confirmed the coordinator saw the draft's address and school; and priya's later edits to her
draft changed the police referral's child.

Rules (referrals/matching.py, referrals/child_record.py): only a child with a referral that
has left draft is ever suggested or confirmed; a draft's edits reach only a child row of its
own; a record others see changes only through child_update, with its history.
"""

from datetime import date

import pytest

from agencies.models import AgencyType, AuditAction, AuditEvent, Role
from panels.models import Panel, PanelKind
from referrals import intake, matching
from referrals.models import ChildMatch, MatchStatus, Referral
from referrals.services import ReferralError
from tests.factories import AgencyFactory, person

pytestmark = pytest.mark.django_db

BORN = date(2013, 3, 14)
DRAFT_ADDRESS = "12 Quillfeather Lane"
DRAFT_SCHOOL = "Draycott Fen Academy"


@pytest.fixture
def people(db):
    school = AgencyFactory(name="Fen Schools Trust", agency_type=AgencyType.EDUCATION)
    police = AgencyFactory(name="Fenmarsh Police", agency_type=AgencyType.POLICE)
    council = AgencyFactory(name="Council", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    Panel.objects.create(name="MASH", kind=PanelKind.MASH)
    return {
        "school": school,
        "police": police,
        "priya": person(Role.REFERRER, school, username="priya.okafor"),
        "dana": person(Role.REFERRER, police, username="dana.harlow"),
        "coordinator": person(Role.PANEL_COORDINATOR, council, username="coordinator"),
    }


def concern() -> intake.ReferralDetails:
    return intake.ReferralDetails(
        concern="Seen late at night with older youths near the station.",
        categories=["cce"],
        family_aware="no",
        consent="not_sought",
        lawful_basis="Children Act 1989 s47; UK GDPR Art 6(1)(e)",
        reason_without_consent="Telling the family may place the child at greater risk.",
    )


def priyas_draft(people, **child) -> Referral:
    values = {
        "first_name": "Rowanne",
        "last_name": "Pettigrew",
        "date_of_birth": BORN,
        "address": DRAFT_ADDRESS,
        "postcode": "FE4 2QL",
        "school": DRAFT_SCHOOL,
        **child,
    }
    return intake.referral_draft_save(
        actor=people["priya"],
        agency=people["school"],
        child=intake.ChildDetails(**values),
        details=concern(),
    )


def danas_referral(people) -> Referral:
    draft = intake.referral_draft_save(
        actor=people["dana"],
        agency=people["police"],
        child=intake.ChildDetails(first_name="Rowan", last_name="Pettigrew", date_of_birth=BORN),
        details=concern(),
    )
    return intake.referral_submit(actor=people["dana"], referral=draft)


def priya_edits(people, draft: Referral, **child) -> Referral:
    draft = Referral.objects.get(pk=draft.pk)
    details = intake.ChildDetails(
        **{name: getattr(draft.child, name) for name in intake.CHILD_FIELDS}
    )
    for name, value in child.items():
        setattr(details, name, value)
    return intake.referral_draft_save(
        actor=people["priya"],
        agency=people["school"],
        child=details,
        details=concern(),
        referral=draft,
    )


def as_before_the_fix(police: Referral, draft: Referral) -> ChildMatch:
    """The state the old code left behind: the draft's child suggested to the screener."""
    match, _ = ChildMatch.objects.get_or_create(
        referral=police,
        candidate=draft.child,
        defaults={"score": 0.95, "reasons": "Same date of birth; name 95% alike"},
    )
    return match


def shared_as_before_the_fix(police: Referral, draft: Referral) -> None:
    """The state an old confirmation left behind: both referrals name the draft's child row."""
    Referral.objects.filter(pk=police.pk).update(child=draft.child)


# --- The service layer ---------------------------------------------------------------------


def test_the_reported_scenario_leaks_nothing_of_the_draft(people):
    draft = priyas_draft(people)
    police = danas_referral(people)

    suggested = list(police.matches.values_list("candidate_id", flat=True))
    for match in police.matches.filter(status=MatchStatus.SUGGESTED):
        intake.child_match_decide(actor=people["coordinator"], match=match, confirm=True)
    priya_edits(people, draft, address="7 Later Street", school="Later School")

    police.refresh_from_db()
    assert draft.child_id not in suggested
    assert police.child_id != draft.child_id
    assert (police.child.address, police.child.school) == ("", "")
    assert police.child.first_name == "Rowan"


def test_a_drafts_child_is_never_a_candidate(people):
    draft = priyas_draft(people)

    candidates = matching.find_candidates(
        first_name="Rowan", last_name="Pettigrew", date_of_birth=BORN
    )

    assert draft.child not in [c.child for c in candidates]


def test_a_child_whose_only_referral_was_withdrawn_as_a_draft_is_never_suggested(people):
    draft = priyas_draft(people)
    intake.referral_withdraw(actor=people["priya"], referral=draft, reason="Started in error.")

    police = danas_referral(people)

    assert not police.matches.filter(candidate=draft.child).exists()


def test_once_the_draft_is_submitted_its_child_is_suggested(people):
    draft = priyas_draft(people)
    intake.referral_submit(actor=people["priya"], referral=draft)

    police = danas_referral(people)

    assert police.matches.filter(candidate=draft.child).exists()


def test_a_child_withdrawn_after_submission_is_still_suggested(people):
    draft = priyas_draft(people)
    submitted = intake.referral_submit(actor=people["priya"], referral=draft)
    intake.referral_withdraw(actor=people["priya"], referral=submitted, reason="Sent twice.")

    police = danas_referral(people)

    assert police.matches.filter(candidate=draft.child).exists()


def test_a_suggestion_of_a_drafts_child_left_by_the_old_code_cannot_be_confirmed(people):
    draft = priyas_draft(people)
    police = danas_referral(people)
    match = as_before_the_fix(police, draft)

    with pytest.raises(ReferralError):
        intake.child_match_decide(actor=people["coordinator"], match=match, confirm=True)

    police.refresh_from_db()
    match.refresh_from_db()
    assert police.child_id != draft.child_id
    assert match.status == MatchStatus.SUGGESTED
    assert DRAFT_ADDRESS not in police.child.address


def test_the_drafts_later_edits_never_change_another_referrals_child(people):
    draft = priyas_draft(people)
    police = danas_referral(people)
    shared_as_before_the_fix(police, draft)
    shared_row = draft.child_id

    edited = priya_edits(people, draft, address="7 Later Street", school="Later School")

    police.refresh_from_db()
    assert police.child_id == shared_row
    assert (police.child.address, police.child.school) == (DRAFT_ADDRESS, DRAFT_SCHOOL)
    assert edited.child_id != shared_row
    assert (edited.child.address, edited.child.school) == ("7 Later Street", "Later School")


# --- The coordinator's pages -----------------------------------------------------------------


def page(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_coordinators_pages_show_no_draft_child(client, people):
    draft = priyas_draft(people)
    police = danas_referral(people)
    client.force_login(people["coordinator"])

    _, referral_page = page(client, f"/referrals/{police.pk}/")
    _, queue = page(client, "/screening/")
    legacy = as_before_the_fix(police, draft)
    _, referral_page_with_legacy_match = page(client, f"/referrals/{police.pk}/")
    status, match_page = page(client, f"/referrals/{police.pk}/matches/{legacy.pk}/")

    for html in (referral_page, referral_page_with_legacy_match):
        assert 'data-testid="match"' not in html
        assert "Rowanne" not in html
        assert f"Child record {draft.child_id} " not in html
    assert "suggested match" not in queue
    assert status == 404
    assert "Rowanne" not in match_page and "14 March 2013" not in match_page
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEWED, child=draft.child, actor=people["coordinator"]
    ).exists()


def test_after_confirming_the_coordinator_sees_no_draft_address_or_school(client, people):
    draft = priyas_draft(people)
    police = danas_referral(people)
    legacy = as_before_the_fix(police, draft)
    client.force_login(people["coordinator"])

    client.post(
        f"/referrals/{police.pk}/matches/{legacy.pk}/",
        {f"match-{legacy.pk}-decision": "confirm", f"match-{legacy.pk}-reason": "Same child."},
    )
    _, referral_page = page(client, f"/referrals/{police.pk}/")

    assert DRAFT_ADDRESS not in referral_page
    assert DRAFT_SCHOOL not in referral_page
    police.refresh_from_db()
    assert police.child_id != draft.child_id


def test_priyas_later_draft_edits_on_the_pages_do_not_change_the_police_referral(client, people):
    draft = priyas_draft(people)
    police = danas_referral(people)
    shared_as_before_the_fix(police, draft)
    client.force_login(people["priya"])

    response = client.post(
        f"/referrals/{draft.pk}/draft/child/",
        {
            "action": "save",
            "first_name": "Rowanne",
            "last_name": "Pettigrew",
            "born": "yes",
            "date_of_birth_0": "14",
            "date_of_birth_1": "3",
            "date_of_birth_2": "2013",
            "gender": "female",
            "address": "7 Later Street",
            "postcode": "FE4 2QL",
            "school": "Later School",
        },
    )
    client.force_login(people["coordinator"])
    _, referral_page = page(client, f"/referrals/{police.pk}/")

    assert response.status_code == 302, response.content.decode()[:2000]
    police.refresh_from_db()
    assert (police.child.address, police.child.school) == (DRAFT_ADDRESS, DRAFT_SCHOOL)
    assert "7 Later Street" not in referral_page and "Later School" not in referral_page
    draft.refresh_from_db()
    assert draft.child.address == "7 Later Street"
