"""The typed view-models the documents are rendered from.

Plain frozen dataclasses with no ORM in them: a builder maps meetings, agenda items,
contributions and actions into these, and the renderers in `documents.py` only read them.
Dates are `datetime.date`; free text is as the meeting typed it (escaping happens in
`layout.esc`, redaction in `redaction.board_copy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Sensitivity(StrEnum):
    NORMAL = "normal"
    NOT_FOR_FAMILY = "not_for_family"  # may be read at panel, never disclosed to the family
    PANEL_ONLY = "panel_only"  # e.g. police intelligence: read at panel, never copied out


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    ABSENT = "absent"
    DEPUTY = "deputy"  # present, deputising for `Attendee.deputy_for`
    ARRIVED_LATE = "arrived_late"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


@dataclass(frozen=True)
class Attendee:
    person: str
    agency: str
    status: AttendanceStatus
    deputy_for: str = ""  # the person deputised for, when status is DEPUTY
    note: str = ""  # e.g. "arrived 10:40, from item 3"

    @property
    def status_label(self) -> str:
        if self.status is AttendanceStatus.DEPUTY:
            return f"Deputy for {self.deputy_for}" if self.deputy_for else "Deputy"
        label = {
            AttendanceStatus.PRESENT: "Present",
            AttendanceStatus.APOLOGIES: "Apologies",
            AttendanceStatus.ABSENT: "Absent",
            AttendanceStatus.ARRIVED_LATE: "Arrived late",
        }[self.status]
        return f"{label} ({self.note})" if self.note else label


@dataclass(frozen=True)
class ActionDoc:
    text: str
    owner_agency: str
    owner: str  # the person, or "" when the agency has not named one yet
    due: date
    status: str  # as the action log shows it: "Open", "In progress", ...
    days_overdue: int  # working days past `due`, computed by the caller; 0 when not overdue
    rag: Rag
    case_reference: str = ""  # the referral reference of the item that raised it
    raised_on: date | None = None  # the meeting that agreed it


@dataclass(frozen=True)
class AgencyUpdate:
    agency: str
    text: str
    sensitivity: Sensitivity = Sensitivity.NORMAL


@dataclass(frozen=True)
class CaseItem:
    reference: str  # the referral reference, e.g. "CE-2025-0012"
    initials: str  # how the board copy names the child, e.g. "Z.Q."
    child_name: str  # full name; "" in a board copy
    date_of_birth: date | None
    address: str  # "" in a board copy
    school: str  # "" in a board copy
    summary: str
    risk_level: str
    decision: str
    household: tuple[str, ...] = ()  # names of family and household members
    aliases: tuple[str, ...] = ()  # other names the child is known by
    agency_updates: tuple[AgencyUpdate, ...] = ()
    discussion: str = ""  # the minute-taker's free-text notes of the discussion
    actions: tuple[ActionDoc, ...] = ()
    # Set by redaction.board_copy: what it could not redact surely, for the coordinator.
    redaction_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThemeItem:
    """A thematic item of an exploitation panel (a person, place, vehicle or account of
    concern). Its title names nothing ("Theme: Place 12"); what was said is police and
    partner intelligence, so a board copy keeps the title only."""

    title: str
    discussion: str = ""
    decision: str = ""


@dataclass(frozen=True)
class MeetingDoc:
    panel_name: str
    meeting_date: date
    place: str
    chair: str
    version: str  # e.g. "3"
    approved_on: date | None  # None while the minutes are a draft
    confidentiality_statement: str
    attendance: tuple[Attendee, ...]
    quorum_met: bool
    quorum_missing: tuple[str, ...]  # agency types missing when quorum is not met
    items: tuple[CaseItem, ...]
    carried_forward: tuple[ActionDoc, ...] = ()  # open actions of earlier meetings
    # Agreed at this meeting on a standard item (apologies, last minutes): about no child.
    other_actions: tuple[ActionDoc, ...] = ()
    next_meeting: date | None = None
    # The exploitation panel's thematic part, after the children.
    themes: tuple[ThemeItem, ...] = ()
    # True for a board copy built by redaction.board_copy; the renderers then never print
    # a child's identifying fields even if a caller filled them in.
    is_board_copy: bool = False
    # Where the documents' web pages are, ending in "/": the first page of the minutes and of
    # the board copy prints its page's address ("minutes.html", "board.html" after it), so
    # stored content renders again to the same bytes. "" prints none.
    document_address: str = ""

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None


@dataclass(frozen=True)
class ActionLogDoc:
    panel_name: str
    generated_on: date
    actions: tuple[ActionDoc, ...] = field(default_factory=tuple)
