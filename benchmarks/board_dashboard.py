"""The board's dashboard at a year's and five years' data: render time and query count,
beside raw SQL of its biggest figure (referrals by agency per month).

    .venv/bin/python benchmarks/board_dashboard.py              # a year, then five years
    .venv/bin/python benchmarks/board_dashboard.py --scale 0.1  # a tenth of each (quick)

A year is 6,000 referrals, 300 meetings, 5,000 actions and 500 reviews; five years is five
times that, spread over five years (the dashboard reads one quarter, so most rows are outside
it, as in life). It builds a test database of its own (dropped at the end) and opens the page
through Django's test client as a board member overseeing the hub. The query count must be
the same at both sizes (exit status 1 otherwise); times are for reading, not asserting.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "test")

LONDON = ZoneInfo("Europe/London")
YEAR = {"referrals": 6000, "meetings": 300, "actions": 5000, "reviews": 500}
CATEGORIES = ["cse", "cce", "missing", "neglect", "online", "domestic"]


def seed(*, years: int, scale: float, first_year: int, rng: random.Random) -> dict:
    from agencies.models import AgencyType, Membership, Role, Team
    from casework.models import Allocation, CaseloadTarget, CaseReview, Grade
    from panels.models import (
        Action,
        ActionStatus,
        AgendaItem,
        Meeting,
        MeetingStatus,
        Panel,
        PanelKind,
        PanelOversight,
    )
    from referrals.models import Child, Referral, ReferralState
    from tests.factories import AgencyFactory, UserFactory

    agencies = [AgencyFactory(name=f"Bench {t.label}", agency_type=t) for t in list(AgencyType)[:6]]
    csc = agencies[3]
    board = UserFactory(username="bench.board")
    Membership.objects.create(user=board, agency=csc, role=Role.BOARD_MEMBER)
    hub = Panel.objects.create(name="Bench MASH", kind=PanelKind.MASH)
    PanelOversight.objects.create(panel=hub, user=board)
    teams = [Team.objects.create(agency=csc, name=f"Team {n}") for n in range(6)]
    workers = []
    for n, team in enumerate(teams):
        CaseloadTarget.objects.create(team=team, per_worker=18)
        for w in range(5):
            user = UserFactory(username=f"bench.w{n}.{w}")
            Membership.objects.create(user=user, agency=csc, role=Role.REFERRER, team=team)
            workers.append((team, user))
    start = datetime(first_year, 1, 1, 9, tzinfo=LONDON)
    days = 365 * years

    def moment():
        return start + timedelta(days=rng.randrange(days), hours=rng.randrange(9))

    n_ref = int(YEAR["referrals"] * scale * years)
    children = Child.objects.bulk_create(
        Child(first_name=f"Bench{n}", last_name="Child") for n in range(max(1, n_ref * 2 // 3))
    )
    referrals = []
    for n in range(n_ref):
        submitted = moment()
        decided = submitted + timedelta(hours=rng.randrange(2, 60))
        referrals.append(
            Referral(
                reference=f"B-{n}",
                child=rng.choice(children),
                agency=rng.choice(agencies),
                referrer=board,
                hub=hub,
                state=rng.choice([ReferralState.LISTED_FOR_PANEL, ReferralState.CLOSED]),
                categories=rng.sample(CATEGORIES, rng.randrange(1, 3)),
                submitted_at=submitted,
                decided_at=decided,
                decision_due_at=submitted + timedelta(hours=32),
            )
        )
    referrals = Referral.objects.bulk_create(referrals, batch_size=2000)
    meetings = Meeting.objects.bulk_create(
        Meeting(panel=hub, starts_at=moment(), status=MeetingStatus.CLOSED)
        for _ in range(int(YEAR["meetings"] * scale * years))
    )
    items = AgendaItem.objects.bulk_create(
        (AgendaItem(meeting=rng.choice(meetings), referral=r, position=1) for r in referrals[::2]),
        batch_size=2000,
    )
    statuses = [ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.IN_PROGRESS]
    actions = []
    for _ in range(int(YEAR["actions"] * scale * years)):
        item = rng.choice(items)
        created = item.meeting.starts_at
        actions.append(
            Action(
                meeting=item.meeting,
                agenda_item=item,
                text="Bench action.",
                owner_agency=rng.choice(agencies),
                due_date=(created + timedelta(days=rng.randrange(5, 40))).date(),
                status=rng.choice(statuses),
                created_by=board,
                created_at=created,
            )
        )
    Action.objects.bulk_create(actions, batch_size=2000)
    live = [r for r in referrals if r.state == ReferralState.LISTED_FOR_PANEL]
    allocations = Allocation.objects.bulk_create(
        (
            Allocation(
                referral=r,
                team=t,
                worker=u,
                allocated_by=board,
                reason="Bench.",
                allocated_at=r.decided_at,
            )
            for r, (t, u) in ((r, rng.choice(workers)) for r in live[: len(workers) * 20])
        ),
        batch_size=2000,
    )
    CaseReview.objects.bulk_create(
        (
            CaseReview(
                referral=a.referral,
                allocation=a,
                team=a.team,
                worker=a.worker,
                reviewer=board,
                status="feedback_given",
                grade=rng.choice(Grade.values),
                graded_at=a.allocated_at + timedelta(days=5),
                feedback="Bench.",
            )
            for a in (rng.choice(allocations) for _ in range(int(YEAR["reviews"] * scale * years)))
        ),
        batch_size=2000,
    )
    return {"board": board, "referrals": n_ref}


RAW_SQL = {
    "sqlite": """
        SELECT a.name, strftime('%Y-%m', r.submitted_at) AS month, COUNT(*)
        FROM referrals_referral r JOIN agencies_agency a ON a.id = r.agency_id
        WHERE r.hub_id IN ({panels}) AND r.state <> 'draft'
          AND r.submitted_at >= %s AND r.submitted_at < %s
        GROUP BY a.name, month ORDER BY a.name, month""",
    "postgresql": """
        SELECT a.name, to_char(r.submitted_at AT TIME ZONE 'Europe/London', 'YYYY-MM') AS month,
               COUNT(*)
        FROM referrals_referral r JOIN agencies_agency a ON a.id = r.agency_id
        WHERE r.hub_id IN ({panels}) AND r.state <> 'draft'
          AND r.submitted_at >= %s AND r.submitted_at < %s
        GROUP BY a.name, month ORDER BY a.name, month""",
}


def measure(client, board, period_key: str, runs: int) -> tuple[float, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import access
    from board.periods import period_from

    client.force_login(board)
    client.get("/board/dashboard/", {"period": period_key})  # warm
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get("/board/dashboard/", {"period": period_key})
            times.append(time.perf_counter() - t0)
        assert response.status_code == 200
    period = period_from(period_key)
    panels = ",".join(str(p) for p in access.dashboard_oversight(board).panel_ids)
    sql = RAW_SQL["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    raw = []
    for _ in range(runs):
        with connection.cursor() as cursor:
            t0 = time.perf_counter()
            cursor.execute(sql.format(panels=panels), [period.start, period.end])
            cursor.fetchall()
            raw.append(time.perf_counter() - t0)
    return statistics.median(times), len(queries), statistics.median(raw)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of a year's rows")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from benchmarks.signing_in import patch_test_client

    setup_test_environment()
    patch_test_client()
    config = setup_databases(verbosity=0, interactive=False)
    counts = []
    try:
        print(f"board_dashboard: {connection.vendor}, scale {args.scale}, period 2025-Q2")
        for years in (1, 5):
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
            t0 = time.perf_counter()
            seeded = seed(
                years=years, scale=args.scale, first_year=2025 - years + 1, rng=random.Random(17)
            )
            took = time.perf_counter() - t0
            render, queries, raw = measure(Client(), seeded["board"], "2025-Q2", args.runs)
            counts.append(queries)
            print(
                f"{years} year{'s' if years > 1 else ''}: {seeded['referrals']:,} referrals "
                f"(seeded in {took:.1f} s): dashboard p50 {render * 1000:.0f} ms, "
                f"{queries} queries; raw SQL of referrals by agency per month p50 "
                f"{raw * 1000:.1f} ms"
            )
    finally:
        teardown_databases(config, verbosity=0)
    constant = len(set(counts)) == 1
    print("query count constant across sizes:", "yes" if constant else f"NO {counts}")
    return 0 if constant else 1


if __name__ == "__main__":
    sys.exit(main())
