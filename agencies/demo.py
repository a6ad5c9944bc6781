"""The demo borough of Fenmarsh: fictional agencies and people, one for every role.

Every name here is invented. Running the seed twice changes nothing the second time.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import services, two_factor
from agencies.models import Agency, AgencyType, Membership, Role, Team

DEMO_PASSWORD = "fenmarsh-demo-2026"  # noqa: S105 - demo data only; seed_demo refuses production

AGENCIES = [
    # key, name, type, ods code, urn, teams
    ("police", "Fenmarsh Constabulary", AgencyType.POLICE, "", "", ["Public Protection Unit"]),
    (
        "health",
        "Fenmarsh Community Health NHS Trust",
        AgencyType.HEALTH,
        "ZZF01",
        "",
        ["Safeguarding Children Team", "School Nursing"],
    ),
    ("school", "Willowmere Academy", AgencyType.EDUCATION, "", "999101", ["Pastoral Team"]),
    ("primary", "Alderbrook Primary School", AgencyType.EDUCATION, "", "999102", []),
    (
        "csc",
        "Fenmarsh Council Children's Social Care",
        AgencyType.CHILDRENS_SOCIAL_CARE,
        "",
        "",
        ["Front Door (MASH)", "Exploitation Team", "Quality Assurance"],
    ),
    ("yjs", "Fenmarsh Youth Justice Service", AgencyType.YOUTH_JUSTICE, "", "", []),
    ("probation", "Fenmarsh Probation Delivery Unit", AgencyType.PROBATION, "", "", []),
    ("housing", "Fenmarsh Homes", AgencyType.HOUSING, "", "", []),
    ("voluntary", "Fenmarsh Young People's Trust", AgencyType.VOLUNTARY, "", "", []),
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    roles: tuple[tuple[str, str, str], ...]  # (agency key, role, job title)


PEOPLE = [
    DemoPerson("dana.harlow", "Dana", "Harlow", (("police", Role.REFERRER, "Police constable"),)),
    DemoPerson("priya.okafor", "Priya", "Okafor", (("school", Role.REFERRER, "Head of year"),)),
    DemoPerson("tom.ellery", "Tom", "Ellery", (("health", Role.REFERRER, "School nurse"),)),
    DemoPerson(
        "carys.wendle", "Carys", "Wendle", (("yjs", Role.REFERRER, "Youth justice case worker"),)
    ),
    DemoPerson(
        "olu.brannigan", "Olu", "Brannigan", (("probation", Role.REFERRER, "Probation officer"),)
    ),
    DemoPerson(
        "mina.trask", "Mina", "Trask", (("housing", Role.REFERRER, "Tenancy support officer"),)
    ),
    DemoPerson("jo.pennock", "Jo", "Pennock", (("voluntary", Role.REFERRER, "Youth worker"),)),
    DemoPerson(
        "sam.whitlock",
        "Sam",
        "Whitlock",
        (
            ("police", Role.AGENCY_LEAD, "Public protection sergeant"),
            ("police", Role.PANEL_MEMBER, "Public protection sergeant"),
        ),
    ),
    DemoPerson(
        "grace.adebayo",
        "Grace",
        "Adebayo",
        (
            ("health", Role.AGENCY_LEAD, "Named nurse for safeguarding"),
            ("health", Role.PANEL_MEMBER, "Named nurse for safeguarding"),
        ),
    ),
    DemoPerson(
        "helen.marsh",
        "Helen",
        "Marsh",
        (
            ("school", Role.AGENCY_LEAD, "Designated safeguarding lead"),
            ("school", Role.PANEL_MEMBER, "Designated safeguarding lead"),
        ),
    ),
    DemoPerson(
        "owen.price",
        "Owen",
        "Price",
        (("primary", Role.AGENCY_LEAD, "Designated safeguarding lead"),),
    ),
    DemoPerson(
        "ruth.kellaway",
        "Ruth",
        "Kellaway",
        (
            ("csc", Role.AGENCY_LEAD, "Team manager, Front Door"),
            ("csc", Role.PANEL_MEMBER, "Team manager, Front Door"),
        ),
    ),
    DemoPerson(
        "maya.lindqvist",
        "Maya",
        "Lindqvist",
        (("csc", Role.PANEL_COORDINATOR, "Exploitation panel coordinator"),),
    ),
    DemoPerson(
        "josh.ferrant", "Josh", "Ferrant", (("police", Role.PANEL_COORDINATOR, "MASH coordinator"),)
    ),
    DemoPerson(
        "alan.brightwater",
        "Alan",
        "Brightwater",
        (("csc", Role.PANEL_CHAIR, "Head of service, exploitation"),),
    ),
    DemoPerson(
        "nadia.coombe",
        "Nadia",
        "Coombe",
        (("police", Role.PANEL_CHAIR, "Detective inspector, public protection"),),
    ),
    DemoPerson(
        "lewis.tran",
        "Lewis",
        "Tran",
        (("yjs", Role.PANEL_MEMBER, "Youth justice officer"),),
    ),
    DemoPerson(
        "fiona.hale",
        "Fiona",
        "Hale",
        (("csc", Role.BOARD_MEMBER, "Director of children's services"),),
    ),
    DemoPerson(
        "marcus.bell",
        "Marcus",
        "Bell",
        (("police", Role.BOARD_MEMBER, "Chief superintendent"),),
    ),
    DemoPerson(
        "irene.voss",
        "Irene",
        "Voss",
        (("csc", Role.QUALITY_AUDITOR, "Quality assurance auditor"),),
    ),
    DemoPerson(
        "kwame.asante",
        "Kwame",
        "Asante",
        (("health", Role.QUALITY_AUDITOR, "Safeguarding quality lead"),),
    ),
    DemoPerson(
        "beth.rowan",
        "Beth",
        "Rowan",
        (("csc", Role.DATA_PROTECTION_OFFICER, "Data protection officer"),),
    ),
    DemoPerson(
        "ian.fairley",
        "Ian",
        "Fairley",
        (("health", Role.DATA_PROTECTION_OFFICER, "Information governance lead"),),
    ),
    DemoPerson(
        "admin.fenmarsh",
        "Alex",
        "Penhallow",
        (
            ("csc", Role.SYSTEM_ADMINISTRATOR, "Systems administrator"),
            ("police", Role.SYSTEM_ADMINISTRATOR, "Systems administrator"),
        ),
    ),
    # No role yet: the administrator asked for one, which waits for the school's lead.
    DemoPerson("nia.castell", "Nia", "Castell", ()),
]


@transaction.atomic
def seed_people() -> dict[str, object]:
    agencies: dict[str, Agency] = {}
    for key, name, agency_type, ods_code, urn, teams in AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            name=name, defaults={"agency_type": agency_type, "ods_code": ods_code, "urn": urn}
        )
        services.agency_ensure_permission_group(agency=agency)
        for team_name in teams:
            Team.objects.get_or_create(agency=agency, name=team_name)
        agencies[key] = agency

    User = get_user_model()
    people = {}
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@fenmarsh.example",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if not user.email:
            # Board members are always emailed their papers: every demo person has an address.
            user.email = f"{person.username}@fenmarsh.example"
            user.save(update_fields=["email"])
        for agency_key, role, job_title in person.roles:
            if not Membership.objects.active().filter(
                user=user, agency=agencies[agency_key], role=role
            ):
                Membership.objects.create(
                    user=user, agency=agencies[agency_key], role=role, job_title=job_title
                )
        if user.is_staff or user.is_superuser:
            # No demo login enters the Django admin: it is for a break-fix superuser held
            # outside the demo's roles (the administrator manages people at /manage/).
            user.is_staff = user.is_superuser = False
            user.save(update_fields=["is_staff", "is_superuser"])
        seed_demo_authenticator(user)
        people[person.username] = user
    return {"agencies": agencies, "people": people}


def seed_demo_authenticator(user) -> None:
    """The demo login's second factor: an authenticator app with the one demo secret
    (two_factor.DEMO_TOTP_SECRET), whose code `manage.py demo_code <username>` prints. Never
    in production (and refused there when signing in): people set up their own."""
    if settings.DJANGO_ENV == "production":
        return
    if not TOTPDevice.objects.filter(user=user, key=two_factor.DEMO_TOTP_KEY).exists():
        TOTPDevice.objects.create(
            user=user, name="Demo authenticator", key=two_factor.DEMO_TOTP_KEY, confirmed=True
        )


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, agency) for every demo login, in the order they are listed."""
    names = {key: name for key, name, *_ in AGENCIES}
    rows = []
    for person in PEOPLE:
        for agency_key, role, _title in person.roles:
            rows.append((person.username, Role(role).label, names[agency_key]))
        if not person.roles:
            rows.append((person.username, "No role yet", "a grant waits for approval"))
    return rows


