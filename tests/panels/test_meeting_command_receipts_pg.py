"""Two copies of one command at the same moment (a double send, a retry racing the first
try) on PostgreSQL: the meeting's row lock orders them, and the second finds the first's
receipt. SQLite has no row locks: skipped there."""

import threading
from unittest import mock

import pytest
from django.db import close_old_connections, connection

from panels import commands, services
from panels.models import Action, MeetingEvent
from tests.panels.test_meeting_socket_faults import action_args, build_started_room


@pytest.mark.django_db(transaction=True)
def test_a_double_send_at_the_same_moment_applies_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL")
    room = build_started_room()
    args = action_args(room)
    body = services.action_add.__wrapped__
    start = threading.Barrier(2)
    answers, failures = [], []

    def slow_action_add(**kwargs):
        threading.Event().wait(0.3)  # holds the meeting's lock while the other one arrives
        return body(**kwargs)

    slow_action_add.__wrapped__ = slow_action_add

    def send():
        try:
            start.wait()
            answers.append(
                commands.run_command(
                    actor=room.people["chair"],
                    meeting_id=room.meeting.pk,
                    name="add_action",
                    data=args,
                    request_id="twice",
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    with mock.patch.object(services, "action_add", slow_action_add):
        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert failures == []
    assert answers == ["Action added.", "Action added."]
    assert Action.objects.filter(meeting=room.meeting).count() == 1
    assert MeetingEvent.objects.filter(meeting=room.meeting, type="action.added").count() == 1
