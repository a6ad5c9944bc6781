"""Each role's home says what needs the person now: a count, a deadline and a link, counted
only over what the access policy lets them open."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership, Role
from referrals.models import ContributionRequest, ReferralState


def items_of(response, section: str) -> dict[str, int]:
    sections = {s.key: s for s in response.context["sections"]}
    return {item.label: item.count for item in sections[section].items}


def test_referrer_sees_their_open_referrals_and_drafts(client, borough, make_referral):
    make_referral()
    make_referral(state=ReferralState.DRAFT)
    make_referral(state=ReferralState.NO_FURTHER_ACTION)
    make_referral(referrer=borough["other_referrer"], agency=borough["school"])
    client.force_login(borough["referrer"])

    response = client.get(reverse("home"))

    items = items_of(response, "referrer")
    assert items["Referrals you made that are still open"] == 1
    assert items["Draft referrals to finish"] == 1
    assert items["Referrals you made that have a decision"] == 1


def test_coordinator_sees_the_screening_queue_with_its_nearest_deadline(
    client, borough, make_referral
):
    soon = timezone.now() + timedelta(hours=1)
    make_referral(screening_due_at=soon)
    make_referral(screening_due_at=timezone.now() - timedelta(hours=1))
    make_referral(state=ReferralState.DRAFT)
    client.force_login(borough["coordinator"])

    response = client.get(reverse("home"))

    queue = next(
        item
        for item in response.context["sections"][0].items
        if item.label == "Referrals in the screening queue"
    )
    assert queue.count == 2
    assert queue.overdue == 1
    assert queue.deadline < soon
    assert queue.url == reverse("referrals:screening-queue")
    assert b"Referrals in the screening queue" in response.content


def test_contribution_requests_count_only_on_referrals_the_lead_may_open(
    client, borough, make_referral
):
    seen = make_referral()  # the police's own referral: its lead may open it
    hidden = make_referral(referrer=borough["other_referrer"], agency=borough["school"])
    for referral in (seen, hidden):
        ContributionRequest.objects.create(
            referral=referral, agency=borough["police"], requested_by=borough["coordinator"]
        )
    client.force_login(borough["police_lead"])

    response = client.get(reverse("home"))

    assert items_of(response, "agency_lead")["Requests waiting for your agency's contribution"] == 1


def test_board_member_is_offered_no_count_of_cases(client, borough, make_referral):
    make_referral()
    client.force_login(borough["board"])

    response = client.get(reverse("home"))

    assert [s.key for s in response.context["sections"]] == ["board_member"]
    labels = [s["label"] for s in response.context["service_sections"]]
    assert "Referrals" not in labels
    assert "Board papers" in labels


def test_auditor_gets_a_review_queue_of_live_cases_not_yet_reviewed(client, borough, make_referral):
    make_referral()
    make_referral(state=ReferralState.SCREENED)
    make_referral(state=ReferralState.CLOSED)
    client.force_login(borough["auditor"])

    response = client.get(reverse("home"))

    assert items_of(response, "auditor") == {"Live cases you have not yet reviewed": 2}


def test_data_protection_officer_sees_break_glass_and_refusals(client, borough):
    client.force_login(borough["dpo"])

    response = client.get(reverse("home"))

    assert set(items_of(response, "data_protection_officer")) == {
        "Break-glass uses in the last 30 days",
        "Access refused in the last 7 days",
    }


def test_a_person_with_two_roles_gets_one_home_with_a_section_for_each(
    client, borough, make_referral
):
    lead = borough["police_lead"]
    Membership.objects.create(user=lead, agency=borough["police"], role=Role.REFERRER)
    client.force_login(lead)

    response = client.get(reverse("home"))

    assert [s.key for s in response.context["sections"]] == ["referrer", "agency_lead"]
    assert response.content.count(b'data-testid="home-section-') == 2


def test_someone_with_no_role_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get(reverse("home"))

    assert response.context["sections"] == []
    assert b"You have no current role" in response.content


@pytest.mark.parametrize(
    ("who", "sections"),
    [
        ("referrer", ["Home", "Referrals", "Actions", "Missing episodes", "Intelligence"]),
        (
            "coordinator",
            [
                "Home",
                "Referrals",
                "Screening",
                "Actions",
                "Missing episodes",
                "Intelligence",
                "Dashboard",
            ],
        ),
        ("board", ["Home", "Dashboard", "Board papers"]),
        ("dpo", ["Home", "Audit"]),
        (
            "police_lead",
            [
                "Home",
                "Referrals",
                "Actions",
                "Missing episodes",
                "Intelligence",
                "Caseloads",
                "Case reviews",
                "Dashboard",
                "Approvals",
            ],
        ),
    ],
)
def test_service_navigation_lists_the_sections_the_policy_allows(client, borough, who, sections):
    client.force_login(borough[who])

    response = client.get(reverse("home"))

    assert [s["label"] for s in response.context["service_sections"]] == sections
    assert b'aria-label="Sections"' in response.content
    assert b'href="/account/security/"' in response.content


def test_service_status_is_a_page_for_people(client, db):
    response = client.get(reverse("service-status"))

    assert response.status_code == 200
    assert b"Safeguarding Panels is working normally" in response.content
