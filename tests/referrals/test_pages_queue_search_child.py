"""The coordinator's screening queue, search, and the child's one chronology across agencies."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from agencies.models import AuditAction, AuditEvent, Role
from referrals import intake
from referrals.models import ChildMatch, Contribution, ContributionSensitivity, Referral
from tests.factories import person
from tests.referrals.conftest import child_details, referral_details

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_queue_puts_the_least_time_left_first_and_highlights_the_overdue(
    client, borough, make_submitted
):
    calm = make_submitted(child=child_details(first_name="Calm", date_of_birth=date(2013, 1, 2)))
    late = make_submitted(child=child_details(first_name="Late", date_of_birth=date(2014, 3, 4)))
    Referral.objects.filter(pk=late.pk).update(screening_due_at=timezone.now() - timedelta(days=7))
    client.force_login(borough["coordinator"])

    page = text(client.get("/screening/"))

    assert page.index(late.reference) < page.index(calm.reference)
    late_row = page[page.index(late.reference) : page.index(calm.reference)]
    assert "govuk-tag--red" in late_row and "Overdue by" in late_row
    assert "app-table__row--overdue" in page.split(late.reference)[0].rsplit("<tr", 1)[1]
    calm_row = page[page.index(calm.reference) :]
    assert "left" in calm_row.split("</tr>")[0] or "Due today" in calm_row.split("</tr>")[0]


def test_the_queue_flags_repeats_and_counts_suggested_matches(client, borough, make_submitted):
    first = make_submitted()
    second = make_submitted(child=child_details(first_name="Ashlynn"))
    ChildMatch.objects.get(referral=second)
    Referral.objects.filter(pk=second.pk).update(child=first.child)
    client.force_login(borough["coordinator"])

    page = text(client.get("/screening/"))
    second_row = page[page.index(second.reference) :].split("</tr>")[0]

    assert "Repeat referral" in second_row
    assert "1 suggested match" in second_row


def test_only_a_coordinator_has_the_queue(client, borough):
    client.force_login(borough["police_lead"])

    assert client.get("/screening/").status_code == 403


def test_search_finds_by_name_nhs_number_and_reference_only_what_the_person_may_read(
    client, borough, make_submitted
):
    police = make_submitted(child=child_details(nhs_number="9990000018"))
    school = make_submitted(
        actor=borough["other_referrer"],
        agency=borough["school"],
        child=child_details(first_name="Ashlyn", last_name="Brackenridge"),
    )
    client.force_login(borough["referrer"])

    by_name = text(client.get("/search/", {"q": "ashlyn brackenridge"}))
    by_nhs = text(client.get("/search/", {"q": "999 000 0018"}))
    by_hidden_reference = text(client.get("/search/", {"q": school.reference}))

    assert police.reference in by_name and school.reference not in by_name
    assert police.reference in by_nhs and f'href="/referrals/{police.pk}/"' in by_nhs
    assert f'href="/referrals/{school.pk}/"' not in by_hidden_reference
    assert "0 results" in by_hidden_reference


def test_an_empty_search_shows_nothing_and_no_search_is_audited(client, borough, make_submitted):
    make_submitted()
    client.force_login(borough["coordinator"])
    before = AuditEvent.objects.count()

    empty = text(client.get("/search/", {"q": "  "}))
    client.get("/search/", {"q": "Ashlyn"})

    assert 'data-testid="search-results"' not in empty
    assert "result" not in empty.split("<h1", 1)[1].split("</form>", 1)[1]
    assert AuditEvent.objects.count() == before


def test_opening_a_search_result_is_audited_as_a_view(client, borough, make_submitted):
    referral = make_submitted()
    client.force_login(borough["coordinator"])

    results = text(client.get("/search/", {"q": "Ashlyn"}))
    client.get(f"/referrals/{referral.pk}/")

    assert f'href="/referrals/{referral.pk}/"' in results
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEWED, referral=referral, actor=borough["coordinator"]
    ).exists()


def test_the_child_page_shows_one_chronology_across_agencies_filtered_and_audited(
    client, borough, make_submitted
):
    police = make_submitted()
    school = make_submitted(
        actor=borough["other_referrer"],
        agency=borough["school"],
        details=referral_details(categories=["neglect"]),
    )
    Referral.objects.filter(pk=school.pk).update(child=police.child)
    Contribution.objects.create(
        referral=police,
        agency=borough["police"],
        author=borough["police_lead"],
        text="PANEL-ONLY-MARKER intelligence",
        sensitivity=ContributionSensitivity.PANEL_ONLY,
    )
    intake.referral_screen(
        actor=borough["coordinator"], referral=school, rag="green", reason="Low risk."
    )

    client.force_login(borough["coordinator"])
    everything = text(client.get(f"/children/{police.child_id}/"))
    client.force_login(borough["school_lead"])
    school_view = text(client.get(f"/children/{police.child_id}/"))

    assert police.reference in everything and school.reference in everything
    assert "Police" in everything and "School" in everything
    assert "PANEL-ONLY-MARKER" in everything
    assert "Low risk." in everything
    assert school.reference in school_view
    assert police.reference not in school_view
    assert "PANEL-ONLY-MARKER" not in school_view
    viewed = AuditEvent.objects.filter(
        action=AuditAction.VIEWED, child=police.child, object_type="referrals.child"
    )
    assert set(viewed.values_list("actor__username", flat=True)) == {"coordinator", "school_lead"}


def test_a_child_the_person_may_not_see_is_404(client, borough, make_submitted):
    referral = make_submitted()
    client.force_login(borough["other_referrer"])

    assert client.get(f"/children/{referral.child_id}/").status_code == 404
    assert client.get("/children/999999/").status_code == 404


def test_the_auditor_gives_a_reason_to_read_a_childs_chronology(client, borough, make_submitted):
    referral = make_submitted()
    auditor = person(Role.QUALITY_AUDITOR, borough["council"], username="auditor")
    client.force_login(auditor)

    asked = text(client.get(f"/children/{referral.child_id}/"))
    read = text(client.post(f"/children/{referral.child_id}/", {"reason": "Thematic audit"}))

    assert "Give your reason" in asked and referral.reference not in asked
    assert referral.reference in read
    event = AuditEvent.objects.get(child=referral.child, actor=auditor)
    assert event.reason == "Thematic audit"
