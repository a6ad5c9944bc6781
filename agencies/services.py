"""Every write about agencies, teams, people's accounts and their roles (memberships).

Each entry point asks the policy (access.administration, access.grants), writes the change with
its audit row in the same transaction, and tells the agency's data protection officers; a grant
waiting for a second person also asks those who may decide it. Emails, socket doorbells and
"check your access again" go out only after commit. Services take plain values: the client's
address, never the request.
"""

import logging

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import access
from agencies import audit, grants, sockets
from agencies.grants import AccessChangeError, name_of
from agencies.models import Agency, AgencyType, Membership, Role, Team

logger = logging.getLogger(__name__)
User = get_user_model()

__all__ = [
    "AccessChangeError",
    "agency_create",
    "agency_deactivate",
    "agency_ensure_permission_group",
    "agency_update",
    "membership_approve",
    "membership_end",
    "membership_grant",
    "membership_refuse",
    "password_change",
    "password_reset",
    "sign_in_failure_record",
    "sign_in_unlock",
    "team_create",
    "team_rename",
    "user_create",
    "user_deactivate",
    "user_send_password_link",
]


# --- Agencies and teams --------------------------------------------------------------------


@transaction.atomic
def agency_ensure_permission_group(*, agency: Agency) -> Group:
    """The guardian group that holds object permissions granted to this agency."""
    if agency.permission_group_id:
        return agency.permission_group
    group, _ = Group.objects.get_or_create(name=f"agency:{agency.pk}")
    agency.permission_group = group
    agency.save(update_fields=["permission_group"])
    return group


def _agency_fields(*, name: str, agency_type: str, ods_code: str, urn: str) -> dict:
    name = name.strip()
    if not name:
        raise AccessChangeError("Enter the agency's name")
    if agency_type not in AgencyType.values:
        raise AccessChangeError("Select the type of agency")
    return {
        "name": name,
        "agency_type": agency_type,
        "ods_code": ods_code.strip(),
        "urn": urn.strip(),
    }


def _require_unused_name(name: str, *, other_than: Agency | None = None) -> None:
    taken = Agency.objects.filter(name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        raise AccessChangeError(f"There is already an agency called {name}")


@transaction.atomic(durable=True)
def agency_create(
    *,
    actor: AbstractBaseUser,
    name: str,
    agency_type: str,
    ods_code: str = "",
    urn: str = "",
    address: str | None = None,
) -> Agency:
    """A new agency, with the permission group that referrals are shared with it through."""
    access.require_can_administer(actor)
    fields = _agency_fields(name=name, agency_type=agency_type, ods_code=ods_code, urn=urn)
    _require_unused_name(fields["name"])
    agency = Agency.objects.create(**fields)
    agency_ensure_permission_group(agency=agency)
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=agency,
        address=address,
        detail=f"Agency {agency.name} ({agency.get_agency_type_display()})",
    )
    return agency


@transaction.atomic(durable=True)
def agency_update(
    *,
    actor: AbstractBaseUser,
    agency: Agency,
    name: str,
    agency_type: str,
    ods_code: str = "",
    urn: str = "",
    address: str | None = None,
) -> Agency:
    """Change an agency's name, type and codes; the audit row says what changed from what."""
    access.require_can_administer(actor)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    fields = _agency_fields(name=name, agency_type=agency_type, ods_code=ods_code, urn=urn)
    _require_unused_name(fields["name"], other_than=agency)
    changed = {key: value for key, value in fields.items() if getattr(agency, key) != value}
    if not changed:
        return agency
    detail = "; ".join(
        f"{key}: {getattr(agency, key) or '-'} -> {value or '-'}" for key, value in changed.items()
    )
    for key, value in changed.items():
        setattr(agency, key, value)
    agency.save(update_fields=list(changed))
    audit.record(
        actor=actor, action=audit.Action.CHANGED, obj=agency, address=address, detail=detail
    )
    grants.tell_data_protection_officers(
        agency_ids=[agency.pk], message=f"{name_of(actor)} changed {agency.name}'s details."
    )
    return agency


