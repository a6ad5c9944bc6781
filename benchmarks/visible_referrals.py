"""Benchmark: the first page of referrals a person may see, at 100,000 referrals on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_bench \\
        .venv/bin/python benchmarks/visible_referrals.py

Creates the database if it is missing, migrates it, and seeds it once (60 agencies, 50,000
children, 100,000 referrals over three years, panels, agendas, shares with their guardian
group permissions, ...; benchmarks/seed.py); later runs reuse the data (`--reseed` seeds it
again). Then, for an agency lead, a panel member and a quality auditor (and, beyond those
three, a referrer), it measures the policy's first page
(`referrals.selectors.referral_list_for`: the queries it makes, and p50/p95 over timed runs)
beside a hand-written SQL version of the same rules (benchmarks/raw_sql.py), checks that the
two return the same ids in the same order (and the same whole visible set), shows that the
query count is the same at 10 and 500 referrals (cases re-seeded inside a transaction that is
rolled back), and prints EXPLAIN (ANALYZE, BUFFERS) of the policy's query.

"policy SQL" times the two statements the policy sent (captured, replayed through a cursor):
the database's share of the policy's time, without the ORM's.

Target: the number of queries does not depend on the data size, and the policy's p95 is
within 1.5x of the hand-written SQL's. Exit status: 0 when every row passes, 1 when a target
is missed, 2 when the policy and the SQL disagree about the rows (the figures are void).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")

N_REFERRALS = 100_000
SMALL_SIZES = (10, 500)
SEED_VERSION = 1
MARKER = "safeguarding-panels benchmark seed"
P95_RATIO_TARGET = 1.5
TARGET = f"query count independent of data size; p95 within {P95_RATIO_TARGET}x of raw SQL"

# Indexes --with-index adds for one run (dropped again afterwards), to test a possible fix.
CANDIDATE_INDEXES = {
    "referral_agency_newest": (
        "CREATE INDEX IF NOT EXISTS referral_agency_newest "
        "ON referrals_referral (agency_id, created_at DESC, id DESC)"
    ),
    "referral_submitted_newest": (
        "CREATE INDEX IF NOT EXISTS referral_submitted_newest "
        "ON referrals_referral (created_at DESC, id DESC) WHERE state <> 'draft'"
    ),
    "referral_referrer_newest": (
        "CREATE INDEX IF NOT EXISTS referral_referrer_newest "
        "ON referrals_referral (referrer_id, agency_id, created_at DESC, id DESC)"
    ),
}


def fail(message: str, status: int = 2) -> None:
    sys.stderr.write(f"visible_referrals benchmark: {message}\n")
    raise SystemExit(status)


def database_settings() -> dict:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        fail(
            "DATABASE_URL is not set. This benchmark runs on PostgreSQL only, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_bench "
            ".venv/bin/python benchmarks/visible_referrals.py"
        )
    db = dj_database_url.parse(url)
    if db["ENGINE"] != "django.db.backends.postgresql":
        fail(f"DATABASE_URL must point at PostgreSQL (postgres://...), not {db['ENGINE']}.")
    return db


def ensure_database(db: dict) -> bool:
    """Create the database (connecting to the "postgres" database) if it does not exist."""
    import psycopg
    from psycopg import sql

    kwargs = {
        "dbname": "postgres",
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": db.get("PORT"),
    }
    kwargs = {k: v for k, v in kwargs.items() if v not in (None, "")}
    with psycopg.connect(**kwargs, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        return True


# --- Seeding ---------------------------------------------------------------------------------


def seed_marker() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        return cursor.fetchone()[0] or ""


def wanted_marker() -> str:
    return f"{MARKER} v{SEED_VERSION}: {N_REFERRALS} referrals"


def refuse_foreign_database() -> None:
    """Before migrating or seeding (which empties it): the database must be the benchmark's."""
    from django.db import connection

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
                    "point DATABASE_URL at a database of its own (e.g. .../safeguarding_bench)."
                )


