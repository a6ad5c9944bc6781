"""The themes report: grades and themes over time, teams and agencies benchmarked, as a page
and a PDF for whoever sees the board's dashboard; no child identified."""

import io

import access
from agencies.models import AuditEvent
from board import selectors, themes
from board.periods import period_from
from casework.models import LearningAction, LearningKind, Theme
from tests.board.conftest import SECRETS
from tests.board.test_quarterly_report import text_of


def report(quarter, period="2025-Q3", user="board"):
    filters = selectors.Filters(
        access.dashboard_oversight(quarter.people[user]), period_from(period)
    )
    return {figure.key: figure for figure in themes.themes_report(filters)}


def test_grades_over_time_per_month_with_the_share_good_or_better(quarter):
    assert report(quarter)["themes-grades"].rows == [
        ["Jul 2025", 0, 0, 0, 0, 0, "–"],
        ["Aug 2025", 0, 0, 0, 1, 1, "0.0%"],
        ["Sep 2025", 0, 1, 0, 0, 1, "100.0%"],
        ["Q3 2025", 0, 1, 0, 1, 2, "50.0%"],
    ]
    # A month with no review has no bar: a 0 would read as every review poor.
    assert report(quarter)["themes-grades"].chart == [("Aug 2025", 0.0), ("Sep 2025", 100.0)]


def test_themes_over_time_most_tagged_first(quarter):
    assert report(quarter)["themes-over-time"].rows == [
        ["Voice of the child", 0, 1, 1, 2],
        ["Drift", 0, 1, 0, 1],
    ]


def test_a_year_reads_month_by_month_and_quarter_by_quarter(quarter):
    rows = report(quarter, "2025")["themes-over-time"].rows

    assert rows[0] == ["Voice of the child", *[0] * 7, 1, 1, 0, 0, 0, 0, 0, 2, 0, 2]


def test_teams_and_agencies_benchmarked(quarter):
    figures = report(quarter)

    assert figures["benchmark-team"].rows == [["Team East", 2, 0, 1, 0, 1, "50.0%"]]
    assert figures["benchmark-agency"].rows == [["Children's Services", 2, 0, 1, 0, 1, "50.0%"]]


def test_learning_actions_on_the_themes_found_without_their_text(quarter):
    LearningAction.objects.create(
        theme=Theme.objects.get(name="Drift"),
        kind=LearningKind.BRIEFING,
        text="Briefing about Zephyrine's case",
        owner=quarter.people["auditor"],
        due_date="2025-11-01",
        created_by=quarter.people["auditor"],
    )

    assert report(quarter)["learning-actions"].rows == [
        ["Drift", "Briefing", "01 Nov 2025", "Open"]
    ]


def test_an_agency_lead_reads_only_their_agencies_reviews(quarter):
    # The reviews are of Children's Services' team: the police lead has none to read.
    assert report(quarter, user="lead_police")["benchmark-team"].rows == []


def test_page_and_pdf_carry_no_child_identifying_data(quarter, client):
    client.force_login(quarter.people["board"])

    page = client.get("/board/themes/", {"period": "2025-Q3"})
    pdf = client.get("/board/themes.pdf", {"period": "2025-Q3"})

    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = text_of(pdf.content)
    assert "Voice of the child" in text and "Team East 2 0 1 0 1 50.0%" in text
    for secret in SECRETS:
        assert secret not in page.content.decode()
        assert secret not in text


def test_the_pdf_is_audited(quarter, client):
    client.force_login(quarter.people["board"])

    client.get("/board/themes.pdf", {"period": "2025-Q3"})

    event = AuditEvent.objects.get(action="exported_pdf", actor=quarter.people["board"])
    assert event.object_type == "board.themes_report" and event.object_id == "2025-Q3"


def test_the_pdf_is_marked_on_every_page(quarter, client):
    from pypdf import PdfReader

    client.force_login(quarter.people["board"])

    pdf = client.get("/board/themes.pdf", {"period": "2025"}).content

    for page in PdfReader(io.BytesIO(pdf)).pages:
        assert page.extract_text().count("OFFICIAL-SENSITIVE") >= 2
