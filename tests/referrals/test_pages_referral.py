"""The referral page and its operations: what it shows, which forms the policy offers, each
operation posting to its own page and coming back with a banner, refusals as error summaries,
and attachments served only through the policy and audited."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import AuditAction, AuditEvent, Role
from referrals import intake
from referrals.models import (
    ChildMatch,
    Contribution,
    ContributionRequest,
    HouseholdMember,
    MatchStatus,
    Referral,
    ReferralState,
)
from tests.factories import person
from tests.referrals.conftest import child_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(borough):
    return person(Role.QUALITY_AUDITOR, borough["council"], username="auditor")


@pytest.fixture
def submitted(make_submitted):
    return make_submitted()


def text(response) -> str:
    return response.content.decode()


def follow_banner(client, response) -> str:
    assert response.status_code == 302, text(response)[:3000]
    return text(client.get(response["Location"]))


def test_the_referral_page_shows_the_whole_case(client, borough, make_draft, submitted):
    HouseholdMember.objects.create(
        child=submitted.child,
        referral=submitted,
        full_name="Marnie Brackenridge",
        relationship="Mother",
    )
    intake.referral_screen(
        actor=borough["coordinator"], referral=submitted, rag="amber", reason="Known to police."
    )
    ContributionRequest.objects.create(
        referral=submitted, agency=borough["school"], requested_by=borough["coordinator"]
    )
    repeat = intake.referral_submit(
        actor=borough["referrer"], referral=make_draft(child=child_details())
    )
    ChildMatch.objects.filter(referral=repeat).update(status=MatchStatus.CONFIRMED)
    Referral.objects.filter(pk=repeat.pk).update(child=submitted.child)
    client.force_login(borough["coordinator"])

    page = text(client.get(f"/referrals/{submitted.pk}/"))
    repeat_page = text(client.get(f"/referrals/{repeat.pk}/"))

    assert "Submitted" in page and "Screened" in page  # history
    assert "Known to police." in page
    assert 'data-testid="deadlines"' in page
    assert "Child sexual exploitation" in page
    assert "Consent not sought" in page
    assert "Children Act 1989 s47" in page
    assert "Marnie Brackenridge" in page
    assert "Not answered yet: School" in page
    assert 'data-testid="repeat-flag"' in repeat_page
    assert 'data-testid="repeat-flag"' not in page


def test_the_forms_offered_are_those_the_policy_and_the_state_allow(
    client, borough, auditor, submitted
):
    def actions(user):
        client.force_login(user)
        page = text(client.get(f"/referrals/{submitted.pk}/", {"reason": "x"}))
        return {
            name
            for name in ("screen", "decide", "close", "withdraw", "ask", "contribute", "attach")
            if f'data-testid="action-{name}"' in page
        }

    assert actions(borough["coordinator"]) == {"screen", "ask", "attach"}
    assert actions(borough["referrer"]) == {"withdraw", "contribute"}
    assert actions(borough["police_lead"]) == {"withdraw", "contribute", "attach"}
    client.force_login(auditor)
    reason_page = client.post(f"/referrals/{submitted.pk}/", {"reason": "Monthly audit"})
    assert 'data-testid="action-' not in text(reason_page)


def test_the_coordinator_screens_then_decides_and_sees_a_success_banner(client, borough, submitted):
    client.force_login(borough["coordinator"])

    screened = client.post(
        f"/referrals/{submitted.pk}/screen/",
        {"screen-rag": "red", "screen-reason": "Exploitation indicators."},
    )
    screened_page = follow_banner(client, screened)
    decided = client.post(
        f"/referrals/{submitted.pk}/decide/",
        {"decide-decision": "list_for_panel", "decide-reason": "Needs the panel."},
    )
    decided_page = follow_banner(client, decided)

    assert "govuk-notification-banner--success" in screened_page
    assert f"Referral {submitted.reference} has been screened." in screened_page
    assert "The decision on referral" in decided_page
    submitted.refresh_from_db()
    assert submitted.state == ReferralState.LISTED_FOR_PANEL
    assert submitted.rag == "red"
    assert list(submitted.transitions.values_list("name", flat=True)) == [
        "submit",
        "screen",
        "list_for_panel",
    ]


def test_a_form_error_keeps_what_was_typed(client, borough, submitted):
    client.force_login(borough["coordinator"])

    response = client.post(
        f"/referrals/{submitted.pk}/screen/", {"screen-reason": "Typed before choosing."}
    )

    assert response.status_code == 200
    assert '<a href="#id_screen-rag_1">Select a RAG rating</a>' in text(response)
    assert "Typed before choosing.</textarea>" in text(response)


def test_a_refused_transition_is_shown_as_an_error_summary_not_a_500(client, borough, submitted):
    client.force_login(borough["coordinator"])

    response = client.post(f"/referrals/{submitted.pk}/close/", {"close-outcome": "Done."})

    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert "A referral that is submitted cannot be moved to closed." in text(response)
    submitted.refresh_from_db()
    assert submitted.state == ReferralState.SUBMITTED


def test_the_referrer_withdraws_their_referral_with_a_reason(client, borough, submitted):
    client.force_login(borough["referrer"])

    refused = client.post(f"/referrals/{submitted.pk}/withdraw/", {"withdraw-reason": ""})
    withdrawn = client.post(
        f"/referrals/{submitted.pk}/withdraw/", {"withdraw-reason": "Sent to the wrong area."}
    )

    assert "Enter the reason for withdrawing the referral" in text(refused)
    assert "has been withdrawn" in follow_banner(client, withdrawn)
    submitted.refresh_from_db()
    assert submitted.state == ReferralState.WITHDRAWN


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("screen/", {"screen-rag": "red", "screen-reason": "x"}),
        ("decide/", {"decide-decision": "escalate", "decide-reason": "x"}),
        ("close/", {"close-outcome": "x"}),
        ("withdraw/", {"withdraw-reason": "x"}),
        ("contributions/request/", {}),
        ("contributions/add/", {"contribute-text": "x"}),
        ("attachments/add/", {}),
    ],
)
def test_the_auditor_is_refused_every_change_form(client, auditor, submitted, path, data):
    client.force_login(auditor)

    assert client.get(f"/referrals/{submitted.pk}/{path}").status_code == 403
    assert client.post(f"/referrals/{submitted.pk}/{path}", data).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ReferralState.SUBMITTED


def test_a_referrer_of_another_agency_gets_404_on_every_referral_page(
    client, borough, submitted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    attachment = intake.attachment_add(
        actor=borough["police_lead"],
        referral=submitted,
        uploaded=SimpleUploadedFile("note.txt", b"Police note.\n"),
    )
    client.force_login(borough["other_referrer"])

    for path in (
        "",
        "submitted/",
        "screen/",
        "decide/",
        "close/",
        "withdraw/",
        "contributions/request/",
        "contributions/add/",
        "attachments/add/",
        f"attachments/{attachment.pk}/",
    ):
        assert client.get(f"/referrals/{submitted.pk}/{path}").status_code == 404, path
    assert client.get(f"/children/{submitted.child_id}/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOADED).exists()


def test_the_coordinator_confirms_a_suggested_match(client, borough, make_submitted):
    first = make_submitted()
    second = make_submitted(child=child_details(first_name="Ashlynn"))
    match = ChildMatch.objects.get(referral=second)
    client.force_login(borough["coordinator"])

    compare = client.get(f"/referrals/{second.pk}/matches/{match.pk}/")
    detail = text(client.get(f"/referrals/{second.pk}/"))
    confirmed = client.post(
        f"/referrals/{second.pk}/matches/{match.pk}/",
        {f"match-{match.pk}-decision": "confirm", f"match-{match.pk}-reason": "Same school."},
    )
    banner = follow_banner(client, confirmed)
    again = client.post(
        f"/referrals/{second.pk}/matches/{match.pk}/", {f"match-{match.pk}-decision": "reject"}
    )

    assert "Same date of birth" in text(compare)
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEWED, child=first.child, referral=second
    ).exists()
    assert f'action="/referrals/{second.pk}/matches/{match.pk}/"' in detail
    assert "has been decided" in banner
    second.refresh_from_db()
    assert second.child == first.child
    assert "This match has already been decided." in text(again)


def test_nobody_but_a_screener_sees_or_decides_matches(client, borough, make_submitted):
    make_submitted()
    second = make_submitted(child=child_details(first_name="Ashlynn"))
    match = ChildMatch.objects.get(referral=second)
    client.force_login(borough["police_lead"])

    assert 'data-testid="match"' not in text(client.get(f"/referrals/{second.pk}/"))
    assert client.get(f"/referrals/{second.pk}/matches/{match.pk}/").status_code == 403


def test_asking_agencies_shows_who_has_not_answered_until_they_do(
    client, borough, submitted, django_capture_on_commit_callbacks
):
    client.force_login(borough["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            f"/referrals/{submitted.pk}/contributions/request/",
            {"ask-agencies": [borough["school"].pk, borough["council"].pk]},
        )
    waiting = follow_banner(client, asked)

    client.force_login(borough["school_lead"])
    school_page = text(client.get(f"/referrals/{submitted.pk}/"))
    added = client.post(
        f"/referrals/{submitted.pk}/contributions/add/",
        {
            "contribute-text": "Attendance 60% this term.",
            "contribute-sensitivity": "not_for_family",
            "contribute-lawful_basis": "Children Act 2004 s11",
        },
    )
    added_page = follow_banner(client, added)

    assert "Not answered yet: Council, School" in waiting
    assert 'data-testid="action-decline"' in school_page
    assert "Attendance 60% this term." in added_page
    assert "Not answered yet: Council" in added_page
    contribution = Contribution.objects.get(referral=submitted)
    assert contribution.agency == borough["school"]
    assert contribution.sensitivity == "not_for_family"


def test_an_agency_declines_a_request_with_a_reason(client, borough, submitted):
    asked = ContributionRequest.objects.create(
        referral=submitted, agency=borough["school"], requested_by=borough["coordinator"]
    )
    client.force_login(borough["police_lead"])
    assert client.get(f"/referrals/{submitted.pk}/requests/{asked.pk}/decline/").status_code == 403
    # The school's lead reads it once asked: the request shares the referral with the school.
    from guardian.shortcuts import assign_perm

    assign_perm("view_referral", borough["school"].permission_group, submitted)
    client.force_login(borough["school_lead"])

    empty = client.post(f"/referrals/{submitted.pk}/requests/{asked.pk}/decline/", {})
    declined = client.post(
        f"/referrals/{submitted.pk}/requests/{asked.pk}/decline/",
        {f"decline-{asked.pk}-reason": "We hold nothing on this child."},
    )

    assert "Enter the reason your agency is not sharing" in text(empty)
    assert "We hold nothing on this child." in follow_banner(client, declined)
    asked.refresh_from_db()
    assert asked.declined_reason == "We hold nothing on this child."


def test_a_file_that_is_not_what_it_claims_is_refused_on_the_upload_page(
    client, borough, submitted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(borough["police_lead"])
    disguised = SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf")

    response = client.post(
        f"/referrals/{submitted.pk}/attachments/add/", {"attach-file": disguised}
    )

    assert response.status_code == 200
    assert '<a href="#id_attach-file">The selected file must be a PDF' in text(response)
    assert not submitted.attachments.exists()


def test_a_download_is_streamed_as_an_attachment_with_its_detected_type_and_audited(
    client, borough, submitted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(borough["police_lead"])
    uploaded = client.post(
        f"/referrals/{submitted.pk}/attachments/add/",
        {"attach-file": SimpleUploadedFile("body map.png", b"\x89PNG\r\n\x1a\nrest", "text/html")},
    )
    attachment = submitted.attachments.get()
    client.force_login(borough["coordinator"])

    response = client.get(f"/referrals/{submitted.pk}/attachments/{attachment.pk}/")

    assert uploaded.status_code == 302
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="body map.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\nrest"
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert (event.actor, event.referral, event.object_id) == (
        borough["coordinator"],
        submitted,
        str(attachment.pk),
    )


def test_the_auditor_gives_a_reason_before_downloading(
    client, borough, auditor, submitted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    attachment = intake.attachment_add(
        actor=borough["police_lead"],
        referral=submitted,
        uploaded=SimpleUploadedFile("note.txt", b"Police note.\n"),
    )
    client.force_login(auditor)
    url = f"/referrals/{submitted.pk}/attachments/{attachment.pk}/"

    asked = client.get(url)
    downloaded_before_the_reason = AuditEvent.objects.filter(action=AuditAction.DOWNLOADED).count()
    downloaded = client.post(url, {"reason": "Checking the body map for the audit"})

    assert "Give your reason" in text(asked)
    assert downloaded_before_the_reason == 0
    assert downloaded["Content-Disposition"].startswith("attachment;")
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOADED)
    assert event.reason == "Checking the body map for the audit"


def test_a_submitted_referral_at_risk_shows_its_running_clock(client, borough, make_draft):
    from tests.referrals.conftest import referral_details

    referral = intake.referral_submit(
        actor=borough["referrer"],
        referral=make_draft(details=referral_details(immediate_risk=True)),
    )
    Referral.objects.filter(pk=referral.pk).update(
        screening_due_at=timezone.now() - timedelta(days=7)
    )
    client.force_login(borough["coordinator"])

    page = text(client.get(f"/referrals/{referral.pk}/"))

    assert "Overdue by" in page
    assert "Immediate risk" in page