def seed_access_changes() -> None:
    """Through the services, as on the management pages (so with their audit rows and
    notices): a grant waiting for the second person's approval, and a role that was asked
    for, approved and ended. Outside any transaction (the services are durable); each is
    made once."""
    User = get_user_model()
    admin = User.objects.get(username="admin.fenmarsh")
    lead = User.objects.get(username="owen.price")
    primary = Agency.objects.get(name="Alderbrook Primary School")

    nia = User.objects.get(username="nia.castell")
    if not Membership.objects.filter(user=nia, agency=primary, role=Role.REFERRER).exists():
        services.membership_grant(
            actor=admin,
            person=nia,
            agency=primary,
            role=Role.REFERRER,
            job_title="Teaching assistant",
            reason="New teaching assistant; the school asked for her to refer concerns.",
        )

    priya = User.objects.get(username="priya.okafor")
    if not Membership.objects.filter(user=priya, agency=primary, role=Role.REFERRER).exists():
        former = services.membership_grant(
            actor=admin,
            person=priya,
            agency=primary,
            role=Role.REFERRER,
            job_title="Class teacher",
            reason="Class teacher at Alderbrook before moving to Willowmere.",
        )
        services.membership_approve(actor=lead, membership=former, reason="Known to me.")
        services.membership_end(
            actor=admin, membership=former, reason="Moved to Willowmere Academy."
        )
