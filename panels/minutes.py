"""Writes about a meeting's minutes: drafted from the meeting's record, edited by the
coordinator, submitted to the chair, returned with comments or approved, then corrected by a
new version, never by changing an old one.

An approval checks the draft (the policy, its state and revision, each unsure redaction of
the board copy confirmed) without a lock, then in one short transaction freezes the draft into
a MinutesVersion and commits. Its PDFs (the full minutes, the board copy and one action
extract per agency with actions, each kept as the approved bytes with their SHA-256) are
rendered after the commit from the version's frozen content, by `panels.minutes_rendering`,
which sends them out (the board's emails and everyone's notifications) once they are stored.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

import access
from agencies import audit
from agencies.models import AuditAction
from agencies.state_machine import StateMachine, Transition
from notifications import services as notification_services
from notifications.models import NotificationKind
from panels import minutes_rendering
from panels.documents import approved_documents_address, meeting_doc_for
from panels.minutes_rendering import meeting_day as _day
from panels.minutes_rendering import minutes_link as _link
from panels.models import (
    DocumentKind,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesHistory,
    MinutesStatus,
    MinutesStep,
    MinutesVersion,
    RiskLevel,
)
from panels.pdf import board_copy
from panels.pdf.model import MeetingDoc
from panels.pdf.redaction import flag_key
from panels.pdf.serialize import meeting_doc_from_data, meeting_doc_to_data


class MinutesError(Exception):
    """A step refused for a reason the person can act on; the message says what to do."""


class StaleMinutes(MinutesError):
    """An edit made from an older revision than the one saved: nothing is changed."""


def _refuse(actor, meeting: Meeting, doing: str):
    """403 for someone who may see the minutes but not do this; the 404 of a hidden
    meeting for anyone else."""
    if access.can_view_minutes(actor, meeting):
        return access.ForbiddenForUser(action=doing, object_type="minutes", object_id=meeting.pk)
    return access.NotFoundForUser(object_type="meeting", object_id=meeting.pk)


_S = MinutesStatus
MINUTES_STATES = StateMachine(
    noun="minutes",
    states=MinutesStatus,
    transitions=[
        Transition(
            "submit",
            frozenset({_S.DRAFT, _S.RETURNED}),
            _S.SUBMITTED,
            "Send to the chair",
            needs_reason=False,
            refused="The minutes are {state}: only a draft or returned minutes can be submitted.",
        ),
        Transition(
            "return",
            frozenset({_S.SUBMITTED}),
            _S.RETURNED,
            "Return to the coordinator",
            refused="Only minutes waiting for approval can be returned.",
        ),
        Transition(
            "approve",
            frozenset({_S.SUBMITTED}),
            _S.APPROVED,
            "Approve",
            needs_reason=False,
            refused="Only minutes submitted by the coordinator can be approved.",
        ),
        Transition(
            "correct",
            frozenset({_S.APPROVED}),
            _S.DRAFT,
            "Start a correction",
            refused="Only approved minutes need a correction; edit the draft instead.",
        ),
    ],
    refusal=MinutesError,
)


def _locked(minutes: Minutes) -> Minutes:
    return Minutes.objects.select_for_update().select_related("meeting__panel").get(pk=minutes.pk)


def _step(minutes: Minutes, step: str, actor, comment: str = "", **detail) -> MinutesHistory:
    return MinutesHistory.objects.create(
        minutes=minutes, step=step, by=actor, comment=comment, detail=detail
    )


def minutes_doc(minutes: Minutes) -> MeetingDoc:
    """The draft as the documents' view-model."""
    return meeting_doc_from_data(minutes.content)


def redaction_flag_keys(minutes: Minutes) -> list[str]:
    """The key of each flag the board copy's redaction raises on the draft as it is now: what a
    script that has shown the chair every flag passes to minutes_approve."""
    return [flag_key(flag) for flag in redaction_flags(minutes)]


