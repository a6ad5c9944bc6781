"""People changing one meeting at the same moment, from different connections: the database
numbers every change once, in order, and of two edits made from the same version exactly
one is saved. Needs a database that lets writers wait for each other's row locks (PostgreSQL;
SQLite refuses a second writer instead)."""

import threading

import pytest
from django.db import connection, connections

from panels import services
from panels.models import MeetingEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 8


@pytest.fixture(autouse=True)
def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (the PostgreSQL CI pass)")


def all_at_once(work):
    """Run work(n) for n in range(WRITERS) in threads that start together."""
    start = threading.Barrier(WRITERS)
    outcomes = [None] * WRITERS

    def run(n):
        try:
            start.wait()
            outcomes[n] = work(n)
        except Exception as exc:  # the outcome is what the test checks
            outcomes[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_changes_made_at_the_same_moment_are_numbered_once_each_with_no_gap(started_room):
    room = started_room
    chair = room.people["chair"]
    agencies = list(room.panel.member_agencies.all())

    outcomes = all_at_once(
        lambda n: services.item_record_update(
            actor=chair,
            meeting=room.meeting,
            item_id=room.cases[n % 2].pk,
            agency=agencies[n % len(agencies)],
            text=f"Update {n}",
            version=0,
        )
    )

    saved = [o for o in outcomes if not isinstance(o, Exception)]
    seqs = sorted(MeetingEvent.objects.filter(meeting=room.meeting).values_list("seq", flat=True))
    assert seqs == list(range(1, 2 + len(saved)))  # 1 is meeting.started
    room.meeting.refresh_from_db()
    assert room.meeting.last_seq == seqs[-1]


def test_of_edits_made_from_the_same_version_exactly_one_is_saved(started_room):
    room = started_room
    case = room.cases[0]

    outcomes = all_at_once(
        lambda n: services.item_save_notes(
            actor=room.people["chair" if n % 2 else "coordinator"],
            meeting=room.meeting,
            item_id=case.pk,
            text=f"Notes from writer {n}",
            version=0,
        )
    )

    winners = [o for o in outcomes if isinstance(o, MeetingEvent)]
    losers = [o for o in outcomes if isinstance(o, services.StaleEdit)]
    assert (len(winners), len(losers)) == (1, WRITERS - 1)
    case.refresh_from_db()
    assert case.notes_version == 1
    assert case.notes == winners[0].payload["text"]
    assert {loser.text for loser in losers} == {case.notes}