@transaction.atomic(durable=True)
def agency_deactivate(
    *, actor: AbstractBaseUser, agency: Agency, reason: str, address: str | None = None
) -> Agency:
    """Deactivate an agency: every role and seat held for it gives nothing from now on (the
    rows are kept), and its people's open sockets check their access again."""
    access.require_can_deactivate_agency(actor, agency)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    reason = grants.required_reason(reason, doing="deactivating the agency")
    if not agency.is_active:
        return agency
    # Asked before the change: an inactive agency has no officers to tell.
    officers = list(access.users_to_tell_of_access_change([agency.pk]))
    people = list(
        Membership.objects.active().filter(agency=agency).values_list("user_id", flat=True)
    )
    agency.is_active = False
    agency.save(update_fields=["is_active"])
    access.forget_everyone()  # every role held for it gives nothing from now on
    audit.record(
        actor=actor,
        action=audit.Action.DEACTIVATED,
        obj=agency,
        address=address,
        reason=reason,
        detail=f"Agency {agency.name}",
    )
    grants.tell_officers(
        officers, f"{name_of(actor)} deactivated {agency.name}: its roles give nothing now."
    )
    sockets.recheck_sockets_on_commit(user_ids=people)
    return agency


def _team_name(name: str, agency: Agency, *, other_than: Team | None = None) -> str:
    name = name.strip()
    if not name:
        raise AccessChangeError("Enter the team's name")
    taken = Team.objects.filter(agency=agency, name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        raise AccessChangeError(f"{agency.name} already has a team called {name}")
    return name


@transaction.atomic(durable=True)
def team_create(
    *, actor: AbstractBaseUser, agency: Agency, name: str, address: str | None = None
) -> Team:
    """A new team in an agency."""
    access.require_can_administer(actor)
    team = Team.objects.create(agency=agency, name=_team_name(name, agency))
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=team,
        address=address,
        detail=f"Team {team.name} of {agency.name}",
    )
    grants.tell_data_protection_officers(
        agency_ids=[agency.pk],
        message=f"{name_of(actor)} added the team {team.name} to {agency.name}.",
    )
    return team


@transaction.atomic(durable=True)
def team_rename(
    *, actor: AbstractBaseUser, team: Team, name: str, address: str | None = None
) -> Team:
    """Rename a team; the audit row keeps the old name."""
    access.require_can_administer(actor)
    team = Team.objects.select_for_update().select_related("agency").get(pk=team.pk)
    name = _team_name(name, team.agency, other_than=team)
    if name == team.name:
        return team
    before, team.name = team.name, name
    team.save(update_fields=["name"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=team,
        address=address,
        detail=f"Team of {team.agency.name} renamed: {before} -> {name}",
    )
    grants.tell_data_protection_officers(
        agency_ids=[team.agency_id],
        message=f"{name_of(actor)} renamed the team {before} of {team.agency.name} to {name}.",
    )
    return team


# --- People's accounts ---------------------------------------------------------------------


def password_set_link(person) -> str:
    """The one-time link with which a person sets their password (Django's reset token: it
    stops working once the password is set, or after PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    return settings.SITE_URL.rstrip("/") + reverse("password-set", args=[uid, token])


def _email_password_link_on_commit(person) -> None:
    """Nobody sets another person's password: the person is emailed a link after commit."""
    name = person.get_full_name() or person.get_username()
    message = EmailMessage(
        subject="OFFICIAL-SENSITIVE: set your password for Safeguarding Panels",
        body="\n".join(
            [
                f"Dear {name},",
                "",
                "An account has been made for you on Safeguarding Panels, with the username "
                f"{person.get_username()}.",
                "Set your password with this link (it works once, for a few days):",
                "",
                f"  {password_set_link(person)}",
                "",
                "If you did not expect this email, tell your agency's safeguarding lead and do "
                "not use the link.",
            ]
        ),
        to=[person.email],
    )
    transaction.on_commit(lambda: message.send(fail_silently=False), robust=True)


@transaction.atomic(durable=True)
def user_create(
    *,
    actor: AbstractBaseUser,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    address: str | None = None,
) -> AbstractBaseUser:
    """A new person's account, with no password: they are emailed a link to set their own.
    The account gives nothing until a role is granted (and approved)."""
    access.require_can_administer(actor)
    username, email = username.strip(), User.objects.normalize_email(email.strip())
    if not username or not email:
        raise AccessChangeError("Enter the person's username and email address")
    if User.objects.filter(username__iexact=username).exists():
        raise AccessChangeError(f"The username {username} is taken: choose another")
    person = User(
        username=username, first_name=first_name.strip(), last_name=last_name.strip(), email=email
    )
    person.set_unusable_password()
    person.save()
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=person,
        address=address,
        detail=f"Account for {name_of(person)} ({username}, {email}); set-password link emailed",
    )
    _email_password_link_on_commit(person)
    return person


