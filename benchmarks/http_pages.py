"""Benchmark: the pages people open most, over HTTP on one daphne process, beside bare views.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_bench13 \\
        .venv/bin/python benchmarks/http_pages.py            # 100,000 referrals
    ... benchmarks/http_pages.py --city                      # 1,000,000 referrals (a city)

Creates the database if it is missing, migrates it and seeds it once (benchmarks/seed.py, the
same data as benchmarks/visible_referrals.py: 60 agencies, panels, meetings, agendas, shares
...; `--city` seeds ten times as many cases); later runs reuse it. It starts one daphne
process (DEBUG off, the project's middleware, benchmarks/http_settings.py) and signs the
people in (a session each, as `login()` makes it). Then, for each page and the person who
opens it most, it sends `--runs` timed GETs after `--warmup`, one at a time on a keep-alive
connection, interleaved with the same number to the page's bare view (benchmarks/http_urls.py:
the same rows, read with plain querysets or raw SQL, returned as JSON, behind the same
middleware). It prints p50/p95 of both, their ratio, and the queries each runs (counted
in-process with CaptureQueriesContext on the same database, one opening each). The referral
list is measured for four people (agency lead, panel member, quality auditor, referrer)
against benchmarks/raw_sql.py's hand-written SQL of the same rows.

Targets (issue 13): at most 12 queries a page; the referral list's p95 at most 1.5x the raw
SQL's. Exit status 1 when a target is missed, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.http_settings")
os.environ.setdefault("DJANGO_ENV", "development")
# The same key in this process (which makes the sessions) and in daphne (which reads them).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from benchmarks import visible_referrals as vr  # noqa: E402

CITY = 1_000_000
QUERY_TARGET = 12
LIST_RATIO_TARGET = 1.5


def fail(message: str, status: int = 2) -> None:
    sys.stderr.write(f"http_pages benchmark: {message}\n")
    raise SystemExit(status)


@dataclass(frozen=True)
class Case:
    page: str
    who: str
    path: str
    bare: str


# --- The server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daphne(port: int, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.http_settings",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)  # one process: the in-memory channel layer
    with log_path.open("w") as log:
        daphne = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            + ["config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if daphne.poll() is not None:
            fail(f"daphne exited ({daphne.returncode}):\n{log_path.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return daphne
        except OSError:
            pass
        time.sleep(0.2)
    daphne.terminate()
    fail(f"daphne did not answer /healthz within 60 s:\n{log_path.read_text()}")


class Browser:
    """One person's keep-alive connection with their session cookie."""

    def __init__(self, port: int, cookie: str):
        self.port, self.cookie = port, cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> float:
        started = time.perf_counter()
        try:
            self.conn.request("GET", path, headers={"Cookie": self.cookie})
            response = self.conn.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return self.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            fail(f"GET {path} answered {response.status} (expected 200)")
        return elapsed


# --- Measuring -------------------------------------------------------------------------------