def redaction_flags(minutes: Minutes) -> list[str]:
    """What the board copy's redaction could not do surely: the chair confirms them."""
    return board_copy(minutes_doc(minutes))[1]


def next_version_number(minutes: Minutes) -> int:
    last = minutes.versions.aggregate(last=Max("number"))["last"] or 0
    return last + 1


@transaction.atomic(durable=True)
def minutes_view_record(
    *, actor, meeting: Meeting, minutes: Minutes | None, address: str | None = None
) -> None:
    """Record that a person opened a meeting's minutes page (its minutes, or the page saying
    there are none yet); a reopening within audit.VIEW_AUDIT_WINDOW is not a new reading."""
    audit.record_view(
        actor=actor,
        object_type="panels.minutes",
        object_id=minutes.pk if minutes is not None else "",
        address=address,
        detail=f"Minutes page of meeting {meeting.pk}",
    )


# --- Drafting ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def minutes_draft(*, actor, meeting: Meeting, request=None) -> Minutes:
    """The coordinator drafts the minutes of a closed meeting from what it recorded."""
    if not access.can_edit_minutes(actor, meeting):
        raise _refuse(actor, meeting, "draft the minutes of")
    meeting = Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)
    if meeting.status != MeetingStatus.CLOSED:
        raise MinutesError("Close the meeting first: minutes are drafted from its full record.")
    if Minutes.objects.filter(meeting=meeting).exists():
        raise MinutesError("These minutes are drafted already.")
    doc = replace(meeting_doc_for(meeting=meeting), version="1", approved_on=None)
    minutes = Minutes.objects.create(
        meeting=meeting, content=meeting_doc_to_data(doc), drafted_by=actor
    )
    _step(minutes, MinutesStep.DRAFTED, actor)
    audit.record(
        actor=actor,
        action=AuditAction.CREATED,
        obj=minutes,
        request=request,
        detail=f"Minutes of panel meeting {meeting.pk} drafted",
    )
    return minutes


ITEM_TEXT_FIELDS = ("summary", "discussion", "decision")


@transaction.atomic(durable=True)
def minutes_edit_item(
    *,
    actor,
    minutes: Minutes,
    reference: str,
    revision: int,
    summary: str,
    discussion: str,
    decision: str,
    risk_level: str,
    updates: dict[str, str],
    request=None,
) -> Minutes:
    """The coordinator corrects what the draft says of one case: its summary, discussion,
    decision, risk level and each agency's update (by agency name). The text replaced is
    kept in the minutes' history."""
    minutes = _locked(minutes)
    meeting = minutes.meeting
    if not access.can_edit_minutes(actor, meeting):
        raise _refuse(actor, meeting, "edit the minutes of")
    if not minutes.is_editable:
        raise MinutesError(
            f"The minutes are {minutes.get_status_display().lower()}: they can be edited "
            "only as a draft or when returned."
        )
    if revision != minutes.revision:
        raise StaleMinutes(
            "Someone saved the minutes after you opened them. Your change was not saved: "
            "the page shows their text now; make your change again."
        )
    content = minutes.content
    item = next((i for i in content["items"] if i["reference"] == reference), None)
    if item is None:
        raise MinutesError(f"There is no case {reference} in these minutes.")
    risk_labels = dict(RiskLevel.choices)
    if risk_level and risk_level not in risk_labels:
        raise MinutesError("Choose the risk level agreed: low, medium or high")
    new = {
        "summary": summary.strip(),
        "discussion": discussion.strip(),
        "decision": decision.strip(),
        "risk_level": risk_labels.get(risk_level, item["risk_level"]),
    }
    before = {name: item[name] for name in new if item[name] != new[name]}
    after = {name: new[name] for name in before}
    for update in item["agency_updates"]:
        text = updates.get(update["agency"])
        if text is not None and text.strip() != update["text"]:
            before[f"update:{update['agency']}"] = update["text"]
            after[f"update:{update['agency']}"] = text.strip()
            update["text"] = text.strip()
    item.update(new)
    meeting_doc_from_data(content)  # the edited draft must still be a document
    if not before:
        return minutes
    minutes.content = content
    minutes.revision += 1
    minutes.changed_at = timezone.now()
    minutes.save(update_fields=["content", "revision", "changed_at"])
    _step(minutes, MinutesStep.EDITED, actor, item=reference, before=before, after=after)
    audit.record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=minutes,
        request=request,
        detail=f"Minutes of panel meeting {meeting.pk}: {reference} edited",
    )
    return minutes


