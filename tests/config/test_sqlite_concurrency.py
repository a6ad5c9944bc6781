"""The embedded default (SQLite) holds a live meeting: concurrent writers wait their turn.

With SQLite's default deferred transactions, two requests that each read and then write
(start the meeting, reorder the agenda, a member's note) both hold a read lock and both ask to
write: SQLite refuses one at once with "database is locked", whatever the busy timeout. The
settings open every transaction IMMEDIATE (the write lock at BEGIN, so the second waits for
the busy timeout) and put the file in WAL mode (readers never wait for the writer).
"""

import threading

import pytest
from django.db import connection, connections, transaction

from agencies.models import AuditEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the embedded default's own settings"
)


def test_sqlite_opens_transactions_immediate_in_wal_mode(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.transaction_mode == "IMMEDIATE"


def test_concurrent_read_then_write_transactions_never_see_database_is_locked(
    transactional_db,
):
    writers, rounds = 8, 6
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                with transaction.atomic():
                    # Read first, then write: the pattern that deadlocks deferred transactions.
                    AuditEvent.objects.filter(action="concurrency.test").count()
                    AuditEvent.objects.create(
                        action="concurrency.test", detail=f"writer {n} round {i}"
                    )
        except BaseException as error:  # noqa: BLE001 - reported below, with its thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert AuditEvent.objects.filter(action="concurrency.test").count() == writers * rounds
