"""Writes of a referral's intake and life: drafts, submission with child matching,
screening, decisions, closing, withdrawal, contributions and attachments.

Each entry point checks the policy, asks the workflow whether the move is allowed, writes,
records the transition and the audit row, and notifies after commit, in one transaction.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest, Length
from django.utils import timezone
from guardian.shortcuts import assign_perm

import access
from agencies import audit
from agencies.models import Agency
from notifications import services as notification_services
from notifications.models import NotificationKind
from panels.models import Panel, PanelKind
from referrals import child_record, clocks_for, completeness, matching, workflow
from referrals.attachments import check_upload
from referrals.models import (
    Attachment,
    Child,
    ChildMatch,
    Contribution,
    ContributionRequest,
    ContributionSensitivity,
    HouseholdMember,
    MatchStatus,
    Rag,
    ReferenceSerial,
    Referral,
    ReferralShare,
    ReferralState,
    ReferralTransition,
)
from referrals.services import ReferralError


@dataclass
class ChildDetails:
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    is_unborn: bool = False
    expected_date_of_birth: date | None = None
    gender: str = "not_known"
    aliases: list[str] = field(default_factory=list)
    address: str = ""
    postcode: str = ""
    school: str = ""
    nhs_number: str = ""
    upn: str = ""
    ethnicity: str = ""
    first_language: str = ""
    disability: str = ""


@dataclass
class ReferralDetails:
    concern: str = ""
    categories: list[str] = field(default_factory=list)
    immediate_risk: bool = False
    family_aware: str = "not_known"
    consent: str = ""
    lawful_basis: str = ""
    reason_without_consent: str = ""


@dataclass
class HouseholdDetails:
    full_name: str
    relationship: str
    date_of_birth: date | None = None
    lives_with_child: bool = True


CHILD_FIELDS = list(ChildDetails.__dataclass_fields__)
REFERRAL_FIELDS = list(ReferralDetails.__dataclass_fields__)


def default_hub() -> Panel | None:
    """New referrals go to the borough's MASH screening hub, where one is set up (read with its
    clocks, which a submission starts at once)."""
    return (
        Panel.objects.filter(kind=PanelKind.MASH, is_active=True)
        .select_related("screening_clocks")
        .order_by("pk")
        .first()
    )


def _stem_for(referral: Referral) -> str:
    return f"{settings.REFERRAL_REFERENCE_PREFIX}-{referral.created_at:%Y}-"


def _highest_serial(stem: str) -> int:
    """The highest number already given under `stem`, read from the references themselves
    (where no counter row exists yet: the year's first, or data from before the counter).
    References made by the older PREFIX-YEAR-NNNNNN rule keep theirs."""
    serials = [
        int(reference.removeprefix(stem))
        for reference in Referral.objects.filter(reference__startswith=stem)
        .annotate(size=Length("reference"))
        .order_by("-size", "-reference")
        .values_list("reference", flat=True)[:5]
        if reference.removeprefix(stem).isdigit()
    ]
    return max(serials, default=0)


# On ReferenceSerial's table, named as it is in the SQL (a test checks the name).
TAKE_NEXT_SERIAL = (
    'UPDATE "referrals_referenceserial" SET "last" = "last" + 1 WHERE "stem" = %s RETURNING "last"'
)


def _next_serial(stem: str) -> int:
    """Take the next number under `stem`: the counter's row is incremented (and so locked
    until the caller's transaction ends), so two referrals made at once queue for it, one
    after the other, and never collide."""
    for _ in range(3):
        with connection.cursor() as cursor:
            # One statement takes the number and reads it (PostgreSQL and SQLite 3.35+ both
            # have RETURNING; the ORM's update() does not).
            cursor.execute(TAKE_NEXT_SERIAL, [stem])
            taken = cursor.fetchone()
        if taken is not None:
            return taken[0]
        try:
            with transaction.atomic():  # the year's first: made once, by whoever comes first
                ReferenceSerial.objects.create(stem=stem, last=_highest_serial(stem) + 1)
        except IntegrityError:
            continue  # another made it meanwhile: take the next number from it
        return ReferenceSerial.objects.values_list("last", flat=True).get(stem=stem)
    raise ReferralError("Could not number the referral. Try again.")


def _numbered_insert(referral: Referral) -> None:
    """Insert a new referral with its reference: PREFIX-YEAR-NNNN, the year's next number for
    the prefix (four digits, more after 9999), the one format of the service (the demo
    borough's FEN-2026-0001). The counter moves in the referral's own transaction: a referral
    undone gives its number back, so the year's numbers have no gaps and no repeats."""
    stem = _stem_for(referral)
    for _ in range(3):
        referral.reference = f"{stem}{_next_serial(stem):04d}"
        try:
            with transaction.atomic():
                referral.save(force_insert=True)
            return
        except IntegrityError:
            # Taken by a reference given outside the counter (an import, rows written before
            # it): the counter catches up with the highest and the next number is tried.
            ReferenceSerial.objects.filter(stem=stem).update(
                last=Greatest(F("last"), _highest_serial(stem))
            )
    raise ReferralError("Could not number the referral. Try again.")


def _apply_child(child: Child, details: ChildDetails) -> None:
    for name in CHILD_FIELDS:
        setattr(child, name, getattr(details, name))
    child.search_name = matching.search_name_for(child.first_name, child.last_name, child.aliases)


def _record_transition(*, referral, transition, actor, reason="", request=None, at=None):
    at = at or timezone.now()
    ReferralTransition.objects.create(
        referral=referral,
        name=transition.name,
        from_state=referral.state,
        to_state=transition.target,
        actor=actor,
        at=at,
        reason=reason,
    )
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=referral,
        referral=referral,
        request=request,
        reason=reason,
        detail=f"{transition.label}: {referral.state} -> {transition.target}",
    )
    referral.state = transition.target


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Call this inside the caller's transaction (transaction.atomic).")


def draft_save(
    *,
    actor,
    agency: Agency,
    child: ChildDetails,
    details: ReferralDetails,
    household: list[HouseholdDetails] | None = None,
    referral: Referral | None = None,
    request=None,
) -> Referral:
    """Create or update a draft, inside the caller's transaction (referral_draft_save is the
    same in a durable transaction of its own; referrals.api.submission saves and submits in
    one). A draft may be incomplete: it keeps what the person typed. A new draft comes back
    with `new_household`, the household rows it was given.

    A draft's edits only ever reach a child row of its own: when another referral names the
    draft's row, the draft moves to a copy first (child_record.own_child_for_draft)."""
    _require_transaction()
    if not access.may_refer_for(actor, agency):
        raise access.ForbiddenForUser(action="refer for", object_type="agency", object_id=agency.pk)
    if referral is None:
        new_child = Child()
        _apply_child(new_child, child)
        new_child.save(force_insert=True)
        referral = Referral(
            child=new_child,
            agency=agency,
            referrer=actor,
            state=ReferralState.DRAFT,
        )
        for name in REFERRAL_FIELDS:
            setattr(referral, name, getattr(details, name))
        _numbered_insert(referral)
        # A new draft has no household yet: its rows are written in one statement.
        referral.new_household = HouseholdMember.objects.bulk_create(
            HouseholdMember(
                child=new_child,
                referral=referral,
                full_name=new.full_name,
                relationship=new.relationship,
                date_of_birth=new.date_of_birth,
                lives_with_child=new.lives_with_child,
            )
            for new in household or []
        )
        audit.record(
            actor=actor,
            action=audit.Action.CREATED,
            obj=referral,
            referral=referral,
            request=request,
        )
        return referral
    if referral.state != ReferralState.DRAFT:
        raise ReferralError("Only a draft can be edited like this.")
    if not access.can_change_referral(actor, referral):
        raise access.ForbiddenForUser(
            action="edit",
            object_type="referral",
            object_id=referral.pk,
            referral_id=referral.pk,
        )
    child_row = child_record.own_child_for_draft(actor=actor, referral=referral, request=request)
    _apply_child(child_row, child)
    child_row.save()
    referral.agency = agency
    for name in REFERRAL_FIELDS:
        setattr(referral, name, getattr(details, name))
    referral.save(update_fields=["agency", *REFERRAL_FIELDS])
    if household is not None:
        # A draft's household list is replaced as typed; submitted ones are never edited so.
        existing = list(referral.household_members.filter(removed_at__isnull=True))
        for member, new in zip(existing, household, strict=False):
            member.full_name, member.relationship = new.full_name, new.relationship
            member.date_of_birth, member.lives_with_child = new.date_of_birth, new.lives_with_child
            member.save(
                update_fields=["full_name", "relationship", "date_of_birth", "lives_with_child"]
            )
        for new in household[len(existing) :]:
            HouseholdMember.objects.create(
                child=referral.child,
                referral=referral,
                full_name=new.full_name,
                relationship=new.relationship,
                date_of_birth=new.date_of_birth,
                lives_with_child=new.lives_with_child,
            )
        if len(existing) > len(household):
            # Rows dropped from a draft were never submitted, so nothing shared is lost.
            HouseholdMember.objects.filter(
                pk__in=[m.pk for m in existing[len(household) :]]
            ).update(referral=None)
    audit.record(
        actor=actor, action=audit.Action.CHANGED, obj=referral, referral=referral, request=request
    )
    return referral


# The pages save a draft in a transaction of its own.
referral_draft_save = transaction.atomic(durable=True)(draft_save)


def missing_for_submission(referral: Referral) -> list[str]:
    """What a referral still needs before it can be submitted, in words for the person
    (the messages of referrals.completeness.missing_for_submission)."""
    return [problem.message for problem in completeness.missing_for_submission(referral)]


@transaction.atomic(durable=True)
def referral_submit(*, actor, referral: Referral, request=None) -> Referral:
    """Submit a complete draft: start its clocks and suggest existing records of the child."""
    referral = Referral.objects.select_for_update().select_related("child").get(pk=referral.pk)
    return submit_locked(actor=actor, referral=referral, request=request)


def submit_locked(*, actor, referral: Referral, request=None) -> Referral:
    """referral_submit's work, inside the caller's transaction, on a referral whose row the
    caller has locked (select_for_update) or inserted in that same transaction."""
    _require_transaction()
    transition = workflow.transition_for(name="submit", state=referral.state)
    access.require(actor, "submit", referral)
    missing = completeness.missing_for_submission(referral)
    if missing:
        raise ReferralError("; ".join(problem.message for problem in missing))
    now = timezone.now()
    referral.hub = referral.hub or default_hub()
    referral.submitted_at = now
    for name, value in clocks_for.deadlines_on_receipt(referral, now).items():
        setattr(referral, name, value)
    _record_transition(referral=referral, transition=transition, actor=actor, request=request)
    referral.save(
        update_fields=["state", "hub", "submitted_at", "screening_due_at", "decision_due_at"]
    )
    child = referral.child
    candidates = matching.find_candidates(
        first_name=child.first_name,
        last_name=child.last_name,
        date_of_birth=child.date_of_birth,
        nhs_number=child.nhs_number,
        aliases=child.aliases,
        exclude_child_id=child.pk,
    )
    # One statement for every suggestion; a suggestion already made is left as it is.
    ChildMatch.objects.bulk_create(
        [
            ChildMatch(
                referral=referral,
                candidate=candidate.child,
                score=candidate.score,
                reasons=candidate.reasons,
            )
            for candidate in candidates
        ],
        ignore_conflicts=True,
    )
    return referral


@transaction.atomic(durable=True)
def referral_screen(*, actor, referral: Referral, rag: str, reason: str, request=None) -> Referral:
    """Rate a submitted referral red, amber or green; the decision clock follows the rating."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    transition = workflow.transition_for(name="screen", state=referral.state)
    access.require(actor, "screen", referral)
    if rag not in Rag.values:
        raise ReferralError("Choose a rating: red, amber or green")
    if not reason.strip():
        raise ReferralError("Give the reason for the rating")
    referral.rag = rag
    referral.screened_at = timezone.now()
    referral.decision_due_at = clocks_for.decision_due_after_screening(referral, rag)
    _record_transition(
        referral=referral, transition=transition, actor=actor, reason=reason, request=request
    )
    referral.save(update_fields=["state", "rag", "screened_at", "decision_due_at"])
    return referral


DECISIONS = ("no_further_action", "early_help", "list_for_panel", "escalate")


@transaction.atomic(durable=True)
def referral_decide(
    *, actor, referral: Referral, decision: str, reason: str, request=None
) -> Referral:
    """The screening decision: no further action, early help, list for panel, or escalate."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if decision not in DECISIONS:
        raise ReferralError("Choose what happens next")
    transition = workflow.transition_for(name=decision, state=referral.state)
    access.require(actor, decision, referral)
    if not reason.strip():
        raise ReferralError("Give the reason for the decision")
    referral.decided_at = timezone.now()
    _record_transition(
        referral=referral, transition=transition, actor=actor, reason=reason, request=request
    )
    referral.save(update_fields=["state", "decided_at"])
    tell_referrer(referral, actor)
    return referral


def tell_referrer(referral: Referral, actor) -> None:
    """Feedback to the referrer: what became of their referral (the state, never the reason,
    which may name the child)."""
    notification_services.notify(
        recipients=[p for p in access.users_to_tell_of_decision(referral) if p != actor],
        kind=NotificationKind.REFERRAL_DECIDED,
        message=f"Your referral {referral.reference} is now: "
        f"{ReferralState(referral.state).label.lower()}.",
        referral=referral,
    )


@transaction.atomic(durable=True)
def referral_close(*, actor, referral: Referral, outcome: str, request=None) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    transition = workflow.transition_for(name="close", state=referral.state)
    access.require(actor, "close", referral)
    if not outcome.strip():
        raise ReferralError("Record the outcome before closing the referral")
    referral.outcome = outcome.strip()
    referral.closed_at = timezone.now()
    _record_transition(
        referral=referral, transition=transition, actor=actor, reason=outcome, request=request
    )
    referral.save(update_fields=["state", "outcome", "closed_at"])
    tell_referrer(referral, actor)
    return referral


@transaction.atomic(durable=True)
def referral_withdraw(*, actor, referral: Referral, reason: str, request=None) -> Referral:
    """Withdraw a draft or a submitted referral: kept, with who, when and why."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    transition = workflow.transition_for(name="withdraw", state=referral.state)
    access.require(actor, "withdraw", referral)
    if not reason.strip():
        raise ReferralError("Give the reason for withdrawing the referral")
    _record_transition(
        referral=referral, transition=transition, actor=actor, reason=reason, request=request
    )
    referral.save(update_fields=["state"])
    return referral


@transaction.atomic(durable=True)
def child_match_decide(
    *, actor, match: ChildMatch, confirm: bool, reason: str = "", request=None
) -> ChildMatch:
    """The screener confirms or rejects a suggested match; either way the decision is recorded.

    Confirming links records into one chronology: the referral joins the existing child's
    record, and its own record of the child is kept on the match (``referred_child``), never
    deleted. Details the existing record lacks are filled in from the referral through
    child_record.child_update, with their history; where both give a detail, the existing
    record keeps its own. Only a child with a referral that has left draft can be confirmed:
    a draft's child is nobody's to link to."""
    match = (
        ChildMatch.objects.select_for_update()
        .select_related("referral", "referral__child", "candidate")
        .get(pk=match.pk)
    )
    referral = match.referral
    if not access.can_screen(actor) or not access.can_view_referral(actor, referral):
        raise access.ForbiddenForUser(
            action="decide matches on",
            object_type="referral",
            object_id=referral.pk,
            referral_id=referral.pk,
        )
    if match.status != MatchStatus.SUGGESTED:
        raise ReferralError("This match has already been decided.")
    if confirm and not Child.objects.referred().filter(pk=match.candidate_id).exists():
        raise ReferralError(
            "This record cannot be confirmed: no submitted referral names the child."
        )
    match.status = MatchStatus.CONFIRMED if confirm else MatchStatus.REJECTED
    match.decided_by = actor
    match.decided_at = timezone.now()
    match.decision_reason = reason.strip()
    update_fields = ["status", "decided_by", "decided_at", "decision_reason"]
    if confirm:
        referred, record = referral.child, match.candidate
        match.referred_child = referred
        update_fields.append("referred_child")
    match.save(update_fields=update_fields)
    if confirm:
        referral.child = record
        referral.save(update_fields=["child"])
        HouseholdMember.objects.filter(referral=referral).update(child=record)
        # Other suggestions for this referral are settled by the confirmation.
        referral.matches.filter(status=MatchStatus.SUGGESTED).exclude(pk=match.pk).update(
            status=MatchStatus.REJECTED,
            decided_by=actor,
            decided_at=match.decided_at,
            decision_reason="Another record was confirmed as this child.",
        )
        filled = child_record.child_update(
            actor=actor,
            child=record,
            changes=child_record.details_from_match(referred=referred, record=record),
            reason=f"Confirmed as the child of referral {referral.reference}: details the "
            "record did not have",
            referral=referral,
            request=request,
        )
        detail = f"Linked to child {record.pk} (was {referred.pk})"
        if filled:
            detail += "; filled in: " + ", ".join(change.field for change in filled)
        differing = child_record.differing_fields(referred=referred, record=record)
        if differing:
            detail += f"; kept the record's, different on the referral: {', '.join(differing)}"
    else:
        detail = f"Rejected match with child {match.candidate_id}"
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=match,
        referral=referral,
        request=request,
        reason=match.decision_reason,
        detail=detail,
    )
    return match


@transaction.atomic(durable=True)
def contributions_request(
    *, actor, referral: Referral, agencies: list[Agency], request=None
) -> list[ContributionRequest]:
    """Ask agencies what they know: the referral is shared with each, and its leads are told."""
    if not access.can_request_contributions(actor, referral):
        raise access.ForbiddenForUser(
            action="ask for contributions on",
            object_type="referral",
            object_id=referral.pk,
            referral_id=referral.pk,
        )
    created = []
    for agency in agencies:
        asked, was_new = ContributionRequest.objects.get_or_create(
            referral=referral, agency=agency, defaults={"requested_by": actor}
        )
        if not was_new:
            continue
        created.append(asked)
        if (
            agency.pk != referral.agency_id
            and not ReferralShare.objects.filter(
                referral=referral, agency=agency, withdrawn_at__isnull=True
            ).exists()
        ):
            ReferralShare.objects.create(
                referral=referral,
                agency=agency,
                reason="Asked for the agency's information",
                shared_by=actor,
            )
            assign_perm(access.VIEW_REFERRAL, agency.permission_group, referral)
        audit.record(
            actor=actor,
            action=audit.Action.SHARED,
            obj=asked,
            referral=referral,
            request=request,
            detail=f"Asked {agency.name} for its information",
        )
        notification_services.notify(
            recipients=access.users_to_tell_of_contribution_request(referral, agency),
            kind=NotificationKind.CONTRIBUTION_REQUESTED,
            message=f"Referral {referral.reference} is waiting for your agency's information.",
            referral=referral,
        )
    return created


@transaction.atomic(durable=True)
def contribution_add(
    *,
    actor,
    referral: Referral,
    agency: Agency,
    text: str,
    sensitivity: str,
    lawful_basis: str,
    request=None,
) -> Contribution:
    if not access.contributing_agencies(actor, referral).filter(pk=agency.pk).exists():
        raise access.ForbiddenForUser(
            action="add information to",
            object_type="referral",
            object_id=referral.pk,
            referral_id=referral.pk,
        )
    if not text.strip():
        raise ReferralError("Enter what your agency knows")
    if sensitivity not in ContributionSensitivity.values:
        raise ReferralError("Choose who may read this information")
    if not lawful_basis.strip():
        raise ReferralError("Give the lawful basis for sharing this information")
    contribution = Contribution.objects.create(
        referral=referral,
        agency=agency,
        author=actor,
        text=text.strip(),
        sensitivity=sensitivity,
        lawful_basis=lawful_basis.strip(),
    )
    ContributionRequest.objects.filter(
        referral=referral, agency=agency, answered_at__isnull=True
    ).update(answered_at=contribution.created_at)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=contribution,
        referral=referral,
        request=request,
        detail=f"{agency.name} added information ({contribution.get_sensitivity_display()})",
    )
    return contribution


@transaction.atomic(durable=True)
def contribution_decline(
    *, actor, contribution_request: ContributionRequest, reason: str, request=None
) -> ContributionRequest:
    """An agency decides not to share what it holds, and says why."""
    asked = ContributionRequest.objects.select_for_update().get(pk=contribution_request.pk)
    referral = asked.referral
    if not access.contributing_agencies(actor, referral).filter(pk=asked.agency_id).exists():
        raise access.ForbiddenForUser(
            action="answer for",
            object_type="referral",
            object_id=referral.pk,
            referral_id=referral.pk,
        )
    if asked.answered_at is not None:
        raise ReferralError("Your agency has already answered.")
    if not reason.strip():
        raise ReferralError("Give the reason for not sharing")
    asked.answered_at = timezone.now()
    asked.declined_reason = reason.strip()
    asked.save(update_fields=["answered_at", "declined_reason"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=asked,
        referral=referral,
        request=request,
        reason=asked.declined_reason,
        detail="Declined to share information",
    )
    return asked


@transaction.atomic(durable=True)
def attachment_add(*, actor, referral: Referral, uploaded, request=None) -> Attachment:
    """Store a checked file under a generated name, outside the static files; the name the
    referrer gave is kept with the extension of what the file is (a PDF called .html is .pdf)."""
    access.require(actor, "add_attachment", referral)
    kind = check_upload(uploaded)
    data = uploaded.read()
    original = kind.file_name(os.path.basename(getattr(uploaded, "name", "") or "attachment")[:250])
    attachment = Attachment(
        referral=referral,
        original_name=original,
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{kind.extension}", ContentFile(data), save=False)
    attachment.save()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=attachment,
        referral=referral,
        request=request,
        detail=f"Attached {kind.label}, {attachment.size} bytes",
    )
    return attachment
