"""The meeting room's commands, one table for both doors: the WebSocket consumer and the
plain POST form (for a browser without JavaScript). Each command is a small form that parses
and checks its input against this meeting, then one service function that applies it. The
service asks the policy itself, so a command is checked again whichever door it came in by.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

import access
from agencies.models import Agency
from panels import services
from panels.date_input import DayMonthYearField
from panels.models import AgendaItem, AttendanceStatus, Meeting, MeetingCommandReceipt, RiskLevel
from referrals.models import ContributionSensitivity


class CommandInvalid(Exception):
    """The command's input is incomplete or wrong; `errors` says what, field by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


class CommandForm(forms.Form):
    def __init__(self, data, *, meeting: Meeting):
        super().__init__(data)
        self.meeting = meeting


def _items(meeting):
    return AgendaItem.objects.filter(meeting=meeting, withdrawn_at__isnull=True)


def _people(meeting):
    return get_user_model().objects.filter(pk__in=access.meeting_participant_ids(meeting))


class ItemField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=AgendaItem.objects.none(),
            error_messages={
                "required": "Choose an item of the agenda",
                "invalid_choice": "That item is not on this meeting's agenda",
            },
            **kwargs,
        )


class NoInput(CommandForm):
    pass


class ItemForm(CommandForm):
    item = ItemField()

    def __init__(self, data, *, meeting):
        super().__init__(data, meeting=meeting)
        self.fields["item"].queryset = _items(meeting)


class TextForm(ItemForm):
    text = forms.CharField(required=False, max_length=20_000, strip=False)
    version = forms.IntegerField(
        min_value=0, error_messages={"required": "The version of the text you edited is missing"}
    )


class RiskForm(ItemForm):
    risk_level = forms.ChoiceField(
        choices=RiskLevel.choices, error_messages={"required": "Choose the agreed risk level"}
    )


class AgencyUpdateForm(TextForm):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        error_messages={
            "required": "Choose the agency giving the update",
            "invalid_choice": "That agency is not a member of this panel",
        },
    )

    def __init__(self, data, *, meeting):
        super().__init__(data, meeting=meeting)
        self.fields["agency"].queryset = meeting.panel.member_agencies.all()
        self.fields["text"].required = True
        self.fields["text"].error_messages["required"] = "Enter the agency's update"

    sensitivity = forms.ChoiceField(
        choices=ContributionSensitivity.choices,
        required=False,
        error_messages={"invalid_choice": "Choose normal, not for the family, or panel only"},
    )

    def clean_sensitivity(self):
        return self.cleaned_data.get("sensitivity") or ContributionSensitivity.NORMAL


class ActionForm(ItemForm):
    text = forms.CharField(max_length=2000, error_messages={"required": "Enter what is to be done"})
    owner_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        error_messages={
            "required": "Choose the agency that owns the action",
            "invalid_choice": "That agency is not a member of this panel",
        },
    )
    owner_person = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    due_date = DayMonthYearField(
        noun="Due date", required_message="Enter the date the action is due"
    )

    def __init__(self, data, *, meeting):
        super().__init__(data, meeting=meeting)
        self.fields["owner_agency"].queryset = meeting.panel.member_agencies.filter(is_active=True)
        self.fields["owner_person"].queryset = get_user_model().objects.filter(is_active=True)


class AttendanceForm(CommandForm):
    person = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        error_messages={"invalid_choice": "That person is not invited to this meeting"},
    )
    status = forms.ChoiceField(
        choices=AttendanceStatus.choices, error_messages={"required": "Choose their attendance"}
    )
    deputy_for = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)

    def __init__(self, data, *, meeting):
        super().__init__(data, meeting=meeting)
        self.fields["person"].queryset = _people(meeting)
        self.fields["deputy_for"].queryset = _people(meeting)


class MoveForm(ItemForm):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class PersonForm(CommandForm):
    person = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True))


@dataclass(frozen=True)
class Command:
    form: type[CommandForm]
    run: Any  # (actor, meeting, cleaned_data) -> the service's result
    done: str  # what the person is told when it worked (no-JavaScript page)


def _body(service):
    """The service without its own transaction. Each service is `transaction.atomic(durable=
    True)`, its own transaction when called alone; a command runs the service's body inside
    the command's transaction instead, which also holds the command's receipt: the change and
    the receipt commit together, or neither does."""
    return getattr(service, "__wrapped__", service)


def _item_id(data) -> int:
    return data["item"].pk


