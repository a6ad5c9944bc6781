"""Persons, places, vehicles and online accounts of concern: who may read them, which linked
children each reader sees, the panel's network and hotspots, and every reading audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

import access
from agencies.models import AgencyType, AuditAction, AuditEvent, Role
from intelligence import selectors, services
from intelligence.models import Sensitivity, SubjectKind
from panels.models import Panel, PanelKind, PanelMembership
from referrals.models import Child, Referral, ReferralState
from tests.factories import AgencyFactory, person


@pytest.fixture
def town(db):
    police = AgencyFactory(name="Police", agency_type=AgencyType.POLICE)
    school = AgencyFactory(name="School", agency_type=AgencyType.EDUCATION)
    health = AgencyFactory(name="Health", agency_type=AgencyType.HEALTH)
    council = AgencyFactory(name="Council", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    panel = Panel.objects.create(name="Exploitation panel", kind=PanelKind.EXPLOITATION)
    other_panel = Panel.objects.create(name="MARAC", kind=PanelKind.MARAC)
    panel.member_agencies.add(school, health, council)
    people = {
        "officer": person(Role.REFERRER, police, username="officer"),
        "school_lead": person(Role.AGENCY_LEAD, school, username="school_lead"),
        "health_lead": person(Role.AGENCY_LEAD, health, username="health_lead"),
        "chair": person(Role.PANEL_CHAIR, council, username="chair"),
        "marac_member": person(Role.PANEL_MEMBER, health, username="marac_member"),
        "board": person(Role.BOARD_MEMBER, council, username="board"),
    }
    PanelMembership.objects.create(panel=panel, user=people["chair"], agency=council, role="chair")
    PanelMembership.objects.create(panel=panel, user=people["school_lead"], agency=school)
    PanelMembership.objects.create(panel=other_panel, user=people["marac_member"], agency=health)
    children, referrals = {}, {}
    for key, agency, referrer in (
        ("school_child", school, people["school_lead"]),
        ("health_child", health, people["health_lead"]),
    ):
        child = Child.objects.create(first_name=f"Child{key.title()}", last_name="Testname")
        children[key] = child
        referrals[key] = Referral.objects.create(
            reference=f"R-{key}",
            child=child,
            agency=agency,
            referrer=referrer,
            state=ReferralState.SUBMITTED,
            submitted_at=timezone.now(),
        )
    person_of_concern = services.subject_record(
        actor=people["officer"],
        kind=SubjectKind.PERSON,
        name="Dex Varrow",
        holding_agency=police,
        panel=panel,
        approximate_age="about 25",
    )
    return {
        "people": people,
        "panel": panel,
        "police": police,
        "children": children,
        "referrals": referrals,
        "subject": person_of_concern,
    }


def _link(town, key, actor_key):
    return services.link_record(
        actor=town["people"][actor_key],
        subject=town["subject"],
        referral=town["referrals"][key],
        nature="seen with",
        source="police intelligence",
    )


@pytest.fixture
def linked(town):
    # The school lead sits on the panel, reads the subject and links the school's child. The
    # health lead links theirs while the subject is held by health for a moment (set directly
    # here: a test's shortcut to a second agency's link, not a path the service offers).
    _link(town, "school_child", "school_lead")
    subject = town["subject"]
    subject.holding_agency = town["people"]["health_lead"].memberships.get().agency
    subject.save(update_fields=["holding_agency"])
    _link(town, "health_child", "health_lead")
    subject.holding_agency = town["police"]
    subject.save(update_fields=["holding_agency"])
    return town


def test_a_person_linked_to_children_of_two_agencies_is_listed_without_the_others_child(linked):
    school_lead = linked["people"]["school_lead"]

    links = selectors.subject_links(user=school_lead, subject=linked["subject"])

    assert [link.child for link in links.shown] == [linked["children"]["school_child"]]
    assert links.hidden_children == 1


def test_the_page_names_only_the_children_the_reader_may_see(client, linked):
    client.force_login(linked["people"]["school_lead"])

    response = client.get(f"/intelligence/{linked['subject'].pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "ChildSchool_Child" in body
    assert "ChildHealth_Child" not in body
    assert "1 child you may not see" in body


def test_the_holding_agency_and_the_panels_members_read_a_panel_only_subject(linked):
    people, subject = linked["people"], linked["subject"]

    readers = {name for name, user in people.items() if access.can_view_subject(user, subject)}

    assert readers == {"officer", "school_lead", "chair"}
    for user in people.values():
        assert (subject in access.visible_subjects(user)) is access.can_view_subject(user, subject)


def test_a_partners_subject_is_read_by_whoever_may_see_a_linked_child(linked):
    subject = linked["subject"]
    subject.sensitivity = Sensitivity.PARTNERS
    subject.save(update_fields=["sensitivity"])

    assert access.can_view_subject(linked["people"]["health_lead"], subject)
    assert not access.can_view_subject(linked["people"]["board"], subject)


@pytest.mark.parametrize("who", ["board", "marac_member", "health_lead"])
def test_the_subject_page_is_a_404_to_others(client, linked, who):
    client.force_login(linked["people"][who])

    assert client.get(f"/intelligence/{linked['subject'].pk}/").status_code == 404


def test_every_reading_of_a_subject_is_audited(client, linked):
    client.force_login(linked["people"]["chair"])

    client.get(f"/intelligence/{linked['subject'].pk}/")

    assert AuditEvent.objects.filter(
        actor=linked["people"]["chair"],
        action=AuditAction.VIEWED,
        object_type="intelligence.subject",
    ).exists()


def test_the_network_page_draws_an_svg_and_a_table_of_what_the_reader_may_see(client, linked):
    client.force_login(linked["people"]["school_lead"])

    response = client.get(f"/intelligence/panels/{linked['panel'].pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'data-testid="network-table"' in body
    assert "ChildSchool_Child" in body and "ChildHealth_Child" not in body
    assert "+1 not shown" in body


@pytest.mark.parametrize("who", ["board", "marac_member", "officer"])
def test_the_network_page_and_csv_are_404_off_the_panel(client, linked, who):
    client.force_login(linked["people"][who])

    assert client.get(f"/intelligence/panels/{linked['panel'].pk}/").status_code == 404
    assert client.get(f"/intelligence/panels/{linked['panel'].pk}/links.csv").status_code == 404


def test_the_network_csv_is_audited_as_an_export(client, linked):
    client.force_login(linked["people"]["chair"])

    response = client.get(f"/intelligence/panels/{linked['panel'].pk}/links.csv")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.EXPORTED_CSV).exists()


def test_hotspots_rank_the_persons_linked_to_most_children_this_quarter(linked):
    ranked = selectors.hotspots(panel=linked["panel"])["ranked"]

    assert ranked["Person"][0]["subject__name"] == "Dex Varrow"
    assert ranked["Person"][0]["children"] == 2


def test_a_link_needs_a_child_the_person_may_see(linked):
    with pytest.raises(services.IntelligenceError):
        services.link_record(
            actor=linked["people"]["school_lead"],
            subject=linked["subject"],
            referral=linked["referrals"]["health_child"],
            nature="seen with",
            source="rumour",
        )


def test_an_ended_link_is_kept_with_who_when_and_why(linked):
    link = linked["subject"].links.first()

    services.link_end(
        actor=linked["people"]["officer"], link=link, reason="Intelligence withdrawn."
    )

    link.refresh_from_db()
    assert link.ended_by == linked["people"]["officer"] and link.end_reason
    assert link.ended_at <= timezone.now() + timedelta(seconds=1)


def test_the_board_sees_counts_only(client, linked):
    client.force_login(linked["people"]["board"])

    response = client.get("/missing/figures/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Dex Varrow" not in body and "Testname" not in body
    assert "Persons of concern" in body


def test_a_subjects_page_is_in_the_audit_trail_of_each_child_it_showed(client, linked):
    from referrals.selectors import child_audit_trail

    school_lead = linked["people"]["school_lead"]
    client.force_login(school_lead)

    client.get(f"/intelligence/{linked['subject'].pk}/")
    client.get(f"/intelligence/{linked['subject'].pk}/")  # a reload is the same reading

    shown = child_audit_trail(child=linked["children"]["school_child"]).filter(
        actor=school_lead, action=AuditAction.VIEWED
    )
    assert [(row.object_type, row.object_id) for row in shown] == [
        ("intelligence.subject", str(linked["subject"].pk))
    ]
    # The health child was counted on the page, not shown: their trail does not list it.
    assert not child_audit_trail(child=linked["children"]["health_child"]).filter(
        actor=school_lead, action=AuditAction.VIEWED
    )
