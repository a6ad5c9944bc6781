"""What one audit row costs: to write (through the service every door uses), to keep (bytes
on disk with its indexes) and to look up (one person's trail) as the table grows. The
figures feed docs/scaling.md's arithmetic for a national service (a billion rows).

PostgreSQL only, on a database of its own, which it creates, migrates and empties:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_bench_audit \\
        .venv/bin/python benchmarks/audit_trail.py [--rows 1000000] [--writes 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")

ACTIONS = ["viewed", "changed", "shared", "exported", "refused"]
PEOPLE = 200


def fail(message: str) -> None:
    sys.stderr.write(f"audit_trail benchmark: {message}\n")
    raise SystemExit(2)


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    if db["ENGINE"] != "django.db.backends.postgresql":
        fail("DATABASE_URL must point at PostgreSQL.")
    admin = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        dbname="postgres",
        autocommit=True,
    )
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows COPYed for size")
    parser.add_argument("--writes", type=int, default=2_000, help="rows written one by one")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        fail("DATABASE_URL is not set (see the docstring).")
    ensure_database(url)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies import audit
    from agencies.models import Agency, AgencyType, AuditEvent, Membership, Role
    from benchmarks.seed import copy_objects, reset_sequences

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        # The append-only trigger refuses DELETE; TRUNCATE is this benchmark's own database.
        cursor.execute("TRUNCATE agencies_auditevent")
    User = get_user_model()
    agency, _ = Agency.objects.get_or_create(
        name="Benchmark Constabulary", defaults={"agency_type": AgencyType.POLICE}
    )
    people = []
    for n in range(PEOPLE):
        user, made = User.objects.get_or_create(username=f"audit.bench.{n}")
        if made:
            Membership.objects.create(user=user, agency=agency, role=Role.REFERRER)
        people.append(user)

    # 1. Writing: one row per transaction through audit.record, as a door does.
    timings = []
    started = time.perf_counter()
    for n in range(args.writes):
        t = time.perf_counter()
        with transaction.atomic():
            audit.record(
                actor=people[n % PEOPLE],
                action="viewed",
                object_type="referrals.referral",
                object_id=str(n),
                address="10.0.0.1",
            )
        timings.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started

    # 2. Keeping: COPY a realistic spread of rows, then measure the table with its indexes.
    rng = random.Random(13)
    now = timezone.now()
    first_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def rows():
        for n in range(args.rows):
            yield AuditEvent(
                id=first_id + 1 + n,
                at=now - timedelta(seconds=rng.randrange(0, 365 * 86400)),
                actor_id=people[rng.randrange(PEOPLE)].pk,
                actor_agency_id=agency.pk,
                action=rng.choice(ACTIONS),
                object_type="referrals.referral",
                object_id=str(rng.randrange(1, 100_000)),
                ip_address=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
                reason="",
                detail="GET referrals:detail" if rng.random() < 0.7 else "",
            )

    t = time.perf_counter()
    with transaction.atomic():
        copy_objects(AuditEvent, rows())
    reset_sequences([AuditEvent])
    copy_seconds = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE agencies_auditevent")
        cursor.execute(
            "SELECT count(*), pg_relation_size('agencies_auditevent'), "
            "pg_indexes_size('agencies_auditevent'), "
            "pg_total_relation_size('agencies_auditevent') FROM agencies_auditevent"
        )
        count, heap, indexes, total = cursor.fetchone()

    # 3. Looking up: one person's latest 50 rows (the DPO's audit lookup), 200 times.
    lookups = []
    for n in range(200):
        t = time.perf_counter()
        list(AuditEvent.objects.filter(actor=people[n % PEOPLE]).order_by("-at")[:50])
        lookups.append((time.perf_counter() - t) * 1000)

    print(f"audit_trail: PostgreSQL {connection.pg_version}, {os.cpu_count()} cores")
    print(
        f"write one row (audit.record, own transaction), {args.writes} rows: "
        f"p50 {statistics.median(timings):.2f} ms, p95 {percentile(timings, 95):.2f} ms, "
        f"{args.writes / elapsed:.0f} rows/s on one connection"
    )
    print(
        f"keep: {count:,} rows, heap {heap / count:.0f} B/row, "
        f"indexes {indexes / count:.0f} B/row, total {total / count:.0f} B/row "
        f"({total / 2**20:.0f} MiB); COPY {count / copy_seconds:,.0f} rows/s"
    )
    print(
        f"look up one person's latest 50 at {count:,} rows: "
        f"p50 {statistics.median(lookups):.2f} ms, p95 {percentile(lookups, 95):.2f} ms"
    )
    per_billion = total / count * 1e9 / 2**40
    print(f"arithmetic: a billion rows at this size is {per_billion:.2f} TiB with indexes")


if __name__ == "__main__":
    main()
