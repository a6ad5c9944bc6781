"""Who may make, download and read the board's reports, and who is refused.

The reports' rows of the access matrix are here (BOARD_REPORT_DOORS, in the matrix's own
format and world) because tests/agencies/ belongs to another team: adding
`DOORS.update(BOARD_REPORT_DOORS)` to tests/agencies/test_access_matrix.py makes them part of
it. Until then this module checks them for every position.
"""

import time

import pytest

import access
from agencies import two_factor
from agencies.models import AuditEvent
from board import services
from board.models import QuarterlyReport
from tests.board.conftest import TODAY

# --- On the hand-made quarter ----------------------------------------------------------------


@pytest.fixture
def report(quarter):
    made, _ = services.quarterly_report_make(
        actor=None, panel=quarter.panel, quarter="2025-Q3", today=TODAY
    )
    return made


def _paths(report):
    base = f"/board/reports/{report.panel_id}/{report.quarter}/v{report.version}"
    return f"{base}.pdf", f"{base}/"


def grow_old(client, seconds=None):
    """The session's second factor, older than the step-up window."""
    from django.conf import settings

    session = client.session
    age = (seconds or settings.SECOND_FACTOR_STEP_UP_SECONDS) + 1
    session[two_factor.VERIFIED_AT] = int(time.time()) - age
    session.save()


def test_the_board_member_finds_the_report_on_the_dashboard_and_downloads_it(
    quarter, report, client
):
    client.force_login(quarter.people["board"])
    pdf_path, page_path = _paths(report)

    page = client.get("/board/dashboard/", {"period": "2025-Q3"}).content.decode()
    download = client.get(pdf_path)

    assert pdf_path in page and page_path in page and report.sha256 in page
    assert download.status_code == 200 and download.content == bytes(report.pdf)
    assert download["ETag"] == f'"{report.sha256}"'
    assert download["Content-Type"] == "application/pdf"


def test_the_board_member_makes_a_version_with_a_post(quarter, client):
    client.force_login(quarter.people["board"])

    response = client.post(f"/board/reports/{quarter.panel.pk}/make/", {"quarter": "2025-Q3"})

    assert response.status_code == 302
    made = QuarterlyReport.objects.get()
    assert made.made_by == quarter.people["board"] and made.quarter == "2025-Q3"


def test_the_panels_coordinator_makes_it_too(quarter, coordinator_p, client):
    client.force_login(coordinator_p)

    client.post(f"/board/reports/{quarter.panel.pk}/make/", {"quarter": "2025Q3"})

    assert QuarterlyReport.objects.get().made_by == coordinator_p


def test_a_quarter_not_yet_ended_makes_nothing(quarter, client):
    client.force_login(quarter.people["board"])

    response = client.post(f"/board/reports/{quarter.panel.pk}/make/", {"quarter": "2099-Q1"})

    assert response.status_code == 302 and not QuarterlyReport.objects.exists()


@pytest.mark.parametrize("name", ["referrer", "lead_police", "coordinator", "auditor"])
def test_a_person_without_the_right_is_refused_the_post_the_download_and_the_page(
    quarter, report, client, name
):
    client.force_login(quarter.people[name])
    pdf_path, page_path = _paths(report)

    post = client.post(f"/board/reports/{quarter.panel.pk}/make/", {"quarter": "2025-Q3"})
    missing = client.get(pdf_path.replace(f"/v{report.version}.", "/v99."))

    # The same 404 as for a version that does not exist.
    assert post.status_code == 404
    assert client.get(pdf_path).status_code == missing.status_code == 404
    assert client.get(page_path).status_code == 404
    assert QuarterlyReport.objects.count() == 1
    assert not AuditEvent.objects.filter(action="exported_pdf").exists()


def test_an_agency_lead_sees_the_dashboard_but_not_the_panels_reports(quarter, report, client):
    client.force_login(quarter.people["lead_police"])

    page = client.get("/board/dashboard/", {"period": "2025-Q3"})

    assert page.status_code == 200
    assert report.sha256 not in page.content.decode()
    assert f"/board/reports/{quarter.panel.pk}/make/" not in page.content.decode()


def test_a_person_without_the_dashboard_is_refused_the_themes_page_and_pdf(quarter, client):
    client.force_login(quarter.people["referrer"])

    assert client.get("/board/dashboard/").status_code == 403
    assert client.get("/board/themes/").status_code == 403
    assert client.get("/board/themes.pdf").status_code == 404


def test_anyone_not_signed_in_gets_the_404_of_a_document(report, client):
    pdf_path, page_path = _paths(report)

    assert client.get(pdf_path).status_code == 404
    assert client.get(page_path).status_code == 404
    assert client.get("/board/themes.pdf").status_code == 404


def test_downloads_ask_for_the_second_factor_again_and_record_nothing_until_then(
    quarter, report, client
):
    client.force_login(quarter.people["board"])
    grow_old(client)
    pdf_path, page_path = _paths(report)

    for path in (pdf_path, page_path, "/board/themes.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "second-factor" in response["Location"]
    assert not AuditEvent.objects.filter(action="exported_pdf").exists()


def test_the_download_and_the_web_page_are_audited(quarter, report, client):
    client.force_login(quarter.people["board"])
    pdf_path, page_path = _paths(report)

    client.get(pdf_path)
    client.get(page_path)

    details = list(
        AuditEvent.objects.filter(
            action="exported_pdf", object_type="board.quarterlyreport", object_id=str(report.pk)
        ).values_list("detail", flat=True)
    )
    assert len(details) == 2 and any("web page" in d for d in details)


def test_the_web_page_shows_the_versions_figures_and_no_child(quarter, report, client):
    from tests.board.conftest import SECRETS

    client.force_login(quarter.people["board"])

    page = client.get(_paths(report)[1]).content.decode()

    assert "OFFICIAL-SENSITIVE" in page and page.count("<svg") >= 5
    assert "Repeat referrals (the same child within 12 months): the figures" in page
    for secret in SECRETS:
        assert secret not in page


def test_the_policys_pairs_agree(quarter, report, coordinator_p):
    for user in quarter.people.values():
        visible = set(access.visible_quarterly_reports(user))
        reportable = set(access.panels_reportable_by(user))
        assert (report in visible) == access.can_view_quarterly_report(user, report)
        assert (quarter.panel in reportable) == access.can_make_quarterly_report(
            user, quarter.panel
        )
    assert access.can_make_quarterly_report(coordinator_p, quarter.panel)
    assert not access.can_make_quarterly_report(quarter.people["lead_police"], quarter.panel)