@transaction.atomic(durable=True)
def minutes_submit(*, actor, minutes: Minutes, request=None) -> Minutes:
    """The coordinator sends the draft to the chair, who is told."""
    minutes = _locked(minutes)
    meeting = minutes.meeting
    if not access.can_edit_minutes(actor, meeting):
        raise _refuse(actor, meeting, "submit the minutes of")
    MINUTES_STATES.move(minutes, "submit")
    minutes.changed_at = timezone.now()
    minutes.save(update_fields=["status", "changed_at"])
    _step(minutes, MinutesStep.SUBMITTED, actor)
    notification_services.notifications_mark_done(
        kinds=[NotificationKind.MINUTES_RETURNED], link=_link(meeting)
    )
    audit.record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=minutes,
        request=request,
        detail=f"Minutes of panel meeting {meeting.pk} submitted to the chair",
    )
    notification_services.notify(
        recipients=access.users_to_tell_of_minutes_for_approval(meeting),
        kind=NotificationKind.MINUTES_FOR_APPROVAL,
        message=f"The minutes of {meeting.panel.name} on {_day(meeting)} wait for your approval.",
        link=_link(meeting),
    )
    return minutes


@transaction.atomic(durable=True)
def minutes_return(*, actor, minutes: Minutes, comments: str, request=None) -> Minutes:
    """The chair sends submitted minutes back to the coordinator with comments."""
    minutes = _locked(minutes)
    meeting = minutes.meeting
    if not access.can_approve_minutes(actor, meeting):
        raise _refuse(actor, meeting, "return the minutes of")
    transition = MINUTES_STATES.transition_for(name="return", state=minutes.status)
    comments = comments.strip()
    if not comments:
        raise MinutesError("Say what the coordinator should change")
    minutes.status = transition.target
    minutes.changed_at = timezone.now()
    minutes.save(update_fields=["status", "changed_at"])
    _step(minutes, MinutesStep.RETURNED, actor, comment=comments)
    notification_services.notifications_mark_done(
        kinds=[NotificationKind.MINUTES_FOR_APPROVAL], link=_link(meeting)
    )
    audit.record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=minutes,
        request=request,
        reason=comments,
        detail=f"Minutes of panel meeting {meeting.pk} returned to the coordinator",
    )
    notification_services.notify(
        recipients=access.users_to_tell_of_minutes_returned(meeting),
        kind=NotificationKind.MINUTES_RETURNED,
        message=f"The chair returned the minutes of {meeting.panel.name} on {_day(meeting)} "
        "with comments.",
        link=_link(meeting),
    )
    return minutes


# --- Approval -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    """The draft the chair's approval checked, as the version it would become."""

    revision: int
    content: dict
    number: int
    doc: MeetingDoc
    flags: list[str]


def _check_approvable(actor, minutes: Minutes, revision: int) -> None:
    meeting = minutes.meeting
    if not access.can_approve_minutes(actor, meeting):
        raise _refuse(actor, meeting, "approve the minutes of")
    MINUTES_STATES.transition_for(name="approve", state=minutes.status)
    if revision != minutes.revision:
        raise StaleMinutes(
            "The minutes changed after you opened them. Read them again before approving."
        )


