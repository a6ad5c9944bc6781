"""The dashboard page and its CSVs: who sees them, and that no child is identified."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AuditEvent
from board import selectors
from tests.board.conftest import SECRETS


def test_board_member_dashboard_and_csvs_carry_no_child_identifying_data(quarter, client):
    client.force_login(quarter.people["board"])

    page = client.get("/board/dashboard/", {"period": "2025-Q3"})
    outputs = [page.content.decode()]
    for key in selectors.FIGURE_KEYS:
        csv = client.get(f"/board/dashboard/{key}.csv", {"period": "2025-Q3"})
        assert csv.status_code == 200
        outputs.append(csv.content.decode())

    assert page.status_code == 200 and "<svg" in page.content.decode()
    for text in outputs:
        for secret in SECRETS:
            assert secret not in text


def test_each_chart_has_its_table_of_numbers(quarter, client):
    client.force_login(quarter.people["board"])

    page = client.get("/board/dashboard/", {"period": "2025-Q3"}).content.decode()

    assert page.count('role="img"') == page.count("<svg")
    assert "Repeat referrals (the same child within 12 months): the figures" in page


def test_csv_export_is_audited(quarter, client):
    client.force_login(quarter.people["board"])

    client.get("/board/dashboard/qa-themes.csv", {"period": "2025-Q3"})

    assert AuditEvent.objects.filter(action="exported_csv", actor=quarter.people["board"]).exists()


def test_coordinator_without_a_seat_and_a_referrer_are_refused(quarter, client):
    for name in ("coordinator", "referrer", "auditor"):
        client.force_login(quarter.people[name])
        assert client.get("/board/dashboard/").status_code == 403


def test_board_papers_page_links_to_the_dashboard(quarter, client):
    client.force_login(quarter.people["board"])

    assert "/board/dashboard/" in client.get("/board/").content.decode()


def test_query_count_does_not_grow_with_the_data(quarter, client):
    from referrals.models import Referral

    client.force_login(quarter.people["board"])
    client.get("/board/dashboard/", {"period": "2025-Q3"})
    with CaptureQueriesContext(connection) as small:
        client.get("/board/dashboard/", {"period": "2025-Q3"})
    base = quarter.referrals["r2"]
    for n in range(20):
        Referral.objects.create(
            reference=f"MORE-{n}",
            child=base.child,
            agency=quarter.school,
            referrer=base.referrer,
            hub=quarter.panel,
            state=base.state,
            submitted_at=base.submitted_at,
            decided_at=base.decided_at,
            decision_due_at=base.decision_due_at,
            categories=["cce"],
        )
    with CaptureQueriesContext(connection) as large:
        client.get("/board/dashboard/", {"period": "2025-Q3"})

    assert len(large) == len(small)
