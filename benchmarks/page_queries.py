"""The queries each of the most opened pages runs, at two data sizes, beside the target of 12.

    .venv/bin/python benchmarks/page_queries.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguarding_queries \\
        .venv/bin/python benchmarks/page_queries.py

It builds a test database of its own (as the tests do: `test_...`, dropped at the end), and
opens each page through Django's test client once per person and size, in the small worlds
`tests/test_page_query_counts.py` builds (3 and then 30 referrals of one child, with their
decisions, contributions, agenda items, actions and notifications; the services' durable
transactions cannot run inside one that is rolled back, so the worlds stay until the database
is dropped). A count, not a time, so it runs on SQLite or PostgreSQL. `--sql` prints
every statement of the larger opening. Exit status 1 when a count grows with the data or is
over the test's ceiling.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "test")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sql", action="store_true", help="print each statement too")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    from benchmarks.signing_in import patch_test_client
    from tests import test_page_query_counts as pages

    setup_test_environment()
    patch_test_client()  # as tests/conftest.py: signed in past the second factor
    config = setup_databases(verbosity=0, interactive=False)
    failed = False
    try:
        print(f"Database: {connection.vendor}; sizes {pages.SMALL} and {pages.LARGE}.")
        print(f"{'page':<16} {'role':<12} {pages.SMALL:>4} {pages.LARGE:>4}  ceiling  target")
        for page, role in pages.OPENED_BY:
            small = pages.queries_to_open(page, role, pages.SMALL)
            large = pages.queries_to_open(page, role, pages.LARGE)
            ceiling = pages.CEILINGS[page]
            bad = len(small) != len(large) or len(large) > ceiling
            failed |= bad
            print(
                f"{page:<16} {role:<12} {len(small):>4} {len(large):>4}  {ceiling:>7}"
                f"  {pages.TARGET:>6}{'  <-- over' if bad else ''}"
            )
            if args.sql:
                for sql in large:
                    print("    " + sql[:200])
    finally:
        teardown_databases(config, verbosity=0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