def minutes_approve(
    *,
    actor,
    minutes: Minutes,
    revision: int,
    confirmed_flags: Collection[str] = (),
    request=None,
) -> MinutesVersion:
    """The chair approves submitted minutes: a new immutable version with its frozen content;
    its PDFs, each with its hash, are rendered from that content after the commit
    (`panels.minutes_rendering`), and only then does the board copy go to the panel's board
    members and the full minutes to the meeting's participants. Each unsure redaction must be
    confirmed as checked first: the page sends the `flag_key` of each flag the chair ticked
    (`confirmed_flags`). There is no "every flag" shortcut: a script confirms each flag by its
    key, as a person does, so a flag added by an edit after the script read them stops the
    approval.

    Call it outside any transaction. The redaction check (a fraction of a second for a long
    meeting) reads the draft without a lock; a short durable transaction then locks the row,
    checks the draft is still the one checked and stores the version. A draft changed
    meanwhile is refused as StaleMinutes: the chair reads the newer text before approving it.
    With MINUTES_RENDERING "background" the documents are rendered by this process's
    rendering thread and the version returned has none yet; "inline" renders them before
    returning.
    """
    confirmed = _Confirmed(keys=frozenset(confirmed_flags))
    checked = _approval_check(actor=actor, minutes=minutes, revision=revision, confirmed=confirmed)
    version = _approval_store(actor=actor, minutes=minutes, checked=checked, request=request)
    if version is None:  # the day turned during the check: the documents carry the date
        checked = _approval_check(
            actor=actor, minutes=minutes, revision=revision, confirmed=confirmed
        )
        version = _approval_store(actor=actor, minutes=minutes, checked=checked, request=request)
    if version is None:
        raise MinutesError("The minutes could not be approved just now. Approve them again.")
    minutes_rendering.minutes_rendering_start(version_id=version.pk)
    return version


@dataclass(frozen=True)
class _Confirmed:
    """The redaction flags the chair confirmed, each by its key."""

    keys: frozenset[str]

    def missing(self, flags: list[str]) -> list[str]:
        return [f for f in flags if flag_key(f) not in self.keys]


def _approval_check(*, actor, minutes: Minutes, revision: int, confirmed: _Confirmed) -> _Checked:
    """The approval's checks on the draft as it is now, with no lock and no transaction held
    (the store checks again under the lock): the policy, the state, the revision, and each
    flag of the board copy's redaction confirmed."""
    minutes = Minutes.objects.select_related("meeting__panel").get(pk=minutes.pk)
    _check_approvable(actor, minutes, revision)
    number = next_version_number(minutes)
    doc = replace(
        minutes_doc(minutes),
        version=str(number),
        approved_on=timezone.localdate(),
        # Each PDF prints where its web page is; kept in the version's content.
        document_address=approved_documents_address(meeting_id=minutes.meeting_id, number=number),
    )
    # The flags of the board copy the version's rendering will redact from the same content.
    flags = board_copy(doc)[1]
    unconfirmed = confirmed.missing(flags)
    if unconfirmed:
        raise MinutesError(
            f"Confirm you have checked each of the {len(flags)} point"
            f"{'s' if len(flags) != 1 else ''} the board copy's redaction was unsure of "
            f"({len(unconfirmed)} not confirmed)"
        )
    return _Checked(
        revision=minutes.revision,
        content=minutes.content,
        number=number,
        doc=doc,
        flags=flags,
    )


