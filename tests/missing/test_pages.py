"""The missing children pages, each door refusing those without the right; the board's
figures hold no names."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import AuditAction, AuditEvent
from missing.models import MissingEpisode
from tests.missing.conftest import report


@pytest.fixture
def episode(borough):
    now = timezone.now()
    return report(
        borough["officer"],
        borough["police"],
        since=now - timedelta(days=1),
        returned_at=now - timedelta(hours=3),
        found_where='=HYPERLINK("x")',
    )


def test_an_officer_reports_a_child_missing_on_the_page(client, borough):
    client.force_login(borough["officer"])

    response = client.post(
        "/missing/report/",
        {
            "first_name": "Kestrel",
            "last_name": "Amberwood",
            "date_of_birth_0": "2",
            "date_of_birth_1": "4",
            "date_of_birth_2": "2011",
            "agency": borough["police"].pk,
            "missing_from": "care_placement",
            **moment("missing_since", timezone.localtime() - timedelta(hours=5)),
            "risk_grading": "low",
        },
    )

    episode = MissingEpisode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/missing/{episode.pk}/"


@pytest.mark.parametrize("who", ["board", "coordinator"])
def test_the_report_page_refuses_someone_who_does_not_report(client, borough, who):
    client.force_login(borough[who])

    assert client.get("/missing/report/").status_code == 403


def test_the_episode_page_is_read_and_audited(client, borough, episode):
    client.force_login(borough["interviewer"])

    response = client.get(f"/missing/{episode.pk}/")

    assert response.status_code == 200
    assert b"Record the interview" in response.content
    assert AuditEvent.objects.filter(
        actor=borough["interviewer"], action=AuditAction.VIEWED, child=episode.child
    ).exists()


@pytest.mark.parametrize("who", ["school_lead", "other_officer", "board"])
def test_the_episode_page_is_a_404_to_someone_who_may_not_read_it(client, borough, episode, who):
    client.force_login(borough[who])

    assert client.get(f"/missing/{episode.pk}/").status_code == 404
    assert client.get(f"/missing/{episode.pk}/interview/").status_code == 404


def test_the_interview_page_refuses_a_reader_outside_the_team(client, borough, episode):
    client.force_login(borough["officer"])

    assert client.get(f"/missing/{episode.pk}/interview/").status_code == 403


def test_the_correction_page_refuses_a_reader_who_may_not_correct(client, borough, episode):
    client.force_login(borough["interviewer"])

    assert client.post(f"/missing/{episode.pk}/correct/", {}).status_code == 403


def test_the_csv_is_refused_to_a_referrer(client, borough, episode):
    client.force_login(borough["officer"])

    assert client.get("/missing/episodes.csv").status_code == 403


def test_the_csv_has_initials_not_names_and_formulas_made_inert(client, borough, episode):
    client.force_login(borough["police_lead"])

    response = client.get("/missing/episodes.csv")

    body = response.content.decode()
    assert response.status_code == 200
    assert episode.reference in body and "Kestrel" not in body
    assert AuditEvent.objects.filter(action=AuditAction.EXPORTED_CSV).exists()


def test_the_boards_figures_hold_no_names(client, borough, episode):
    client.force_login(borough["board"])

    response = client.get("/missing/figures/")

    body = response.content.decode()
    assert response.status_code == 200
    for identifying in ("Kestrel", "Amberwood", episode.reference, "HYPERLINK"):
        assert identifying not in body
    assert "Held within 72 hours" in body


def test_the_figures_are_refused_to_a_referrer(client, borough):
    client.force_login(borough["officer"])

    assert client.get("/missing/figures/").status_code == 403


def moment(name: str, when) -> dict:
    """A moment as the page's GOV.UK date input and time boxes."""
    return {
        f"{name}_0": when.day,
        f"{name}_1": when.month,
        f"{name}_2": when.year,
        f"{name}_3": when.strftime("%H:%M"),
    }