def ensure_seeded(*, reseed: bool) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks import seed
    from referrals.models import Referral

    marker = seed_marker()
    if (
        not reseed
        and marker.startswith(wanted_marker())
        and Referral.objects.count() == N_REFERRALS
    ):
        print(f"Seed: reusing the data already seeded ({marker}). --reseed seeds it again.")
        return

    print(f"Seed: seeding {N_REFERRALS:,} referrals (COPY) ...", flush=True)
    started = time.perf_counter()
    now = timezone.now()
    rng = random.Random(20260101)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename NOT IN ('django_migrations', 'django_content_type', "
                "'auth_permission')"
            )
            tables = [connection.ops.quote_name(t) for (t,) in cursor.fetchall()]
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        seed.seed_reference(now=now, rng=rng)
        world = seed.load_world(now)
        counts = seed.seed_cases(world, N_REFERRALS, rng=rng)
        seed.reset_sequences(seed.REFERENCE_MODELS + seed.CASE_MODELS)
        database = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute(
                f"COMMENT ON DATABASE {database} IS %s",
                [f"{wanted_marker()}, seeded {now:%Y-%m-%d %H:%M %Z}"],
            )
    written = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would soon do: settled statistics
    total = time.perf_counter() - started
    summary = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    print(f"Seed: {summary}")
    print(f"Seed: written in {written:.1f} s; {total:.1f} s with VACUUM ANALYZE.")


# --- Measuring -------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def capture_policy(user) -> tuple[int, list[int], list[str]]:
    """The policy's first page under CaptureQueriesContext: (queries, ids, the SQL sent)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from referrals.selectors import referral_list_for

    with CaptureQueriesContext(connection) as ctx:
        page = list(referral_list_for(user=user))
    return len(ctx.captured_queries), [r.pk for r in page], [q["sql"] for q in ctx.captured_queries]


def check_same_rows(label: str, policy_ids: list[int], raw_ids: list[int]) -> None:
    if policy_ids != raw_ids:
        only_policy = sorted(set(policy_ids) - set(raw_ids))[:10]
        only_raw = sorted(set(raw_ids) - set(policy_ids))[:10]
        fail(
            f"MISMATCH for {label}: the policy and the hand-written SQL disagree "
            f"({len(policy_ids)} vs {len(raw_ids)} rows; only in the policy: {only_policy}; "
            f"only in the SQL: {only_raw}; same set in another order: "
            f"{set(policy_ids) == set(raw_ids)}). The figures would be meaningless."
        )


def time_sides(sides: dict, *, runs: int, warmup: int) -> dict[str, list[float]]:
    """Interleaved timings (ms): each run calls every side once, in a rotating order."""
    from django.test.utils import override_settings

    samples = {name: [] for name in sides}
    names = list(sides)
    # DEBUG off while timing, as in production: no query log on any side.
    with override_settings(DEBUG=False):
        for _ in range(warmup):
            for fn in sides.values():
                fn()
        for i in range(runs):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                started = time.perf_counter()
                sides[name]()
                samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def replay(statements: list[str]):
    """Run captured SQL through a plain cursor: the database's share of the policy's time."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


def small_size_query_counts(world, people, first_page) -> dict[int, dict[str, tuple[int, int]]]:
    """Query counts at small sizes: cases re-seeded inside a transaction, then rolled back."""
    from django.db import connection, transaction

    from benchmarks import seed

    results = {}
    for n in SMALL_SIZES:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE referrals_referral, referrals_child CASCADE")
            seed.seed_cases(world, n, rng=random.Random(n))
            seed.refresh_live_break_glass(world, world.now)
            results[n] = {}
            for label, user in people:
                queries, ids, _ = capture_policy(user)
                check_same_rows(
                    f"{label} at {n} referrals", ids, [r[0] for r in first_page(user.pk)]
                )
                results[n][label] = (queries, len(ids))
            transaction.set_rollback(True)
    return results


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


SCAN = re.compile(
    r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)(?: using (\S+))? on (\S+)"
)


def plan_summary(plan: str) -> str:
    """How the plan reads referrals_referral, what it filters away, and where it seq-scans."""
    lines = plan.splitlines()
    referral = "?"
    for i, line in enumerate(lines):
        match = SCAN.search(line)
        if match and match.group(3) == "referrals_referral":
            kind, index, _ = match.groups()
            referral = f"{kind}{' using ' + index if index else ''}"
            rows = re.search(r"actual time=\S+ rows=(\d+)", line)
            for follow in lines[i + 1 : i + 4]:
                removed = re.search(r"Rows Removed by Filter: (\d+)", follow)
                if removed:
                    referral += f", {int(removed.group(1)):,} rows filtered out"
                    break
            if rows:
                referral += f" to return {rows.group(1)}"
            break
    seq = sorted({m.group(3) for m in map(SCAN.search, lines) if m and m.group(1) == "Seq Scan"})
    times = dict(re.findall(r"(Planning|Execution) Time: ([\d.]+) ms", plan))
    return (
        f"referrals_referral: {referral}; seq scans: {', '.join(seq) or 'none'}; "
        f"planning {times.get('Planning', '?')} ms, execution {times.get('Execution', '?')} ms"
    )


