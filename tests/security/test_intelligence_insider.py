"""Insiders with a valid login try the doors of persons, places, vehicles and online accounts
of concern (intelligence/urls.py): the list, a subject's page, linking, ending a link, and a
panel's network page (its SVG and table) and CSV. Police intelligence is "panel only": its
holding agency and the members of the panels where it is discussed read it, nobody else;
of the children linked, each reader sees only those they may see; the board sees counts
only; and every reading is in the audit trail.

The patch: police hold the intelligence and took it to the exploitation panel, where the
school's lead and the council's chair sit. Corvin Slate is linked to a school child (Wrenna
Quillfeather) and to a health child (Tamsin Oakhollow); health's lead sits on no panel."""

from dataclasses import dataclass

import pytest
from django.utils import timezone

from agencies.models import AgencyType, AuditAction, AuditEvent, Role
from intelligence import services
from intelligence.models import Link, Sensitivity, Subject, SubjectKind
from panels.models import Panel, PanelKind, PanelMembership
from referrals.models import Child, Referral, ReferralState
from tests.factories import AgencyFactory, person

SUBJECT_NAMES = ["Corvin Slate", "Gullhaven Arcade", "KX19 ZQV", "@nightjar_corvin"]
SCHOOL_CHILD, HEALTH_CHILD = "Wrenna Quillfeather", "Tamsin Oakhollow"


@dataclass
class Patch:
    people: dict
    panel: Panel
    other_panel: Panel
    subjects: dict
    referrals: dict
    agencies: dict