@transaction.atomic(durable=True)
def _approval_store(
    *, actor, minutes: Minutes, checked: _Checked, request=None
) -> MinutesVersion | None:
    """Store the version if the locked draft is still the one checked; None when it must be
    checked again for another version number or day."""
    minutes = _locked(minutes)
    meeting = minutes.meeting
    _check_approvable(actor, minutes, checked.revision)
    if minutes.content != checked.content:
        raise StaleMinutes(
            "The minutes changed after you opened them. Read them again before approving."
        )
    number = next_version_number(minutes)
    approved_at = timezone.now()
    doc = checked.doc
    if number != checked.number or timezone.localdate(approved_at) != doc.approved_on:
        return None
    correction = (
        minutes.history.filter(step=MinutesStep.CORRECTION_STARTED).order_by("-at", "-pk").first()
        if number > 1
        else None
    )
    content = meeting_doc_to_data(doc)
    version = MinutesVersion.objects.create(
        minutes=minutes,
        number=number,
        content=content,
        approved_by=actor,
        approved_at=approved_at,
        approved_on=doc.approved_on,
        correction_reason=correction.comment if correction else "",
    )
    minutes.content = content
    MINUTES_STATES.move(minutes, "approve")
    minutes.changed_at = approved_at
    minutes.save(update_fields=["content", "status", "changed_at"])
    _step(minutes, MinutesStep.APPROVED, actor, version=number, flags=len(checked.flags))
    notification_services.notifications_mark_done(
        kinds=[NotificationKind.MINUTES_FOR_APPROVAL], link=_link(meeting)
    )
    audit.record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=version,
        request=request,
        detail=f"Minutes of panel meeting {meeting.pk} approved as version {number}",
    )
    return version


@transaction.atomic(durable=True)
def minutes_start_correction(*, actor, minutes: Minutes, reason: str, request=None) -> Minutes:
    """The coordinator corrects approved minutes: a new draft from the last version, to be
    approved as the next version; the approved versions stay as they are."""
    minutes = _locked(minutes)
    meeting = minutes.meeting
    if not access.can_edit_minutes(actor, meeting):
        raise _refuse(actor, meeting, "correct the minutes of")
    transition = MINUTES_STATES.transition_for(name="correct", state=minutes.status)
    reason = reason.strip()
    if not reason:
        raise MinutesError("Say what is being corrected and why")
    number = next_version_number(minutes)
    doc = replace(minutes_doc(minutes), version=str(number), approved_on=None)
    minutes.content = meeting_doc_to_data(doc)
    minutes.status = transition.target
    minutes.revision += 1
    minutes.changed_at = timezone.now()
    minutes.save(update_fields=["content", "status", "revision", "changed_at"])
    _step(minutes, MinutesStep.CORRECTION_STARTED, actor, comment=reason, version=number)
    audit.record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=minutes,
        request=request,
        reason=reason,
        detail=f"Correction of the minutes of panel meeting {meeting.pk} started",
    )
    return minutes


# --- Reading the documents: every reading audited ---------------------------------------------


def document_read_record(
    *, actor, document, origin: audit.Origin, as_web_page: bool = False
) -> None:
    """Record that a person downloaded an approved document (or read it as its web page)."""
    audit.record(
        actor=actor,
        action=AuditAction.EXPORTED_PDF,
        obj=document,
        origin=origin,
        detail=f"{document.get_kind_display()} of panel meeting "
        f"{document.version.minutes.meeting_id}, version {document.version.number}, "
        f"sha256 {document.sha256[:16]}" + (", read as its web page" if as_web_page else ""),
    )


def draft_read_record(
    *, actor, minutes: Minutes, kind: str, origin: audit.Origin, as_web_page: bool = False
) -> None:
    """Record that a person previewed a draft's full minutes or board copy."""
    audit.record(
        actor=actor,
        action=AuditAction.EXPORTED_PDF,
        obj=minutes,
        origin=origin,
        detail=f"Draft {DocumentKind(kind).label.lower()} of panel meeting {minutes.meeting_id}"
        + (", read as its web page" if as_web_page else ""),
    )


def action_log_read_record(
    *, actor, panel, origin: audit.Origin, as_web_page: bool = False
) -> None:
    """Record that a person downloaded a panel's action log (or read it as its web page)."""
    audit.record(
        actor=actor,
        action=AuditAction.EXPORTED_PDF,
        obj=panel,
        origin=origin,
        detail=f"Action log of {panel.name}" + (", read as its web page" if as_web_page else ""),
    )