@transaction.atomic(durable=True)
def user_send_password_link(
    *, actor: AbstractBaseUser, person: AbstractBaseUser, address: str | None = None
) -> None:
    """Email a person a new link to set their password (the last one ran out, or was lost)."""
    access.require_can_change_access_of(actor, person)
    if not person.is_active or not person.email:
        raise AccessChangeError(
            f"{name_of(person)} has no active account with an email address to send a link to"
        )
    audit.record(
        actor=actor,
        action=audit.Action.PASSWORD_LINK_SENT,
        obj=person,
        address=address,
        detail=f"To {person.email}",
    )
    _email_password_link_on_commit(person)


@transaction.atomic(durable=True)
def user_deactivate(
    *, actor: AbstractBaseUser, person: AbstractBaseUser, reason: str, address: str | None = None
) -> AbstractBaseUser:
    """Deactivate an account: the person cannot sign in and every role gives nothing (rows
    are kept); their open sockets check their access again after commit."""
    access.require_can_change_access_of(actor, person)
    person = User.objects.select_for_update().get(pk=person.pk)
    reason = grants.required_reason(reason, doing="deactivating the account")
    if not person.is_active:
        return person
    agency_ids = set(
        Membership.objects.active().filter(user=person).values_list("agency_id", flat=True)
    )
    person.is_active = False
    person.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action=audit.Action.DEACTIVATED,
        obj=person,
        address=address,
        reason=reason,
        detail=f"Account of {name_of(person)} ({person.get_username()})",
    )
    grants.tell_data_protection_officers(
        agency_ids=agency_ids, message=f"{name_of(actor)} deactivated {name_of(person)}'s account."
    )
    sockets.recheck_sockets_on_commit(user_ids=[person.pk])
    return person


# --- Roles (agency memberships) -------------------------------------------------------------


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "agency", "requested_by")
        .get(pk=membership.pk)
    )


@transaction.atomic(durable=True)
def membership_grant(
    *,
    actor: AbstractBaseUser,
    person: AbstractBaseUser,
    agency: Agency,
    role: str,
    reason: str,
    team: Team | None = None,
    job_title: str = "",
    address: str | None = None,
) -> Membership:
    """Ask for a person to hold a role in an agency. It takes effect only when a second person
    approves it (access.grant_needs_approval); never for oneself."""
    access.require_can_change_access_of(actor, person)
    if role not in Role.values:
        raise AccessChangeError("Select a role")
    if not agency.is_active:
        raise AccessChangeError(f"{agency.name} is deactivated: no role can be granted in it")
    if not person.is_active:
        raise AccessChangeError(f"{name_of(person)}'s account is deactivated")
    if team is not None and team.agency_id != agency.pk:
        raise AccessChangeError(f"Choose a team of {agency.name}, or no team")
    same = Membership.objects.filter(user=person, agency=agency, role=role)
    if same.pending().exists():
        raise AccessChangeError("This role is already waiting for approval")
    if same.active().exists():
        raise AccessChangeError(f"{name_of(person)} already holds this role in {agency.name}")
    grant = Membership(
        user=person, agency=agency, role=role, team=team, job_title=job_title.strip()
    )
    return grants.ask_for(
        grant=grant,
        actor=actor,
        reason=reason,
        needs_approval=access.grant_needs_approval(role),
        address=address,
    )


@transaction.atomic(durable=True)
def membership_approve(
    *,
    actor: AbstractBaseUser,
    membership: Membership,
    reason: str = "",
    address: str | None = None,
) -> Membership:
    """The second person approves a waiting role: it starts now."""
    membership = _locked(membership)
    access.require_can_decide_grant(actor, membership)
    return grants.decide(
        grant=membership, actor=actor, approve=True, reason=reason, address=address
    )