COMMANDS: dict[str, Command] = {
    "start": Command(
        NoInput,
        lambda a, m, d: _body(services.meeting_start)(actor=a, meeting=m),
        "Meeting started.",
    ),
    "confidentiality_read": Command(
        NoInput,
        lambda a, m, d: _body(services.meeting_record_confidentiality)(actor=a, meeting=m),
        "The confidentiality statement is recorded as read.",
    ),
    "next_item": Command(
        NoInput,
        lambda a, m, d: _body(services.meeting_next_item)(actor=a, meeting=m),
        "Moved to the next item.",
    ),
    "go_to_item": Command(
        ItemForm,
        lambda a, m, d: _body(services.meeting_go_to_item)(actor=a, meeting=m, item_id=_item_id(d)),
        "Moved to the item.",
    ),
    "save_notes": Command(
        TextForm,
        lambda a, m, d: _body(services.item_save_notes)(
            actor=a, meeting=m, item_id=_item_id(d), text=d["text"], version=d["version"]
        ),
        "Notes saved.",
    ),
    "record_decision": Command(
        TextForm,
        lambda a, m, d: _body(services.item_record_decision)(
            actor=a, meeting=m, item_id=_item_id(d), text=d["text"], version=d["version"]
        ),
        "Decision recorded.",
    ),
    "set_risk": Command(
        RiskForm,
        lambda a, m, d: _body(services.item_set_risk)(
            actor=a, meeting=m, item_id=_item_id(d), risk_level=d["risk_level"]
        ),
        "Risk level recorded.",
    ),
    "record_update": Command(
        AgencyUpdateForm,
        lambda a, m, d: _body(services.item_record_update)(
            actor=a,
            meeting=m,
            item_id=_item_id(d),
            agency=d["agency"],
            text=d["text"],
            version=d["version"],
            sensitivity=d["sensitivity"],
        ),
        "Agency update recorded.",
    ),
    "add_action": Command(
        ActionForm,
        lambda a, m, d: _body(services.action_add)(
            actor=a,
            meeting=m,
            item_id=_item_id(d),
            text=d["text"],
            owner_agency=d["owner_agency"],
            owner_person=d["owner_person"],
            due_date=d["due_date"],
        ),
        "Action added.",
    ),
    "set_attendance": Command(
        AttendanceForm,
        lambda a, m, d: _body(services.attendance_set)(
            actor=a, meeting=m, person=d["person"], status=d["status"], deputy_for=d["deputy_for"]
        ),
        "Attendance recorded.",
    ),
    "move_item": Command(
        MoveForm,
        lambda a, m, d: _body(services.agenda_item_move)(
            actor=a, meeting=m, item_id=_item_id(d), direction=d["direction"]
        ),
        "Agenda reordered.",
    ),
    "build_agenda": Command(
        NoInput,
        lambda a, m, d: _body(services.agenda_build)(actor=a, meeting=m),
        "Agenda readied: standard items and carried-forward actions are on it.",
    ),
    "invite": Command(
        PersonForm,
        lambda a, m, d: _body(services.meeting_invite)(actor=a, meeting=m, person=d["person"]),
        "Invitation sent.",
    ),
    "withdraw_invitation": Command(
        PersonForm,
        lambda a, m, d: _body(services.meeting_invitation_withdraw)(
            actor=a, meeting=m, person=d["person"]
        ),
        "Invitation withdrawn.",
    ),
    "close": Command(
        NoInput,
        lambda a, m, d: _body(services.meeting_close)(actor=a, meeting=m),
        "Meeting closed.",
    ),
}


REQUEST_ID_MAX = 64


def run_command(*, actor, meeting_id, name: str, data, request_id: str | None = None) -> str:
    """Parse, check and apply one command; returns what to tell the person.

    With a `request_id` (the socket's commands carry one, kept by the client across retries)
    the command is applied at most once: its receipt is written in the same transaction as
    its change, and a repeat of a request that committed returns the first answer and changes
    nothing (also when the two arrive at once: the meeting's row lock orders them, and the
    receipt's unique constraint stands behind it).

    Raises access.NotFoundForUser (may not know the meeting), access.ForbiddenForUser (may
    follow it but not change it), CommandInvalid (bad input, or a request id already used for
    another change), services.MeetingError (refused, including services.StaleEdit) and
    django.db.DatabaseError (the database failed). Nothing is changed when any is raised.
    """
    meeting = access.get_meeting_to_run(actor, meeting_id)
    fingerprint = _fingerprint(name, data) if request_id is not None else ""
    if request_id is not None:
        done = _already_done(actor, meeting, request_id, fingerprint)
        if done is not None:
            return done
    command = COMMANDS.get(name)
    if command is None:
        raise CommandInvalid({"command": [f"There is no command called {name!r}."]})
    form = command.form(data, meeting=meeting)
    if not form.is_valid():
        raise CommandInvalid({field: list(errors) for field, errors in form.errors.items()})
    try:
        with transaction.atomic(durable=True):
            # The meeting's lock first: a second copy of this request waits here, then finds
            # the first one's receipt.
            Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
            if request_id is not None:
                done = _already_done(actor, meeting, request_id, fingerprint)
                if done is not None:
                    return done
            command.run(actor, meeting, form.cleaned_data)
            if request_id is not None:
                MeetingCommandReceipt.objects.create(
                    meeting=meeting,
                    actor=actor,
                    request_id=request_id,
                    command=name,
                    fingerprint=fingerprint,
                    reply={"type": "ack", "message": command.done},
                )
    except IntegrityError:
        # Where the row lock does not hold the second copy back (SQLite), the receipt's
        # unique constraint does: this transaction is undone, and the first one answers.
        done = request_id is not None and _already_done(actor, meeting, request_id, fingerprint)
        if not done:
            raise
        return done
    return command.done


def _fingerprint(name: str, data) -> str:
    items = data.lists() if hasattr(data, "lists") else data.items()
    canonical = json.dumps([name, sorted(items)], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _already_done(actor, meeting, request_id: str, fingerprint: str) -> str | None:
    """The first answer to this request, when it was applied; None when it was not."""
    receipt = (
        MeetingCommandReceipt.objects.filter(meeting=meeting, actor=actor, request_id=request_id)
        .only("fingerprint", "reply")
        .first()
    )
    if receipt is None:
        return None
    if receipt.fingerprint != fingerprint:
        raise CommandInvalid(
            {"request_id": ["That request id was already used for a different change."]}
        )
    return receipt.reply["message"]


def reply_if_applied(*, actor, meeting_id: int, name: str, data, request_id: str) -> str | None:
    """After a command failed (the database, or the connection at COMMIT): its first answer
    when it was applied all the same, None when it was not."""
    receipt = (
        MeetingCommandReceipt.objects.filter(
            meeting_id=meeting_id, actor=actor, request_id=request_id
        )
        .only("fingerprint", "reply")
        .first()
    )
    if receipt is None or receipt.fingerprint != _fingerprint(name, data):
        return None
    return receipt.reply["message"]
