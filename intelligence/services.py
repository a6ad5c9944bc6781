"""Every write about persons, places, vehicles and online accounts of concern: recording
one, taking it to a panel, linking it to a child (through a missing episode or a referral)
and ending a link. Each asks the policy first and writes its audit row in the same
transaction; every reading is recorded too."""

from django.db import transaction
from django.utils import timezone

import access
from agencies import audit
from agencies.models import Agency, AuditEvent
from intelligence.models import Link, Sensitivity, Subject, SubjectDiscussion, SubjectKind
from missing.models import MissingEpisode
from panels.models import Panel
from referrals.models import Referral


class IntelligenceError(Exception):
    """A write refused for a reason the person can act on; the message says what to do."""


def _forbidden(action: str, object_type: str, object_id="") -> access.ForbiddenForUser:
    return access.ForbiddenForUser(action=action, object_type=object_type, object_id=object_id)


@transaction.atomic(durable=True)
def subject_record(
    *,
    actor,
    kind: str,
    name: str,
    holding_agency: Agency,
    sensitivity: str = Sensitivity.PANEL_ONLY,
    panel: Panel | None = None,
    client_address: str | None = None,
    **details,
) -> Subject:
    """Record what an agency holds about a subject; with a panel, take it there at once.
    `client_address` is where the request came from (for the audit trail); a place's postal
    address, like every other detail, comes in `details`."""
    if not access.intelligence_holding_agencies(actor).filter(pk=holding_agency.pk).exists():
        raise _forbidden("record intelligence for", "agency", holding_agency.pk)
    name = name.strip()
    if not name:
        raise IntelligenceError("Enter a name, a registration or a handle.")
    if kind not in SubjectKind.values or sensitivity not in Sensitivity.values:
        raise IntelligenceError("Choose what it is and its sensitivity.")
    subject = Subject.objects.create(
        kind=kind,
        name=name,
        holding_agency=holding_agency,
        sensitivity=sensitivity,
        created_by=actor,
        **details,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=subject,
        address=client_address,
        detail=f"{subject.get_kind_display()} of concern recorded",
    )
    if panel is not None:
        _discuss(actor=actor, subject=subject, panel=panel, reason="", address=client_address)
    return subject


def _discuss(*, actor, subject, panel, reason, address) -> SubjectDiscussion:
    discussion, _ = SubjectDiscussion.objects.get_or_create(
        subject=subject, panel=panel, defaults={"listed_by": actor, "reason": reason}
    )
    audit.record(
        actor=actor,
        action=audit.Action.SHARED,
        obj=subject,
        address=address,
        reason=reason,
        detail=f"Taken to panel {panel.pk}",
    )
    return discussion


def subject_taken_to_panel(
    *, actor, subject: Subject, panel: Panel, reason: str, address: str | None = None
) -> SubjectDiscussion:
    """Inside the caller's transaction, for a caller that asked the policy itself (a thematic
    item listed on the panel's agenda: access.can_list_theme): the panel's members may read
    the subject from then on. Audited like subject_discuss_at."""
    return _discuss(actor=actor, subject=subject, panel=panel, reason=reason, address=address)


@transaction.atomic(durable=True)
def subject_discuss_at(
    *, actor, subject: Subject, panel: Panel, reason: str = "", address: str | None = None
) -> SubjectDiscussion:
    """Take a subject to a panel: its members may read it from then on."""
    if not access.can_change_subject(actor, subject):
        raise _forbidden("take to a panel", "subject of concern", subject.pk)
    return _discuss(actor=actor, subject=subject, panel=panel, reason=reason, address=address)


@transaction.atomic(durable=True)
def link_record(
    *,
    actor,
    subject: Subject,
    nature: str,
    source: str,
    episode: MissingEpisode | None = None,
    referral: Referral | None = None,
    address: str | None = None,
) -> Link:
    """Link a subject to a child, through an episode or a referral the person may read."""
    if not access.can_link_subject(actor, subject):
        raise _forbidden("link", "subject of concern", subject.pk)
    if (episode is None) == (referral is None):
        raise IntelligenceError("Give one missing episode or one referral.")
    if episode is not None and not access.can_view_missing_episode(actor, episode):
        raise IntelligenceError("Give a missing episode you may read.")
    if referral is not None and not access.can_view_referral(actor, referral):
        raise IntelligenceError("Give a referral you may read.")
    nature, source = nature.strip(), source.strip()
    if not nature or not source:
        raise IntelligenceError("Enter the nature of the link and where it comes from.")
    child = episode.child if episode is not None else referral.child
    link = Link.objects.create(
        subject=subject,
        child=child,
        episode=episode,
        referral=referral,
        nature=nature,
        source=source,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=link,
        child=child,
        referral=referral,
        address=address,
        detail=f"Linked to subject of concern {subject.pk}: {nature}"[:500],
    )
    return link


@transaction.atomic(durable=True)
def link_end(*, actor, link: Link, reason: str, address: str | None = None) -> Link:
    """End a link (never deleted): who, when and why are kept."""
    if not access.can_change_subject(actor, link.subject):
        raise _forbidden("end a link of", "subject of concern", link.subject_id)
    reason = reason.strip()
    if not reason:
        raise IntelligenceError("Give the reason for ending the link.")
    link = Link.objects.select_for_update().get(pk=link.pk)
    if link.ended_at is not None:
        raise IntelligenceError("The link has already ended.")
    link.ended_at = timezone.now()
    link.ended_by = actor
    link.end_reason = reason
    link.save(update_fields=["ended_at", "ended_by", "end_reason"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=link,
        child=link.child,
        address=address,
        reason=reason,
        detail="Link ended",
    )
    return link


@transaction.atomic(durable=True)
def subject_view_record(
    *, actor, subject: Subject, children_shown=(), address: str | None = None
) -> None:
    """Every reading of a subject is in the audit trail (a reload within 15 minutes is the
    same reading), with a row naming each linked child the page showed, so that a child's own
    trail ("who saw this child") lists the subject pages that named them."""
    audit.record_view(actor=actor, obj=subject, address=address, detail="Subject of concern")
    children = {child.pk: child for child in children_shown}
    if not children:
        return
    already = set(
        AuditEvent.objects.filter(
            actor=actor,
            action=audit.Action.VIEWED,
            object_type=subject._meta.label_lower,
            object_id=str(subject.pk),
            child_id__in=children,
            at__gte=timezone.now() - audit.VIEW_AUDIT_WINDOW,
        ).values_list("child_id", flat=True)
    )
    for pk, child in children.items():
        if pk not in already:
            audit.record(
                actor=actor,
                action=audit.Action.VIEWED,
                obj=subject,
                child=child,
                address=address,
                detail="Subject of concern: a linked child shown",
            )


@transaction.atomic(durable=True)
def network_view_record(
    *, actor, panel: Panel, exported: bool = False, address: str | None = None
) -> None:
    """A reading (or a CSV export) of a panel's network of subjects and children."""
    if exported:
        audit.record(
            actor=actor,
            action=audit.Action.EXPORTED_CSV,
            obj=panel,
            address=address,
            detail="Network of subjects of concern",
        )
        return
    audit.record_view(
        actor=actor, obj=panel, address=address, detail="Network of subjects of concern"
    )