@transaction.atomic(durable=True)
def membership_refuse(
    *,
    actor: AbstractBaseUser,
    membership: Membership,
    reason: str,
    address: str | None = None,
) -> Membership:
    """The second person refuses a waiting role, with a reason: it never gives anything."""
    membership = _locked(membership)
    access.require_can_decide_grant(actor, membership)
    return grants.decide(
        grant=membership, actor=actor, approve=False, reason=reason, address=address
    )


@transaction.atomic(durable=True)
def membership_end(
    *,
    actor: AbstractBaseUser,
    membership: Membership,
    reason: str,
    address: str | None = None,
) -> Membership:
    """End a role now: the access it gave ends at once (the policy reads live rows), and the
    person's open sockets check their access again."""
    membership = _locked(membership)
    if membership.ended_at is not None:
        return membership
    access.require_can_end_grant(actor, membership)
    grants.end(grant=membership, actor=actor, reason=reason, address=address)
    return membership


# --- Signing in and passwords --------------------------------------------------------------
# A failed or locked sign-in recorded, a lockout lifted, a password changed or reset. Nobody
# is signed in for the first and the last, so their rows have no actor.

# Usernames someone typed are kept in the trail only this long (they may be anything).
_TYPED_USERNAME_LENGTH = 150


@transaction.atomic(durable=True)
def sign_in_failure_record(
    *, username: str | None, address: str | None, locked: bool, door: str, failures: int | None
) -> None:
    """Record one failed sign-in: a wrong password or unknown username, or (`locked`) an
    attempt that reached the failure limit or came while locked. Nobody is signed in, so the
    row has no actor; it names the account when the username is one."""
    typed = (username or "")[:_TYPED_USERNAME_LENGTH]
    account = User.objects.filter(username=typed).values_list("pk", flat=True).first()
    counted = f"; {failures} failures" if failures else ""
    audit.record(
        actor=None,
        action=audit.Action.SIGN_IN_LOCKED_OUT if locked else audit.Action.SIGN_IN_FAILED,
        object_type="auth.user" if account else "sign-in",
        object_id=account or "",
        address=address,
        detail=f"{door}: username {typed!r}{counted}",
    )


@transaction.atomic(durable=True)
def sign_in_unlock(
    *,
    actor: AbstractBaseUser,
    username: str = "",
    ip_address: str = "",
    address: str | None = None,
) -> int:
    """Lift the lockout of one username or one address (its counted failures are forgotten);
    the number of attempt records removed."""
    access.require_can_unlock_sign_in(actor)
    if bool(username) == bool(ip_address):
        raise ValueError("Unlock either a username or an address")
    removed = axes_reset(username=username or None, ip=ip_address or None)
    account = (
        User.objects.filter(username=username).values_list("pk", flat=True).first()
        if username
        else None
    )
    audit.record(
        actor=actor,
        action=audit.Action.SIGN_IN_UNLOCKED,
        object_type="auth.user" if account else "sign-in",
        object_id=account or "",
        address=address,
        detail=f"Username {username!r}" if username else f"Address {ip_address}",
    )
    return removed


@transaction.atomic(durable=True)
def password_change(
    *, actor: AbstractBaseUser, new_password: str, address: str | None = None
) -> AbstractBaseUser:
    """A signed-in person sets a new password of their own (the form checked the old one and
    the validators); their other sessions end, as Django's session hash ends them."""
    person = User.objects.select_for_update().get(pk=actor.pk)
    person.set_password(new_password)
    person.save(update_fields=["password"])
    audit.record(actor=person, action=audit.Action.PASSWORD_CHANGED, obj=person, address=address)
    return person


@transaction.atomic(durable=True)
def password_reset(
    *,
    person: AbstractBaseUser,
    new_password: str,
    address: str | None = None,
    first: bool = False,
) -> AbstractBaseUser:
    """Set the password of the person whose emailed one-time link was checked (a reset, or a
    new person's first password); the link then stops working (its token is made from the
    password hash)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    person.set_password(new_password)
    person.save(update_fields=["password"])
    what = "First password set" if first else "Password reset"
    audit.record(
        actor=None,
        action=audit.Action.PASSWORD_RESET,
        obj=person,
        address=address,
        detail=f"{what} for account {person.get_username()}",
    )
    return person
