"""A meeting's numbered events: written in the transaction of the change they describe,
rung as a doorbell after commit, replayed from the database by any socket that missed one.

The group message carries the event already encoded, so that a process with 500 sockets
forwards one string 500 times instead of encoding it 500 times; it is still only a
doorbell: channels-redis may drop it, and the socket then reads the rows it lacks.
"""

import json

from django.db.models import F
from django.utils import timezone

from notifications import realtime
from panels.models import Meeting, MeetingEvent


def meeting_group(meeting_id: int) -> str:
    """The channel-layer group of a meeting room's open sockets."""
    return f"meetings.{meeting_id}"


def person_label(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def serialize(event: MeetingEvent, *, actor=None) -> dict:
    """What a socket sends for one event. Never a child's name: references and ids only."""
    actor = actor if actor is not None else event.actor
    return {
        "type": "event",
        "seq": event.seq,
        "event": event.type,
        "payload": event.payload,
        "actor": person_label(actor),
        "at": event.at.isoformat(),
    }


def encode(event: MeetingEvent, *, actor=None) -> str:
    return json.dumps(serialize(event, actor=actor), separators=(",", ":"))


def append(*, meeting: Meeting, type: str, payload: dict, actor) -> MeetingEvent:
    """Number and store one event, and ring the room's doorbell after commit.

    Call inside the transaction of the change. The database assigns the number: the
    UPDATE takes the meeting row's lock (held to commit), so two writers to one meeting are
    numbered one after the other, never the same; unique(meeting, seq) backs that up.
    """
    Meeting.objects.filter(pk=meeting.pk).update(last_seq=F("last_seq") + 1)
    meeting.last_seq = Meeting.objects.values_list("last_seq", flat=True).get(pk=meeting.pk)
    event = MeetingEvent.objects.create(
        meeting=meeting,
        seq=meeting.last_seq,
        type=type,
        payload=payload,
        actor=actor,
        at=timezone.now(),
    )
    # Built now, sent after commit: a rolled-back change rings nothing.
    realtime.publish_on_commit(
        groups=[meeting_group(meeting.pk)],
        message={"type": "meeting.event", "seq": event.seq, "text": encode(event, actor=actor)},
    )
    return event
