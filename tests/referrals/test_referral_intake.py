"""Submission starts the clocks and suggests existing records of the child; matches,
repeats, contributions and attachments follow the rules of docs/access.md."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import access
from panels.models import Panel, PanelKind
from referrals import intake, selectors
from referrals.attachments import AttachmentRejected
from referrals.models import ChildMatch, ContributionRequest, MatchStatus, Referral, ScreeningClocks
from referrals.services import ReferralError
from tests.referrals.conftest import child_details, referral_details

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def memberships_since_2020(borough):
    """Clock tests move "now" into the past: the people must already hold their roles then."""
    from agencies.models import Membership

    Membership.objects.update(started_at=datetime(2020, 1, 1, tzinfo=LONDON))


def test_a_referral_received_on_the_thursday_before_easter_is_due_on_the_tuesday_after(
    borough, make_draft, monkeypatch, memberships_since_2020
):
    received = datetime(2026, 4, 2, 11, 0, tzinfo=LONDON)
    monkeypatch.setattr(intake.timezone, "now", lambda: received)

    referral = intake.referral_submit(actor=borough["referrer"], referral=make_draft())

    assert referral.submitted_at == received
    assert referral.decision_due_at == datetime(2026, 4, 7, 17, 0, tzinfo=LONDON)


def test_a_referral_at_immediate_risk_must_be_screened_within_four_working_hours(
    borough, make_draft, monkeypatch, memberships_since_2020
):
    friday_afternoon = datetime(2026, 11, 20, 15, 0, tzinfo=LONDON)
    monkeypatch.setattr(intake.timezone, "now", lambda: friday_afternoon)

    referral = intake.referral_submit(
        actor=borough["referrer"],
        referral=make_draft(details=referral_details(immediate_risk=True)),
    )

    assert referral.screening_due_at == datetime(2026, 11, 23, 11, 0, tzinfo=LONDON)


def test_a_hub_configures_its_own_screening_clocks(
    borough, make_draft, monkeypatch, memberships_since_2020
):
    ScreeningClocks.objects.create(panel=borough["hub"], green_working_days=5)
    received = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)  # a Monday
    monkeypatch.setattr(intake.timezone, "now", lambda: received)
    referral = intake.referral_submit(actor=borough["referrer"], referral=make_draft())

    screened = intake.referral_screen(
        actor=borough["coordinator"], referral=referral, rag="green", reason="Low risk."
    )

    assert screened.hub == borough["hub"]
    assert screened.decision_due_at == datetime(2026, 11, 30, 17, 0, tzinfo=LONDON)


def test_the_screening_queue_puts_the_least_time_left_first(borough, make_draft):
    calm = intake.referral_submit(actor=borough["referrer"], referral=make_draft())
    urgent = intake.referral_submit(
        actor=borough["referrer"],
        referral=make_draft(details=referral_details(immediate_risk=True)),
    )

    queue = selectors.screening_queue(user=borough["coordinator"])

    assert [r.pk for r in queue] == [urgent.pk, calm.pk]
    assert selectors.screening_queue(user=borough["other_referrer"]) == []


def test_the_same_nhs_number_is_suggested_as_the_same_child(borough, make_submitted):
    first = make_submitted(child=child_details(nhs_number="9990001239"))
    second = make_submitted(
        child=child_details(first_name="Different", last_name="Name", nhs_number="9990001239")
    )

    match = ChildMatch.objects.get(referral=second)
    assert match.candidate == first.child
    assert match.reasons == "Same NHS number"


def test_a_misspelled_name_with_the_same_birth_date_is_suggested(borough, make_submitted):
    first = make_submitted()
    second = make_submitted(child=child_details(first_name="Ashlynn", last_name="Brackenrige"))

    assert ChildMatch.objects.get(referral=second).candidate == first.child


def test_names_in_another_order_or_an_alias_are_suggested(borough, make_submitted):
    first = make_submitted(child=child_details(aliases=["Ash Bracken"]))
    reordered = make_submitted(child=child_details(first_name="Brackenridge", last_name="Ashlyn"))
    by_alias = make_submitted(child=child_details(first_name="Ash", last_name="Bracken"))

    assert first.child in {m.candidate for m in ChildMatch.objects.filter(referral=reordered)}
    assert first.child in {m.candidate for m in ChildMatch.objects.filter(referral=by_alias)}


def test_no_match_is_suggested_for_a_different_birth_date(borough, make_submitted):
    from datetime import date

    make_submitted()
    other = make_submitted(child=child_details(date_of_birth=date(2012, 6, 16)))

    assert not ChildMatch.objects.filter(referral=other).exists()


def test_confirming_a_match_joins_the_childs_chronology_and_rejecting_is_recorded(
    borough, make_submitted
):
    first = make_submitted()
    second = make_submitted(child=child_details(first_name="Ashlynn"))
    match = ChildMatch.objects.get(referral=second)

    intake.child_match_decide(actor=borough["coordinator"], match=match, confirm=True)

    second.refresh_from_db()
    match.refresh_from_db()
    assert second.child == first.child
    assert (match.status, match.decided_by) == (MatchStatus.CONFIRMED, borough["coordinator"])
    chronology = selectors.child_chronology(user=borough["coordinator"], child=first.child)
    assert {entry.referral for entry in chronology} == {first, second}


def test_only_a_screener_decides_matches(borough, make_submitted):
    make_submitted()
    second = make_submitted(child=child_details(first_name="Ashlynn"))

    with pytest.raises(access.ForbiddenForUser):
        intake.child_match_decide(
            actor=borough["police_lead"],
            match=ChildMatch.objects.get(referral=second),
            confirm=True,
        )


@pytest.mark.parametrize(("months_apart", "is_repeat"), [(11, True), (13, False)])
def test_a_child_referred_again_within_12_months_is_a_repeat(
    borough, make_submitted, months_apart, is_repeat
):
    earlier = make_submitted()
    later = make_submitted()
    Referral.objects.filter(pk=earlier.pk).update(
        submitted_at=later.submitted_at - timedelta(days=round(months_apart * 30.44))
    )
    intake.child_match_decide(
        actor=borough["coordinator"], match=ChildMatch.objects.get(referral=later), confirm=True
    )

    assert selectors.is_repeat_referral(later) is is_repeat
    assert selectors.is_repeat_referral(earlier) is False


def test_asking_an_agency_shares_the_referral_and_shows_who_has_not_answered(
    borough, make_submitted
):
    referral = make_submitted()

    intake.contributions_request(
        actor=borough["coordinator"], referral=referral, agencies=[borough["school"]]
    )

    assert access.can_view_referral(borough["school_lead"], referral)
    waiting = ContributionRequest.objects.get(referral=referral)
    assert waiting.answered_at is None

    intake.contribution_add(
        actor=borough["school_lead"],
        referral=referral,
        agency=borough["school"],
        text="Attendance 61% this term.",
        sensitivity="normal",
        lawful_basis="Education Act 2002 s175",
    )

    waiting.refresh_from_db()
    assert waiting.answered_at is not None


def test_an_agency_may_decline_to_share_with_a_reason(borough, make_submitted):
    referral = make_submitted()
    [asked] = intake.contributions_request(
        actor=borough["coordinator"], referral=referral, agencies=[borough["school"]]
    )

    with pytest.raises(ReferralError, match="reason"):
        intake.contribution_decline(
            actor=borough["school_lead"], contribution_request=asked, reason=""
        )
    intake.contribution_decline(
        actor=borough["school_lead"], contribution_request=asked, reason="We hold nothing."
    )

    asked.refresh_from_db()
    assert asked.declined_reason == "We hold nothing."


def test_a_panel_only_contribution_is_never_shown_to_a_referrer_of_another_agency(
    borough, make_submitted, client
):
    referral = make_submitted()
    intake.contributions_request(
        actor=borough["coordinator"], referral=referral, agencies=[borough["school"]]
    )
    secret = intake.contribution_add(
        actor=borough["police_lead"],
        referral=referral,
        agency=borough["police"],
        text="Intelligence: PANEL-ONLY-MARKER vehicle under investigation.",
        sensitivity="panel_only",
        lawful_basis="Crime and Disorder Act 1998 s115",
    )
    client.force_login(borough["other_referrer"])

    assert not access.can_view_contribution(borough["other_referrer"], secret)
    assert not access.can_view_contribution(borough["school_lead"], secret)
    client.force_login(borough["school_lead"])
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "PANEL-ONLY-MARKER" not in page


def pdf_file(name="report.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf")


def test_an_attachment_is_stored_under_a_generated_name_with_its_detected_type(
    borough, make_submitted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    referral = make_submitted()

    attachment = intake.attachment_add(
        actor=borough["police_lead"], referral=referral, uploaded=pdf_file("../../etc/x.pdf")
    )

    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "x.pdf"
    assert "x.pdf" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")


def test_an_attachment_with_a_faked_extension_is_refused(
    borough, make_submitted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    referral = make_submitted()
    disguised = SimpleUploadedFile(
        "photo.pdf", b"MZ\x90\x00\x03\x00\x00\x00 binary", "application/pdf"
    )

    with pytest.raises(AttachmentRejected, match="must be a PDF"):
        intake.attachment_add(actor=borough["police_lead"], referral=referral, uploaded=disguised)

    assert not referral.attachments.exists()


def test_an_empty_or_oversized_attachment_is_refused(borough, make_submitted, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    referral = make_submitted()
    empty = SimpleUploadedFile("empty.txt", b"", "text/plain")
    big = SimpleUploadedFile("big.txt", b"a" * (10 * 1024 * 1024 + 1), "text/plain")

    with pytest.raises(AttachmentRejected, match="empty"):
        intake.attachment_add(actor=borough["police_lead"], referral=referral, uploaded=empty)
    with pytest.raises(AttachmentRejected, match="smaller than 10MB"):
        intake.attachment_add(actor=borough["police_lead"], referral=referral, uploaded=big)


def test_search_finds_by_reference_nhs_number_and_name_within_what_the_person_may_see(
    borough, make_submitted
):
    referral = make_submitted(child=child_details(nhs_number="9990001239"))
    coordinator = borough["coordinator"]

    assert selectors.search_referrals(user=coordinator, query=referral.reference) == [referral]
    assert selectors.search_referrals(user=coordinator, query="999 000 1239") == [referral]
    assert selectors.search_referrals(user=coordinator, query="brackenridge ashlyn") == [referral]
    assert selectors.search_referrals(user=borough["other_referrer"], query="Brackenridge") == []
    assert selectors.search_referrals(user=coordinator, query="") == []


def test_the_default_hub_is_the_mash_panel(borough, make_submitted):
    Panel.objects.create(name="Exploitation", kind=PanelKind.EXPLOITATION)

    assert make_submitted().hub == borough["hub"]
    assert timezone.now() - make_submitted().submitted_at < timedelta(minutes=1)
