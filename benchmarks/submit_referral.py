"""Benchmark: referral submissions through the API, over HTTP, against one daphne process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_bench_submit \\
        .venv/bin/python benchmarks/submit_referral.py

PostgreSQL only. Creates the database if it is missing, migrates it and seeds it afresh on
every run (one agency with a referrer and their API token, the MASH hub, and 100,000
children written with COPY), so every run starts from the same data. Refuses a database
holding data it did not seed.

Then it times 50 submissions in-process, part by part (`--profile FILE` also writes a
cProfile of 50 more; `--in-process-only` stops there), starts ONE daphne process (settings
benchmarks.submit_settings: the project's, plus the bare view of benchmarks/submit_urls.py)
and sends, from several client threads on keep-alive connections, the same submissions to:

- the API: POST /api/v1/referrals/ with a token and an Idempotency-Key: validation, the
  policy, then one transaction with the draft, the key and the submission (clocks, child
  matching), the audit rows, and the answer from the rows written;
- the bare view: a plain Django view that writes the same child and referral rows.

Each request carries a different child; one in ten is a child already known (same NHS
number, name and date of birth), so matching finds something. Requests per second and
p50/p95/p99 latency are printed for both sides, measured in the same run.

Last, EXPLAIN (ANALYZE) of child matching's one query (referrals.matching.find_candidates:
the same NHS number, or the same date of birth or that date with day and month swapped),
with the runs' referrals in the database.

Targets: the API takes at least half the bare view's submissions a second in the same run
(issue 13), and matching uses the children's indexes (no sequential scan of the children).
The first target, 100 a second on one process, is printed beside them. Both sides run on
production's database pool unless `--database per-call`. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")

N_CHILDREN = 100_000
TARGET_PER_SECOND = 100
TARGET_SHARE_OF_BARE = 0.5
DATABASE_CHOICE = "pool"  # --database
FIRST_REFUSALS: dict[int, str] = {}  # the first body of each refusal status, printed at the end
MARKER = "safeguarding-panels submit benchmark seed"
USERNAME = "bench.referrer"
FIRST_NAMES = (  # noqa: SIM905 - a list of names reads better as words
    "Amelia Olivia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Evie "
    "Poppy Ella Harper Emily Aria Sienna Muhammad Noah Oliver George Arthur Leo Harry "
    "Oscar Archie Henry Theodore Freddie Jack Charlie Finley Tommy Alfie Jacob Thomas "
    "Reggie Kai Ellie-Mae"
).split()
LAST_NAMES = (  # noqa: SIM905 - a list of names reads better as words
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright "
    "Thompson Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris "
    "Edwards Turner Martin Cooper Hill Ward Hughes Moore Clark King Harrison Lewis Baker "
    "Lee Allen Morris Khan Scott Watson Davis Parker James Bennett Young Phillips "
    "Richardson Mitchell Bailey"
).split()


def fail(message: str, status: int = 2) -> None:
    sys.stderr.write(f"submit_referral benchmark: {message}\n")
    raise SystemExit(status)


def database_settings() -> dict:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        fail(
            "DATABASE_URL is not set. This benchmark runs on PostgreSQL only, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_bench_submit "
            ".venv/bin/python benchmarks/submit_referral.py"
        )
    db = dj_database_url.parse(url)
    if db["ENGINE"] != "django.db.backends.postgresql":
        fail(f"DATABASE_URL must point at PostgreSQL (postgres://...), not {db['ENGINE']}.")
    return db


# --- Seeding ---------------------------------------------------------------------------------


def valid_nhs_number(rng: random.Random) -> str:
    from referrals.validators import nhs_number_check_digit

    while True:
        first_nine = f"{rng.randrange(400_000_000, 999_999_999):09d}"
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def random_birthday(rng: random.Random, today: date) -> date:
    return today - timedelta(days=rng.randrange(30, 25 * 365 - 30))


def refuse_foreign_database() -> None:
    from django.db import connection

    from benchmarks.visible_referrals import seed_marker

    if seed_marker().startswith(MARKER):
        return
    with connection.cursor() as cursor:
        for table in ("auth_user", "agencies_agency", "referrals_referral"):
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
            if cursor.fetchone()[0]:
                fail(
                    f"database {connection.settings_dict['NAME']!r} holds data this benchmark "
                    f"did not seed ({table} has rows). Seeding empties the database first, so "
                    "point DATABASE_URL at a database of its own "
                    "(e.g. .../safeguarding_bench_submit)."
                )


@dataclass
class Seeded:
    agency_id: int
    referrer_id: int
    token: str
    known: list  # (first name, last name, date of birth, NHS number) of some seeded children


def seed(rng: random.Random) -> Seeded:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies.models import AgencyType, Membership, Role
    from agencies.services import agency_ensure_permission_group
    from benchmarks.seed import copy_objects, reset_sequences
    from panels.models import Panel, PanelKind
    from referrals.api.tokens import key_digest
    from referrals.matching import search_name_for
    from referrals.models import ApiToken, Child

    started = time.perf_counter()
    today = timezone.localdate()
    now = timezone.now()
    known = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename NOT IN ('django_migrations', 'django_content_type', "
                "'auth_permission')"
            )
            tables = [connection.ops.quote_name(t) for (t,) in cursor.fetchall()]
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        from agencies.models import Agency

        agency = Agency.objects.create(name="Bench Constabulary", agency_type=AgencyType.POLICE)
        agency_ensure_permission_group(agency=agency)
        referrer = get_user_model().objects.create_user(USERNAME, first_name="Bench")
        Membership.objects.create(user=referrer, agency=agency, role=Role.REFERRER)
        Panel.objects.create(name="Bench MASH", kind=PanelKind.MASH)
        # Seeded directly, as the rest is, inside this one transaction (the audited service
        # is a durable transaction of its own).
        token = secrets.token_hex(20)
        ApiToken.objects.create(user=referrer, key_sha256=key_digest(token))

        def children():
            for pk in range(1, N_CHILDREN + 1):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                born = random_birthday(rng, today)
                # Most children known to health have an NHS number on record; some do not.
                nhs = valid_nhs_number(rng) if rng.random() < 0.8 else ""
                if nhs and len(known) < 2_000 and rng.random() < 0.05:
                    known.append((first, last, born.isoformat(), nhs))
                yield Child(
                    pk=pk,
                    first_name=first,
                    last_name=last,
                    date_of_birth=born,
                    gender=rng.choice(["female", "male"]),
                    nhs_number=nhs,
                    search_name=search_name_for(first, last),
                    created_at=now,
                )

        written = copy_objects(Child, children())
        reset_sequences([Child])
        database = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute(f"COMMENT ON DATABASE {database} IS %s", [f"{MARKER}: {written}"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"Seed: {written:,} children (COPY), one agency, its referrer and API token, the MASH "
        f"hub; {time.perf_counter() - started:.1f} s with VACUUM ANALYZE."
    )
    return Seeded(agency.pk, referrer.pk, token, known)


# --- Matching uses indexes -------------------------------------------------------------------

SCAN = re.compile(r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Index Scan)(?: using (\S+))? on")


def explain_matching(seeded: Seeded) -> bool:
    """EXPLAIN ANALYZE of the one lookup referrals.matching.find_candidates makes: a known
    child's NHS number, or the busiest date of birth (and that date with day and month
    swapped), as the function sends it."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from referrals.matching import find_candidates
    from referrals.models import Child

    first, last, born, nhs = seeded.known[0]
    busiest_day = (
        Child.objects.values("date_of_birth")
        .annotate(n=Count("pk"))
        .order_by("-n", "date_of_birth")
        .first()
    )
    with CaptureQueriesContext(connection) as captured:
        find_candidates(
            first_name=first,
            last_name=last,
            date_of_birth=busiest_day["date_of_birth"],
            nhs_number=nhs,
            exclude_child_id=0,
        )
    (query,) = captured.captured_queries
    print(
        "\nEXPLAIN (ANALYZE) of child matching's one query (referrals.matching.find_candidates): "
        f"NHS number {nhs}, or born on {busiest_day['date_of_birth']} (the busiest day: "
        f"{busiest_day['n']} children) or that date with day and month swapped:"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE) {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for line in plan.splitlines():
        print(f"    {line}")
    indexed = "Seq Scan on referrals_child" not in plan and "Index" in plan
    if not indexed:
        print("    -> NOT INDEXED: a sequential scan of the children")
    return indexed


# --- The server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_daphne(port: int, seeded: Seeded, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.submit_settings",
        "DJANGO_ENV": "development",
        "DEBUG": "0",  # as in production: no query log, no debug pages
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
        "BENCH_AGENCY_ID": str(seeded.agency_id),
        "BENCH_REFERRER_ID": str(seeded.referrer_id),
        "BENCH_DATABASE": DATABASE_CHOICE,
        # One token sends every request here: its per-minute limit (120 in production, a
        # guard against a runaway client) would answer most of them 429.
        "API_TOKEN_REQUESTS_PER_MINUTE": "1000000",
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if daphne.poll() is not None:
            fail(f"daphne exited ({daphne.returncode}):\n{log_path.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return daphne
        except OSError:
            pass
        time.sleep(0.1)
    daphne.terminate()
    fail(f"daphne did not answer /healthz within 30 s:\n{log_path.read_text()}")


# --- The clients -----------------------------------------------------------------------------


def submission(rng: random.Random, seeded: Seeded, today: date) -> dict:
    if rng.random() < 0.1:
        first, last, born, nhs = rng.choice(seeded.known)  # a child already known
    else:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        born = random_birthday(rng, today).isoformat()
        nhs = valid_nhs_number(rng) if rng.random() < 0.8 else ""
    return {
        "child": {
            "first_name": first,
            "last_name": last,
            "date_of_birth": born,
            "gender": rng.choice(["female", "male"]),
            "postcode": "SW1A 1AA",
            "nhs_number": nhs,
        },
        "details": {
            "concern": "Missing overnight twice this week; seen with older males.",
            "categories": ["missing", "cse"],
            "family_aware": "yes",
            "consent": "not_sought",
            "lawful_basis": "Children Act 1989 s47; UK GDPR Art 6(1)(e)",
            "reason_without_consent": "Telling the family may place the child at greater risk.",
        },
        "household": [{"full_name": f"Parent {last}", "relationship": "mother"}],
    }


@dataclass
class Side:
    name: str
    path: str
    headers: dict
    idempotent: bool


@dataclass
class Run:
    count: int
    seconds: float
    latencies_ms: list
    statuses: dict


def send_all(port: int, side: Side, bodies: list[bytes], clients: int) -> Run:
    """POST every body, `clients` at a time on keep-alive connections; wall time and each
    request's latency."""
    next_index = itertools.count()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, codes = [], {}
        while (i := next(next_index)) < len(bodies):
            headers = {**side.headers, "Content-Type": "application/json"}
            if side.idempotent:
                headers["Idempotency-Key"] = str(uuid.uuid4())
            started = time.perf_counter()
            connection.request("POST", side.path, body=bodies[i], headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status >= 400 and response.status not in FIRST_REFUSALS:
                FIRST_REFUSALS[response.status] = body[:600].decode(errors="replace")
            mine.append((time.perf_counter() - started) * 1000)
            codes[response.status] = codes.get(response.status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Run(len(bodies), time.perf_counter() - started, latencies, statuses)


def percentile(samples: list[float], p: float) -> float:
    from benchmarks.visible_referrals import percentile as nearest_rank

    return nearest_rank(samples, p)


def where_the_time_goes(seeded: Seeded, bodies: list[dict], profile: Path | None = None) -> None:
    """Submissions one after another in this process (DEBUG off), with the parts timed: where
    an API submission's time goes, without HTTP, threads or the connection per request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from rest_framework.test import APIClient

    import access.roles
    from agencies import audit
    from referrals import intake, matching

    parts = {
        # Read once per request (access.scope), so this is one read per API call.
        "access.roles_of (the person's roles)": (access.roles, "_read_roles"),
        "intake.draft_save (in the one transaction)": (intake, "draft_save"),
        "intake.submit_locked (in the one transaction)": (intake, "submit_locked"),
        "matching.find_candidates": (matching, "find_candidates"),
        "audit.record": (audit, "record"),
    }
    spent = dict.fromkeys(parts, 0.0)
    calls = dict.fromkeys(parts, 0)
    originals = {label: getattr(module, name) for label, (module, name) in parts.items()}

    def timed(label, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started
                calls[label] += 1

        return wrapper

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {seeded.token}")

    def post(body):
        response = client.post(
            "/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
        if response.status_code != 201:
            fail(f"the API refused the benchmark's submission: {response.content[:500]!r}")

    with CaptureQueriesContext(connection) as captured:
        post(bodies[0])
    queries = len(captured.captured_queries)
    total = 0.0
    with override_settings(DEBUG=False):
        for body in bodies[1:11]:
            post(body)  # warm-up
        if profile is not None:
            # cProfile of the timed submissions alone (no part timers), for `--profile`.
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
            for body in bodies[61:]:
                post(body)
            profiler.disable()
            profiler.dump_stats(profile)
            print(f"\nProfile of {len(bodies) - 61} submissions written to {profile}.")
        for label, (module, name) in parts.items():
            setattr(module, name, timed(label, originals[label]))
        try:
            for body in bodies[11:61]:
                started = time.perf_counter()
                post(body)
                total += time.perf_counter() - started
        finally:
            for label, (module, name) in parts.items():
                setattr(module, name, originals[label])
    n = 50
    print(
        f"\nWhere an API submission's time goes: {n} submissions one after another in this "
        f"process, DEBUG off, mean ms per submission ({queries} queries each):"
    )
    print(f"  {'the whole request (no HTTP, no new connection)':<48} {total / n * 1000:6.1f}")
    for label in parts:
        print(f"  {label:<48} {spent[label] / n * 1000:6.1f}  ({calls[label] / n:.0f} calls)")
    print("  (parts overlap: the services' figures include their policy questions and audit rows)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Referral submissions over HTTP, one daphne.")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per side")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests per side")
    parser.add_argument(
        "--database",
        choices=["pool", "per-call"],
        default="pool",
        help="pool: production's psycopg pool (default); per-call: a connection per request",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="also write a cProfile of the in-process submissions to FILE (pstats format)",
    )
    parser.add_argument(
        "--in-process-only",
        action="store_true",
        help="stop after the in-process timing (and profile): no daphne, no HTTP sides",
    )
    args = parser.parse_args(argv)
    global DATABASE_CHOICE
    DATABASE_CHOICE = args.database

    db = database_settings()
    from benchmarks.visible_referrals import ensure_database

    if ensure_database(db):
        print(f"Created database {db['NAME']!r}.")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from agencies.models import AuditEvent
    from referrals.models import ChildMatch, Referral, ReferralState

    refuse_foreign_database()
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    print(
        f"PostgreSQL {version}; {os.cpu_count()} CPUs; load average "
        f"{os.getloadavg()[0]:.2f} at the start."
    )
    rng = random.Random(20261123)
    seeded = seed(rng)

    today = timezone.localdate()
    where_the_time_goes(
        seeded, [submission(rng, seeded, today) for _ in range(111)], profile=args.profile
    )
    if args.in_process_only:
        explain_matching(seeded)
        return 0
    connection.close()  # the script holds no connection while daphne is measured

    n = args.warmup + args.requests
    bodies = {
        side: [json.dumps(submission(rng, seeded, today)).encode() for _ in range(n)]
        for side in ("api", "bare")
    }
    sides = {
        "api": Side(
            "API (validation, policy, matching, audit)",
            "/api/v1/referrals/",
            {"Authorization": f"Token {seeded.token}"},
            idempotent=True,
        ),
        "bare": Side("bare Django view (two INSERTs)", "/bench/bare-referral/", {}, False),
    }
    port = free_port()
    log_path = ROOT / "test-artifacts" / "bench-submit-daphne.log"
    log_path.parent.mkdir(exist_ok=True)
    daphne = start_daphne(port, seeded, log_path)
    runs = {}
    try:
        for key, side in sides.items():
            send_all(port, side, bodies[key][: args.warmup], args.clients)
        for key, side in sides.items():
            runs[key] = send_all(port, side, bodies[key][args.warmup :], args.clients)
    finally:
        daphne.terminate()
        daphne.wait(timeout=10)

    print(
        f"\n{args.requests:,} timed submissions per side after {args.warmup} warm-ups; "
        f"{args.clients} concurrent clients (threads, keep-alive); one daphne process; "
        f"DEBUG off; load average {os.getloadavg()[0]:.2f} at the end."
    )
    print(
        f"Targets: the API at least {TARGET_SHARE_OF_BARE:.0%} of the bare view's rate in this "
        f"run (issue 13); {TARGET_PER_SECOND} a second (the first target). Database "
        f"connections: {DATABASE_CHOICE}.\n"
    )
    header = f"{'side':<42} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  statuses"
    print(header)
    print("-" * len(header))
    for key, side in sides.items():
        run = runs[key]
        per_second = run.count / run.seconds
        p50, p95, p99 = (percentile(run.latencies_ms, p) for p in (50, 95, 99))
        statuses = ", ".join(f"{code}: {k:,}" for code, k in sorted(run.statuses.items()))
        print(f"{side.name:<42} {per_second:7.1f} {p50:7.1f} {p95:7.1f} {p99:7.1f}  {statuses}")

    # Matching's query, explained once the referrals the runs submitted are there.
    indexed = explain_matching(seeded)
    submitted = Referral.objects.filter(state=ReferralState.SUBMITTED, reference__startswith="REF")
    print(
        f"\nAfterwards: {submitted.count():,} referrals submitted through the API, "
        f"{ChildMatch.objects.count():,} suggested child matches, "
        f"{AuditEvent.objects.count():,} audit rows."
    )
    for code, body in sorted(FIRST_REFUSALS.items()):
        print(f"First {code} answer: {body}")
    api_rate = runs["api"].count / runs["api"].seconds
    bare_rate = runs["bare"].count / runs["bare"].seconds
    share = api_rate / bare_rate
    ok_statuses = set(runs["api"].statuses) == {201} and set(runs["bare"].statuses) == {201}
    passed = share >= TARGET_SHARE_OF_BARE and indexed and ok_statuses
    verdict = "PASS" if passed else "FAIL"
    print(
        f"Result: {verdict} (API {api_rate:.1f}/s = {share:.0%} of the bare view's "
        f"{bare_rate:.1f}/s, target {TARGET_SHARE_OF_BARE:.0%}; "
        f"{'at or above' if api_rate >= TARGET_PER_SECOND else 'below'} "
        f"{TARGET_PER_SECOND}/s; "
        f"matching {'uses indexes' if indexed else 'SCANS the children'}"
        f"{'' if ok_statuses else '; some requests were refused'})."
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
