"""A child's record: who may change it, and how its history is kept.

A referral names a child (``Referral.child``). A confirmed match makes two referrals name the
same Child row, so that the child has one chronology across agencies. A row that another
referral names is shared, and no referral's author edits a shared row directly. Two rules
keep it so (issue 12):

1. A draft always has a child row of its own. Every draft save (the draft pages, the API) goes
   through ``referral_draft_save``, which asks ``own_child_for_draft`` first: when another
   referral names the draft's row (data from before this rule, or demo data), the draft moves
   to a copy of that row (copy-on-write) and the shared row stays exactly as it was. Nothing is
   lost and there is still one chronology: the shared row keeps every other referral's history,
   the copy keeps what the draft's referrer types, and when the draft is submitted matching
   offers the shared record again for a screener to confirm. Refusing the edit instead would
   leave the referrer unable to finish their referral.
2. A record that others can see changes only through ``child_update``: for each field, the old
   and new value, who, when, why and the referral it came from (ChildRecordChange,
   append-only), with the audit row in the same transaction. Confirming a match that brings
   details the record lacked goes through it (``details_from_match``).
"""

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from agencies import audit
from referrals import matching
from referrals.models import (
    Child,
    ChildRecordChange,
    Gender,
    HouseholdMember,
    Referral,
    ReferralState,
)
from referrals.services import ReferralError

# The fields of a child's record that people give and change (intake.ChildDetails).
RECORD_FIELDS = (
    "first_name",
    "last_name",
    "aliases",
    "date_of_birth",
    "is_unborn",
    "expected_date_of_birth",
    "gender",
    "address",
    "postcode",
    "school",
    "nhs_number",
    "upn",
    "ethnicity",
    "first_language",
    "disability",
)
_NAME_FIELDS = {"first_name", "last_name", "aliases"}
# Filled in from a confirmed match where the record has nothing. Names are added as aliases
# instead, and whether the child is unborn is never decided by a match.
_FILLABLE_FIELDS = tuple(f for f in RECORD_FIELDS if f not in _NAME_FIELDS | {"is_unborn"})


def is_shared(child: Child, *, besides: Referral) -> bool:
    """A child's row is shared when a referral other than ``besides`` names it."""
    return Referral.objects.filter(child_id=child.pk).exclude(pk=besides.pk).exists()


@transaction.atomic
def own_child_for_draft(*, actor: AbstractBaseUser, referral: Referral, request=None) -> Child:
    """The draft's own child row: its current one, or, when another referral names that row, a
    copy the draft moves to (with the household members typed on it). The shared row is left
    exactly as it was. Called by referral_draft_save, which has checked the actor edits the
    draft."""
    if referral.state != ReferralState.DRAFT:
        raise ReferralError("Only a draft can be edited like this.")
    shared = referral.child
    if not is_shared(shared, besides=referral):
        return shared
    copy = Child(**{name: getattr(shared, name) for name in RECORD_FIELDS})
    copy.aliases = list(shared.aliases or [])
    copy.search_name = shared.search_name
    copy.save()
    referral.child = copy
    referral.save(update_fields=["child"])
    HouseholdMember.objects.filter(referral=referral).update(child=copy)
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=copy,
        child=copy,
        referral=referral,
        request=request,
        detail=f"The draft's child has a record of its own from now on; child {shared.pk}, "
        "which another referral names, is unchanged",
    )
    return copy


def _label(field: str) -> str:
    return str(Child._meta.get_field(field).verbose_name)


@transaction.atomic
def child_update(
    *,
    actor: AbstractBaseUser,
    child: Child,
    changes: Mapping[str, object],
    reason: str,
    referral: Referral | None = None,
    request=None,
) -> list[ChildRecordChange]:
    """Change a child's record that others can see, keeping its history: one ChildRecordChange
    per changed field (old value, new value, who, when, why, the referral it came from) and one
    audit row naming the fields (never their values), in the caller's transaction. Values equal
    to the record's are skipped; with nothing to change nothing is written.

    Refused: a child no submitted referral names (a draft's child is changed on its draft), a
    change coming from a draft, a blank reason. The caller checks that the actor may make the
    change (child_match_decide: a screener who may read the referral)."""
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a child's record: {', '.join(sorted(unknown))}")
    if not reason.strip():
        raise ReferralError("Give the reason for changing the child's record")
    if referral is not None and referral.state == ReferralState.DRAFT:
        raise ReferralError("A draft referral cannot change a child's record that others see.")
    if not Child.objects.referred().filter(pk=child.pk).exists():
        raise ReferralError("This child's record is only on a draft: change it on the draft.")
    record = Child.objects.select_for_update().get(pk=child.pk)
    now = timezone.now()
    made = []
    for field, new in changes.items():
        old = getattr(record, field)
        if old == new:
            continue
        setattr(record, field, new)
        made.append(
            ChildRecordChange(
                child=record,
                field=field,
                old_value=old,
                new_value=new,
                changed_by=actor,
                changed_at=now,
                reason=reason.strip(),
                referral=referral,
            )
        )
    if not made:
        return []
    fields = [change.field for change in made]
    if _NAME_FIELDS & set(fields):
        record.search_name = matching.search_name_for(
            record.first_name, record.last_name, record.aliases
        )
        fields.append("search_name")
    record.save(update_fields=fields)
    ChildRecordChange.objects.bulk_create(made)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=record,
        child=record,
        referral=referral,
        request=request,
        reason=reason.strip(),
        detail="Changed the child's record: " + ", ".join(_label(c.field) for c in made),
    )
    # The caller's instance shows the record as it is now.
    for change in made:
        setattr(child, change.field, change.new_value)
    child.search_name = record.search_name
    return made


def _is_blank(field: str, value) -> bool:
    return value in ("", None, []) or (field == "gender" and value == Gender.NOT_KNOWN)


def details_from_match(*, referred: Child, record: Child) -> dict[str, object]:
    """What a referral's own record of the child adds to the record it is confirmed to be:
    every detail the record lacks and the referral gives, and the referral's names as aliases
    when the record knows the child by no such name. Where both give a detail and differ, the
    record keeps its own (see differing_fields); the referral's own row keeps the other."""
    changes: dict[str, object] = {
        field: getattr(referred, field)
        for field in _FILLABLE_FIELDS
        if _is_blank(field, getattr(record, field))
        and not _is_blank(field, getattr(referred, field))
    }
    known = {
        matching.normalise_name(name)
        for name in [f"{record.first_name} {record.last_name}", *(record.aliases or [])]
    }
    new_names = []
    for name in [f"{referred.first_name} {referred.last_name}", *(referred.aliases or [])]:
        if name.strip() and matching.normalise_name(name) not in known:
            known.add(matching.normalise_name(name))
            new_names.append(name.strip())
    if new_names:
        changes["aliases"] = [*(record.aliases or []), *new_names]
    return changes


def differing_fields(*, referred: Child, record: Child) -> list[str]:
    """The details both records give, differently (names aside)."""
    return [
        field
        for field in _FILLABLE_FIELDS
        if not _is_blank(field, getattr(referred, field))
        and not _is_blank(field, getattr(record, field))
        and getattr(referred, field) != getattr(record, field)
    ]
