"""Every write about referrals: each checks the policy, writes, audits and notifies in one
transaction; events go out only after commit."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

import access
from agencies import audit
from agencies.models import Agency
from notifications import services as notification_services
from notifications.models import NotificationKind
from referrals.models import BreakGlassAccess, Referral, ReferralShare


class ReferralError(Exception):
    """A write refused for a reason the person can act on; the message says what to do."""


@transaction.atomic(durable=True)
def referral_view_record(
    *, actor: AbstractBaseUser, referral: Referral, request=None, reason: str = ""
) -> None:
    """Record that a person read a referral (with the auditor's reason where one is asked)."""
    if access.must_give_view_reason(actor, referral) and not reason.strip():
        raise ReferralError("Give the reason you are reading this case.")
    audit.record(
        actor=actor,
        action=audit.Action.VIEWED,
        obj=referral,
        referral=referral,
        request=request,
        reason=reason.strip(),
    )


def child_record_view_record(*, actor: AbstractBaseUser, child, origin, reason: str = "") -> None:
    """Record that a person read a child's record and chronology (with the reason asked)."""
    audit.record(
        actor=actor,
        action=audit.Action.VIEWED,
        obj=child,
        child=child,
        origin=origin,
        reason=reason,
        detail="Child's record and chronology",
    )


def child_match_view_record(
    *, actor: AbstractBaseUser, candidate, referral: Referral, origin
) -> None:
    """Record that a person compared a referral's child with a suggested match: the match's
    child was shown to them."""
    audit.record(
        actor=actor,
        action=audit.Action.VIEWED,
        obj=candidate,
        child=candidate,
        referral=referral,
        origin=origin,
        detail=f"Compared with referral {referral.reference} as a suggested match",
    )


def attachment_download_record(
    *, actor: AbstractBaseUser, attachment, referral: Referral, origin, reason: str = ""
) -> None:
    """Record that a person downloaded an attachment of a referral."""
    audit.record(
        actor=actor,
        action=audit.Action.DOWNLOADED,
        obj=attachment,
        referral=referral,
        origin=origin,
        reason=reason,
        detail=f"Downloaded {attachment.original_name}",
    )


@transaction.atomic(durable=True)
def referral_share(
    *, actor: AbstractBaseUser, referral: Referral, agency: Agency, reason: str, request=None
) -> ReferralShare:
    access.require(actor, "share_referral", referral)
    reason = reason.strip()
    if not reason:
        raise ReferralError("Enter the reason for sharing this referral.")
    if agency.pk == referral.agency_id:
        raise ReferralError("The referral already belongs to that agency.")
    if not agency.is_active:
        raise ReferralError("That agency is no longer active.")
    if referral.shares.filter(agency=agency, withdrawn_at__isnull=True).exists():
        raise ReferralError(f"The referral is already shared with {agency.name}.")
    share = ReferralShare.objects.create(
        referral=referral, agency=agency, reason=reason, shared_by=actor
    )
    assign_perm(access.VIEW_REFERRAL, agency.permission_group, referral)
    audit.record(
        actor=actor,
        action=audit.Action.SHARED,
        obj=share,
        referral=referral,
        request=request,
        reason=reason,
        detail=f"Shared with {agency.name}",
    )
    notification_services.notify(
        recipients=access.users_to_tell_of_share(referral, agency),
        kind=NotificationKind.REFERRAL_SHARED,
        message=f"Referral {referral.reference} has been shared with {agency.name}.",
        referral=referral,
    )
    return share


@transaction.atomic(durable=True)
def referral_share_withdraw(
    *, actor: AbstractBaseUser, share: ReferralShare, reason: str, request=None
) -> ReferralShare:
    referral = share.referral
    access.require(actor, "share_referral", referral)
    reason = reason.strip()
    if not reason:
        raise ReferralError("Enter the reason for withdrawing this share.")
    if share.withdrawn_at is not None:
        raise ReferralError("This share has already been withdrawn.")
    share.withdrawn_at = timezone.now()
    share.withdrawn_by = actor
    share.withdrawal_reason = reason
    share.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    # The share row keeps the history; the guardian row is only the live grant.
    remove_perm(access.VIEW_REFERRAL, share.agency.permission_group, referral)
    audit.record(
        actor=actor,
        action=audit.Action.SHARE_WITHDRAWN,
        obj=share,
        referral=referral,
        request=request,
        reason=reason,
        detail=f"Share with {share.agency.name} withdrawn",
    )
    return share


@transaction.atomic(durable=True)
def referral_break_glass(
    *, actor: AbstractBaseUser, referral: Referral, reason: str, request=None
) -> BreakGlassAccess:
    """Open a case outside one's rights: time-limited, audited, and its agency's leads told."""
    if not access.can_break_glass(actor, referral):
        raise access.ForbiddenForUser(
            action="break the glass on",
            object_type="referral",
            object_id=referral.pk,
            referral_id=referral.pk,
        )
    reason = reason.strip()
    if len(reason) < 10:
        raise ReferralError("Explain why you need this case now (at least 10 characters).")
    now = timezone.now()
    glass = BreakGlassAccess.objects.create(
        user=actor,
        referral=referral,
        reason=reason,
        opened_at=now,
        expires_at=now + access.break_glass_duration(),
    )
    access.forget(actor.pk)  # the case opens for the rest of this request too
    audit.record(
        actor=actor,
        action=audit.Action.BREAK_GLASS,
        obj=glass,
        referral=referral,
        request=request,
        reason=reason,
        detail=f"Access until {glass.expires_at:%Y-%m-%d %H:%M}",
    )
    message = (
        f"{actor.get_full_name() or actor.get_username()} broke the glass on referral "
        f"{referral.reference}."
    )
    notification_services.notify(
        recipients=access.users_to_tell_of_break_glass(referral),
        kind=NotificationKind.BREAK_GLASS,
        message=message,
        referral=referral,
    )
    # The data protection officers may not read the case: they are sent to its audit trail.
    notification_services.notify(
        recipients=access.data_protection_officers_to_tell_of_break_glass(referral).exclude(
            pk__in=access.users_to_tell_of_break_glass(referral)
        ),
        kind=NotificationKind.BREAK_GLASS,
        message=message,
        link=f"/referrals/{referral.pk}/audit/",
    )
    return glass