def set_indexes(names: list[str], *, add: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name in names:
            if add:
                cursor.execute(CANDIDATE_INDEXES[name])
                print(f"Index added for this run: {CANDIDATE_INDEXES[name]}")
            else:
                cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
        cursor.execute("ANALYZE referrals_referral")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="The policy's first page of referrals against hand-written SQL."
    )
    parser.add_argument("--reseed", action="store_true", help="seed the data again")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per side (50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first (5)")
    parser.add_argument(
        "--raw",
        choices=["two-step", "one-statement"],
        default="two-step",
        help="the hand-written SQL to compare with: roles then page (as the policy), or one "
        "statement with the roles in a CTE",
    )
    parser.add_argument(
        "--explain",
        choices=["policy", "both", "none"],
        default="policy",
        help="print EXPLAIN (ANALYZE, BUFFERS) of the policy's query, of both, or of neither",
    )
    parser.add_argument(
        "--with-index",
        action="append",
        default=[],
        choices=sorted(CANDIDATE_INDEXES),
        help="add a candidate index for this run only (dropped afterwards)",
    )
    args = parser.parse_args(argv)

    db = database_settings()
    if ensure_database(db):
        print(f"Created database {db['NAME']!r}.")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    import access
    from agencies.models import Membership, Role
    from benchmarks import raw_sql, seed
    from referrals.models import Referral, ReferralShare
    from referrals.selectors import referral_list_for

    first_page = raw_sql.first_page if args.raw == "two-step" else raw_sql.first_page_one_statement
    refuse_foreign_database()
    call_command("migrate", verbosity=0, interactive=False)
    ensure_seeded(reseed=args.reseed)

    now = timezone.now()
    world = seed.load_world(now)
    seed.refresh_live_break_glass(world, now)
    # Beyond the three: a referrer, who sees little (their own referrals): the hard case for
    # a query that walks the newest referrals until it has filled a page.
    referrer_id = (
        Membership.objects.active()
        .filter(agency_id=world.bench_agency_id, role=Role.REFERRER)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .first()
    )
    users = get_user_model().objects.in_bulk(
        [world.bench_lead_id, world.bench_panel_member_id, world.bench_auditor_id, referrer_id]
    )
    people = [
        ("agency lead", users[world.bench_lead_id]),
        ("panel member", users[world.bench_panel_member_id]),
        ("quality auditor", users[world.bench_auditor_id]),
        ("referrer (extra)", users[referrer_id]),
    ]
    lead_agency = next(a for a in world.agencies if a.id == world.bench_agency_id)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0].split()[0]
    print(
        f"\nData: {Referral.objects.count():,} referrals, {len(world.agencies)} agencies; "
        f"PostgreSQL {pg_version}; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f} at the start."
    )
    print(
        f"  agency lead      = {seed.BENCH_LEAD}: lead of {lead_agency.name} "
        f"({Referral.objects.filter(agency_id=lead_agency.id).count():,} referrals), which "
        f"holds {ReferralShare.objects.filter(agency_id=lead_agency.id, withdrawn_at=None).count()}"
        " live shares from other agencies; two live break-glass accesses"
    )
    print(f"  panel member     = {seed.BENCH_PANEL_MEMBER}: sits on one panel (exploitation)")
    print(f"  quality auditor  = {seed.BENCH_AUDITOR}: sees every referral that is not a draft")
    print(
        f"  referrer (extra) = {users[referrer_id].username}: refers for the same agency "
        f"({Referral.objects.filter(referrer_id=referrer_id).count()} referrals of their own)"
    )

    if args.with_index:
        set_indexes(args.with_index, add=True)
    try:
        rows, statements = [], {}
        for label, user in people:
            queries, policy_ids, statements[label] = capture_policy(user)
            check_same_rows(label, policy_ids, [r[0] for r in first_page(user.pk)])
            # The whole visible set as well, not only the first page.
            visible = sorted(access.visible_referrals(user).values_list("pk", flat=True))
            raw_visible = sorted(r[0] for r in first_page(user.pk, limit=None))
            check_same_rows(f"{label} (whole visible set)", visible, raw_visible)
            roles = access.roles_of(user)
            samples = time_sides(
                {
                    "policy": lambda user=user: list(referral_list_for(user=user)),
                    "policy SQL": replay(statements[label]),
                    "raw": lambda user=user: first_page(user.pk),
                    # Parts of the policy's time (the selector's queryset, built by hand here).
                    "roles_of": lambda user=user: access.roles_of(user),
                    "compile": lambda user=user, roles=roles: (
                        access.visible_referrals(user, roles)
                        .select_related("agency", "child")
                        .order_by("-created_at", "-id")[:50]
                        .query.sql_with_params()
                    ),
                },
                runs=args.runs,
                warmup=args.warmup,
            )
            rows.append(
                {
                    "label": label,
                    "rows": len(policy_ids),
                    "visible": len(visible),
                    "queries": queries,
                    **{
                        side: (percentile(ms, 50), percentile(ms, 95))
                        for side, ms in samples.items()
                    },
                }
            )
        small = small_size_query_counts(world, people, first_page)
        plans = {}
        if args.explain != "none":
            for label, user in people:
                list_sql = [s for s in statements[label] if 'FROM "referrals_referral"' in s]
                plans[label] = (
                    explain(list_sql[-1]),
                    raw_sql.explain(user.pk, one_statement=args.raw == "one-statement")
                    if args.explain == "both"
                    else "",
                )
    finally:
        if args.with_index:
            set_indexes(args.with_index, add=False)

    print(
        f"\nFirst page ({args.runs} timed runs per side after {args.warmup} warm-ups, "
        f"interleaved; p50/p95 nearest-rank, ms; DEBUG off while timing; raw SQL: {args.raw}; "
        f"load average {os.getloadavg()[0]:.2f} at the end)"
    )
    print(f"Target: {TARGET}\n")
    header = (
        f"{'person':<16} {'rows':>4} {'visible':>7} {'queries':>7}  {'policy p50/p95':>14}  "
        f"{'policy SQL p50/p95':>18}  {'raw SQL p50/p95':>15}  {'p95 policy/raw':>14}  result"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for row in rows:
        counts = {small[n][row["label"]][0] for n in SMALL_SIZES} | {row["queries"]}
        ratio = row["policy"][1] / row["raw"][1]
        ok = len(counts) == 1 and ratio <= P95_RATIO_TARGET
        failed |= not ok
        why = ["query count changes with size"] if len(counts) > 1 else []
        if ratio > P95_RATIO_TARGET:
            why.append(f"p95 {ratio:.2f}x > {P95_RATIO_TARGET}x")
        print(
            f"{row['label']:<16} {row['rows']:>4} {row['visible']:>7,} {row['queries']:>7}  "
            f"{row['policy'][0]:>6.2f} / {row['policy'][1]:>5.2f}  "
            f"{row['policy SQL'][0]:>10.2f} / {row['policy SQL'][1]:>5.2f}  "
            f"{row['raw'][0]:>7.2f} / {row['raw'][1]:>5.2f}  {ratio:>13.2f}x  "
            + ("PASS" if ok else "FAIL (" + "; ".join(why) + ")")
        )

    print(
        "\nWhere the policy's time goes (p50, ms): roles_of (its first query, through the ORM) "
        "+ building and compiling the page query's SQL + the rest (the database, and rows "
        "to model objects); beside it, the database alone (policy SQL)"
    )
    for row in rows:
        roles_ms, compile_ms = row["roles_of"][0], row["compile"][0]
        rest = row["policy"][0] - roles_ms - compile_ms
        print(
            f"  {row['label']:<16} {roles_ms:5.2f} + {compile_ms:5.2f} + {rest:5.2f} "
            f"= {row['policy'][0]:5.2f}   (policy SQL {row['policy SQL'][0]:5.2f})"
        )

    sizes = " / ".join(f"{n:,}" for n in (*SMALL_SIZES, N_REFERRALS))
    print(f"\nQueries for the first page at {sizes} referrals (rows on the page):")
    for row in rows:
        cells = [small[n][row["label"]] for n in SMALL_SIZES] + [(row["queries"], row["rows"])]
        print(f"  {row['label']:<16} " + " / ".join(f"{q} ({r} rows)" for q, r in cells))
    print(
        "  One query reads the person's live roles, one reads the page with its agency and "
        "child (select_related).\n  At every size the ids were checked equal to the raw SQL's."
    )
    print(
        f"Settings: panel access grace {settings.PANEL_ACCESS_GRACE_DAYS} days, "
        f"break glass {settings.BREAK_GLASS_HOURS} hours."
    )

    if plans:
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the policy's page query, in short:")
        for label, (plan, _) in plans.items():
            print(f"  {label:<16} {plan_summary(plan)}")
        if args.explain == "both":
            print("... and of the raw SQL's page statement:")
            for label, (_, plan) in plans.items():
                print(f"  {label:<16} {plan_summary(plan)}")
        for label, (plan, raw_plan) in plans.items():
            print(f"\n=== EXPLAIN (ANALYZE, BUFFERS): the policy's page query, {label} ===")
            print(plan)
            if raw_plan:
                print(f"\n=== EXPLAIN (ANALYZE, BUFFERS): the raw SQL's page, {label} ===")
                print(raw_plan)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