@pytest.fixture
def patch(db) -> Patch:
    police = AgencyFactory(name="Police", agency_type=AgencyType.POLICE)
    school = AgencyFactory(name="School", agency_type=AgencyType.EDUCATION)
    health = AgencyFactory(name="Health", agency_type=AgencyType.HEALTH)
    council = AgencyFactory(name="Council", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    panel = Panel.objects.create(name="Exploitation panel", kind=PanelKind.EXPLOITATION)
    other_panel = Panel.objects.create(name="MARAC", kind=PanelKind.MARAC)
    panel.member_agencies.add(school, health, council)
    other_panel.member_agencies.add(health)
    people = {
        "officer": person(Role.REFERRER, police, username="officer"),
        "school_lead": person(Role.AGENCY_LEAD, school, username="school_lead"),
        "school_referrer": person(Role.REFERRER, school, username="school_referrer"),
        "health_lead": person(Role.AGENCY_LEAD, health, username="health_lead"),
        "marac_member": person(Role.PANEL_MEMBER, health, username="marac_member"),
        "chair": person(Role.PANEL_CHAIR, council, username="chair"),
        "coordinator": person(Role.PANEL_COORDINATOR, council, username="coordinator"),
        "board": person(Role.BOARD_MEMBER, council, username="board"),
        "auditor": person(Role.QUALITY_AUDITOR, council, username="auditor"),
        "dpo": person(Role.DATA_PROTECTION_OFFICER, council, username="dpo"),
    }
    PanelMembership.objects.create(panel=panel, user=people["chair"], agency=council, role="chair")
    PanelMembership.objects.create(panel=panel, user=people["school_lead"], agency=school)
    PanelMembership.objects.create(panel=other_panel, user=people["marac_member"], agency=health)
    referrals = {}
    for key, name, agency, referrer in (
        ("school", SCHOOL_CHILD, school, people["school_lead"]),
        ("health", HEALTH_CHILD, health, people["health_lead"]),
    ):
        first, last = name.split()
        referrals[key] = Referral.objects.create(
            reference=f"INT-{key}",
            child=Child.objects.create(first_name=first, last_name=last),
            agency=agency,
            referrer=referrer,
            state=ReferralState.SUBMITTED,
            submitted_at=timezone.now(),
        )
    subjects = {}
    for kind, name in zip(SubjectKind.values, SUBJECT_NAMES, strict=True):
        subjects[kind] = services.subject_record(
            actor=people["officer"], kind=kind, name=name, holding_agency=police, panel=panel
        )
    # Links to both agencies' children (made directly: no one person may see both children).
    for key in ("school", "health"):
        Link.objects.create(
            subject=subjects[SubjectKind.PERSON],
            child=referrals[key].child,
            referral=referrals[key],
            nature="seen with",
            source="police intelligence",
            recorded_by=people["officer"],
        )
    return Patch(
        people,
        panel,
        other_panel,
        subjects,
        referrals,
        {"police": police, "school": school, "health": health, "council": council},
    )


def _subject(patch) -> Subject:
    return patch.subjects[SubjectKind.PERSON]


def _every_reading_door(client, patch) -> dict:
    """Every door that shows a subject or the network, as (status, text)."""
    subject, panel = _subject(patch), patch.panel
    link = Link.objects.filter(subject=subject).first()
    answers = {
        "list": client.get("/intelligence/"),
        "detail": client.get(f"/intelligence/{subject.pk}/"),
        "link form": client.get(f"/intelligence/{subject.pk}/link/"),
        "link": client.post(
            f"/intelligence/{subject.pk}/link/",
            {"reference": "INT-health", "nature": "drove", "source": "rumour"},
        ),
        "end link": client.post(f"/intelligence/links/{link.pk}/end/", {"reason": "Gone."}),
        "network": client.get(f"/intelligence/panels/{panel.pk}/"),
        "csv": client.get(f"/intelligence/panels/{panel.pk}/links.csv"),
    }
    return {door: (r.status_code, r.content.decode()) for door, r in answers.items()}


# --- Two agencies' children: each reader sees their own -------------------------------------


def test_a_person_linked_to_children_of_two_agencies_is_shown_to_a_panel_member_without_the_other_agencys_child(  # noqa: E501
    client, patch
):
    client.force_login(patch.people["school_lead"])
    subject = _subject(patch)

    detail = client.get(f"/intelligence/{subject.pk}/")
    network = client.get(f"/intelligence/panels/{patch.panel.pk}/")
    export = client.get(f"/intelligence/panels/{patch.panel.pk}/links.csv")

    assert [detail.status_code, network.status_code, export.status_code] == [200, 200, 200]
    for text in (detail.content.decode(), network.content.decode(), export.content.decode()):
        assert "Corvin Slate" in text and "Wrenna" in text
        assert "Tamsin" not in text and "Oakhollow" not in text and "INT-health" not in text
    assert "1 child you may not see" in detail.content.decode()
    svg = network.content.decode().split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Wrenna" in svg and "Tamsin" not in svg and "+1 not shown" in svg


def test_a_member_cannot_link_a_child_they_may_not_see(client, patch):
    client.force_login(patch.people["school_lead"])

    response = client.post(
        f"/intelligence/{_subject(patch).pk}/link/",
        {"reference": "INT-health", "nature": "drove", "source": "rumour"},
    )

    assert response.status_code == 200  # the form again, with its error
    assert Link.objects.filter(nature="drove").count() == 0


# --- Panel only: refused to an agency person not on that panel -------------------------------


@pytest.mark.parametrize(
    "who", ["health_lead", "marac_member", "school_referrer", "coordinator", "auditor", "dpo"]
)
def test_a_panel_only_subject_is_refused_on_every_door_to_someone_not_on_its_panel(
    client, patch, who
):
    client.force_login(patch.people[who])

    answers = _every_reading_door(client, patch)
    missing = client.get("/intelligence/999999/")

    refused = {door: status for door, (status, _) in answers.items() if door != "list"}
    assert refused == dict.fromkeys(refused, 404), refused
    assert missing.status_code == 404
    for _, text in answers.values():
        for name in SUBJECT_NAMES:
            assert name not in text
        assert "Wrenna" not in text
    assert Link.objects.count() == 2 and not Link.objects.filter(ended_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(
        actor=patch.people[who], action__in=[AuditAction.VIEWED, AuditAction.EXPORTED_CSV]
    ).exists()


def test_shared_with_partners_the_subject_opens_to_whoever_may_see_a_linked_child(client, patch):
    """The same doors as above, the subject's sensitivity widened: health's lead now reads it
    (so the refusal above is the sensitivity's), naming their child and not the school's."""
    subject = _subject(patch)
    subject.sensitivity = Sensitivity.PARTNERS
    subject.save(update_fields=["sensitivity"])
    client.force_login(patch.people["health_lead"])

    detail = client.get(f"/intelligence/{subject.pk}/")
    network = client.get(f"/intelligence/panels/{patch.panel.pk}/")

    assert detail.status_code == 200
    assert HEALTH_CHILD in detail.content.decode()
    assert "Wrenna" not in detail.content.decode()
    assert network.status_code == 404  # the panel's network stays with its members
    client.force_login(patch.people["marac_member"])
    assert client.get(f"/intelligence/{subject.pk}/").status_code == 404


def test_a_panel_member_may_not_end_a_link_of_police_intelligence(client, patch):
    link = Link.objects.get(subject=_subject(patch), child=patch.referrals["school"].child)
    client.force_login(patch.people["school_lead"])

    response = client.post(f"/intelligence/links/{link.pk}/end/", {"reason": "Disagree."})

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.ended_at is None
    # The holding agency's officer ends it at the same door.
    client.force_login(patch.people["officer"])
    assert client.post(f"/intelligence/links/{link.pk}/end/", {"reason": "Wrong."}).status_code
    link.refresh_from_db()
    assert link.ended_at is not None


def test_a_seat_that_has_ended_no_longer_opens_the_subject_or_the_network(client, patch):
    client.force_login(patch.people["school_lead"])
    assert client.get(f"/intelligence/{_subject(patch).pk}/").status_code == 200

    PanelMembership.objects.filter(user=patch.people["school_lead"]).update(ended_at=timezone.now())

    assert client.get(f"/intelligence/{_subject(patch).pk}/").status_code == 404
    assert client.get(f"/intelligence/panels/{patch.panel.pk}/").status_code == 404
    assert client.get(f"/intelligence/panels/{patch.panel.pk}/links.csv").status_code == 404


# --- The board: counts only -----------------------------------------------------------------


def test_the_board_sees_counts_only(client, patch):
    client.force_login(patch.people["board"])

    answers = _every_reading_door(client, patch)
    figures = client.get("/missing/figures/")

    assert answers["list"][0] == 200 and "None you may read" in answers["list"][1]
    assert {door: status for door, (status, _) in answers.items() if door != "list"} == {
        "detail": 404,
        "link form": 404,
        "link": 404,
        "end link": 404,
        "network": 404,
        "csv": 404,
    }
    page = figures.content.decode()
    assert figures.status_code == 200 and "Persons of concern" in page
    for text in [page, *(text for _, text in answers.values())]:
        for secret in [*SUBJECT_NAMES, "Wrenna", "Tamsin", "Quillfeather", "INT-"]:
            assert secret not in text


@pytest.mark.parametrize("who", ["school_lead", "health_lead", "auditor", "dpo", "officer"])
def test_the_intelligence_counts_are_for_the_board_and_coordinators_only(client, patch, who):
    client.force_login(patch.people[who])

    assert client.get("/missing/figures/").status_code == 403


# --- Every reading is audited ---------------------------------------------------------------


def test_every_reading_of_a_subject_the_network_and_its_csv_leaves_its_audit_row(client, patch):
    member = patch.people["school_lead"]
    subject = _subject(patch)
    client.force_login(member)

    client.get(f"/intelligence/{subject.pk}/")
    client.get(f"/intelligence/panels/{patch.panel.pk}/")
    client.get(f"/intelligence/panels/{patch.panel.pk}/links.csv")

    rows = AuditEvent.objects.filter(actor=member)
    assert rows.filter(
        action=AuditAction.VIEWED, object_type="intelligence.subject", object_id=str(subject.pk)
    ).exists()
    assert rows.filter(
        action=AuditAction.VIEWED, object_type="panels.panel", object_id=str(patch.panel.pk)
    ).exists()
    assert rows.filter(
        action=AuditAction.EXPORTED_CSV,
        object_type="panels.panel",
        object_id=str(patch.panel.pk),
    ).exists()


def test_each_csv_export_is_audited_again_however_soon(client, patch):
    client.force_login(patch.people["chair"])

    for _ in range(2):
        client.get(f"/intelligence/panels/{patch.panel.pk}/links.csv")

    exported = AuditEvent.objects.filter(
        actor=patch.people["chair"], action=AuditAction.EXPORTED_CSV
    )
    assert exported.count() == 2