def sign_in(users: dict) -> dict[str, str]:
    """A session per person, made by Django's own login() (through the test client)."""
    from django.conf import settings

    from benchmarks.signing_in import signed_in_client

    cookies = {}
    for who, user in users.items():
        client = signed_in_client(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies[who] = f"{settings.SESSION_COOKIE_NAME}={session}"
    return cookies


def count_queries(user, path: str) -> int:
    """The queries of one opening of `path` by `user`, in this process on the same database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from benchmarks.signing_in import signed_in_client

    client = signed_in_client(user)
    with override_settings(ALLOWED_HOSTS=["*"]), CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    if response.status_code != 200:
        fail(f"{path} answered {response.status_code} in-process")
    return len(ctx.captured_queries)


def time_case(browser: Browser, case: Case, *, runs: int, warmup: int) -> tuple[list, list]:
    for _ in range(warmup):
        browser.get(case.path)
        browser.get(case.bare)
    page, bare = [], []
    for i in range(runs):
        # Alternate which side goes first, so neither always follows the other.
        if i % 2:
            bare.append(browser.get(case.bare))
            page.append(browser.get(case.path))
        else:
            page.append(browser.get(case.path))
            bare.append(browser.get(case.bare))
    return page, bare


def choose(world) -> tuple[dict, list[Case]]:
    """The people, and the page each opens most, in the seeded data."""
    from django.contrib.auth import get_user_model

    from agencies.models import Membership, Role
    from panels.models import AgendaItem, Meeting, MeetingStatus
    from referrals.models import Referral, ReferralState

    User = get_user_model()
    referrer_id = (
        Membership.objects.active()
        .filter(agency_id=world.bench_agency_id, role=Role.REFERRER)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .first()
    )
    users = {
        "agency lead": User.objects.get(pk=world.bench_lead_id),
        "panel member": User.objects.get(pk=world.bench_panel_member_id),
        "auditor": User.objects.get(pk=world.bench_auditor_id),
        "referrer": User.objects.get(pk=referrer_id),
        "coordinator": User.objects.get(username="coordinator.1"),
    }
    referral = (
        Referral.objects.filter(agency_id=world.bench_agency_id)
        .exclude(state=ReferralState.DRAFT)
        .order_by("-created_at")
        .first()
    )
    # The coming meeting of the panel member's panel with the longest agenda: the coordinator
    # runs it (every form of the room is drawn).
    meeting = max(
        Meeting.objects.filter(panel_id=world.bench_panel_id).exclude(status=MeetingStatus.CLOSED),
        key=lambda m: AgendaItem.objects.filter(meeting=m, withdrawn_at__isnull=True).count(),
    )
    cases = [
        Case("home", "agency lead", "/", "/bench/bare/home/"),
        *(
            Case("referral list", who, "/referrals/", "/bench/bare/referrals/")
            for who in ("agency lead", "panel member", "auditor", "referrer")
        ),
        Case(
            "referral page",
            "agency lead",
            f"/referrals/{referral.pk}/",
            f"/bench/bare/referrals/{referral.pk}/",
        ),
        Case("screening queue", "coordinator", "/screening/", "/bench/bare/screening/"),
        Case(
            "meeting room",
            "coordinator",
            f"/meetings/{meeting.pk}/",
            f"/bench/bare/meetings/{meeting.pk}/",
        ),
        Case("action log", "coordinator", "/actions/", "/bench/bare/actions/"),
    ]
    return users, cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", action="store_true", help=f"seed {CITY:,} referrals")
    parser.add_argument("--runs", type=int, default=100, help="timed requests per side")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args(argv)
    if args.city:
        vr.N_REFERRALS = CITY  # the seed's size and its marker follow it

    db = vr.database_settings()
    if vr.ensure_database(db):
        print(f"Created database {db['NAME']!r}.")

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from benchmarks import seed

    vr.refuse_foreign_database()
    call_command("migrate", verbosity=0, interactive=False)
    vr.ensure_seeded(reseed=args.reseed)
    now = timezone.now()
    world = seed.load_world(now)
    seed.refresh_live_break_glass(world, now)
    users, cases = choose(world)
    cookies = sign_in(users)
    counts = {
        case: (count_queries(users[case.who], case.path), count_queries(users[case.who], case.bare))
        for case in cases
    }

    port = free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"http_pages_daphne_{port}.log"
    load_start = os.getloadavg()[0]
    daphne = start_daphne(port, log_path)
    # A benchmark stopped with SIGTERM stops its daphne too (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    try:
        samples = {}
        for case in cases:
            browser = Browser(port, cookies[case.who])
            samples[case] = time_case(browser, case, runs=args.runs, warmup=args.warmup)
    finally:
        daphne.terminate()
        daphne.wait(timeout=10)

    print(
        f"\nData: {vr.N_REFERRALS:,} referrals; PostgreSQL; {os.cpu_count()} CPUs; one daphne "
        f"process, DEBUG off; {args.runs} timed GETs per side after {args.warmup} warm-ups, "
        f"one at a time, page and bare view interleaved; load average {load_start:.2f} at the "
        f"start, {os.getloadavg()[0]:.2f} at the end. p50/p95 nearest-rank, ms."
    )
    print(
        f"Targets: at most {QUERY_TARGET} queries a page; referral list p95 at most "
        f"{LIST_RATIO_TARGET}x the raw SQL's.\n"
    )
    header = (
        f"{'page':<16} {'who':<13} {'page p50/p95':>15} {'queries':>7}  "
        f"{'bare p50/p95':>15} {'queries':>7}  {'p50 x':>6} {'p95 x':>6}  result"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for case in cases:
        page, bare = samples[case]
        p50, p95 = vr.percentile(page, 50), vr.percentile(page, 95)
        b50, b95 = vr.percentile(bare, 50), vr.percentile(bare, 95)
        queries, bare_queries = counts[case]
        why = []
        if queries > QUERY_TARGET:
            why.append(f"{queries} queries > {QUERY_TARGET}")
        if case.page == "referral list" and p95 / b95 > LIST_RATIO_TARGET:
            why.append(f"p95 {p95 / b95:.2f}x > {LIST_RATIO_TARGET}x raw SQL")
        failed |= bool(why)
        print(
            f"{case.page:<16} {case.who:<13} {p50:6.1f} / {p95:6.1f} {queries:>7}  "
            f"{b50:6.1f} / {b95:6.1f} {bare_queries:>7}  {p50 / b50:5.2f}x {p95 / b95:5.2f}x  "
            + ("FAIL (" + "; ".join(why) + ")" if why else "ok")
        )
    print(
        "\nBare views (benchmarks/http_urls.py): the same rows as JSON, behind the same "
        "middleware; the referral list's is benchmarks/raw_sql.py (the person's roles, then "
        "the page). Query counts include the session, the user and, on the pages, the access "
        "scope's roles, the header and the audit row."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
