"""A panel's network page at size: the picture draws only the most linked subjects and
children and says how many more the table holds; the table is paged; the page asks the same
number of queries for three links as for sixty; a child the reader may not see is counted,
never drawn, however many links they have."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import AgencyType, Role
from intelligence import selectors
from intelligence.models import Link, Subject, SubjectDiscussion, SubjectKind
from panels.models import Panel, PanelKind, PanelMembership
from referrals.models import Child, Referral, ReferralState
from tests.factories import AgencyFactory, person


@pytest.fixture
def town(db):
    police = AgencyFactory(name="Police", agency_type=AgencyType.POLICE)
    school = AgencyFactory(name="School", agency_type=AgencyType.EDUCATION)
    council = AgencyFactory(name="Council", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    panel = Panel.objects.create(name="Exploitation panel", kind=PanelKind.EXPLOITATION)
    panel.member_agencies.add(school, council)
    people = {
        "officer": person(Role.REFERRER, police, username="officer"),
        "school_lead": person(Role.AGENCY_LEAD, school, username="school_lead"),
        "coordinator": person(Role.PANEL_COORDINATOR, council, username="coordinator"),
    }
    PanelMembership.objects.create(
        panel=panel, user=people["coordinator"], agency=council, role="coordinator"
    )
    PanelMembership.objects.create(panel=panel, user=people["school_lead"], agency=school)
    return {"panel": panel, "people": people, "police": police, "school": school}


def _child(town, name: str, *, agency_key: str = "police") -> Child:
    child = Child.objects.create(first_name=name, last_name="Testname")
    referrer = town["people"]["school_lead" if agency_key == "school" else "officer"]
    Referral.objects.create(
        reference=f"R-{name}",
        child=child,
        agency=town[agency_key],
        referrer=referrer,
        state=ReferralState.SUBMITTED,
        submitted_at=timezone.now(),
    )
    return child


def _subject(town, name: str) -> Subject:
    subject = Subject.objects.create(
        kind=SubjectKind.PERSON,
        name=name,
        holding_agency=town["police"],
        created_by=town["people"]["officer"],
    )
    SubjectDiscussion.objects.create(
        subject=subject, panel=town["panel"], listed_by=town["people"]["officer"]
    )
    return subject


def _link(town, subject: Subject, child: Child) -> Link:
    return Link.objects.create(
        subject=subject,
        child=child,
        nature="seen with",
        source="police intelligence",
        recorded_by=town["people"]["officer"],
    )


def _network_of(town, *, subjects: int, children: int, prefix: str = "") -> None:
    """Each subject linked to every child (subjects x children links)."""
    kids = [_child(town, f"{prefix}Kid{i:02d}") for i in range(children)]
    for i in range(subjects):
        subject = _subject(town, f"{prefix}Subject {i:02d}")
        for kid in kids:
            _link(town, subject, kid)


def _svg(body: str) -> str:
    return body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_the_picture_draws_the_subjects_and_children_with_the_most_links(town):
    busy = _subject(town, "Busy Person")
    quiet = _subject(town, "Quiet Person")
    idle = _subject(town, "Idle Person")
    kids = [_child(town, f"Kid{i}") for i in range(4)]
    for kid in kids:
        _link(town, busy, kid)
    _link(town, quiet, kids[0])
    _link(town, quiet, kids[2])
    _link(town, idle, kids[1])

    network = selectors.panel_network(
        user=town["people"]["coordinator"], panel=town["panel"], top_subjects=2, top_children=2
    )

    assert len(network.rows) == 7  # the table holds every link
    assert (network.subjects, network.children) == (3, 4)
    assert (network.subjects_drawn, network.children_drawn) == (2, 2)
    assert (network.subjects_not_drawn, network.children_not_drawn) == (1, 2)
    assert "Busy Person" in network.svg and "Idle Person" not in network.svg
    # Kid0 and Kid2 are each linked to both subjects drawn.
    assert "Kid0 Testname" in network.svg and "Kid2 Testname" in network.svg
    assert "Kid1 Testname" not in network.svg
    assert network.links_drawn == 4


def test_a_hidden_child_is_counted_and_never_drawn_however_linked(town):
    school_kid = _child(town, "Schoolkid", agency_key="school")
    police_kids = [_child(town, f"Policekid{i}") for i in range(3)]
    for i in range(3):
        subject = _subject(town, f"Subject {i}")
        _link(town, subject, school_kid)
        for kid in police_kids:
            _link(town, subject, kid)

    network = selectors.panel_network(user=town["people"]["school_lead"], panel=town["panel"])

    assert "Schoolkid Testname" in network.svg
    assert "Policekid" not in network.svg
    assert all("Policekid" not in child for _, child, _, _ in network.rows)
    assert "(+3 not shown)" in network.svg
    assert network.children == 1


def test_the_page_says_how_many_more_are_in_the_table_and_pages_it(client, town, monkeypatch):
    monkeypatch.setattr("intelligence.views.LINKS_PER_PAGE", 10)
    monkeypatch.setattr("intelligence.selectors.PICTURE_SUBJECTS", 2)
    _network_of(town, subjects=3, children=5)  # 15 links
    client.force_login(town["people"]["coordinator"])
    url = f"/intelligence/panels/{town['panel'].pk}/"

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert "1 more subject and 0 more children are in the table" in first
    assert "15 links between 3 subjects and 5 children: links 1 to 10" in first
    assert first.count('<tr class="govuk-table__row"><td') == 10
    assert second.count('<tr class="govuk-table__row"><td') == 5
    assert "links 11 to 15" in second
    assert "Subject 02" not in _svg(first)


def test_the_network_page_asks_as_many_queries_for_sixty_links_as_for_three(client, town):
    client.force_login(town["people"]["coordinator"])
    url = f"/intelligence/panels/{town['panel'].pk}/"
    _network_of(town, subjects=1, children=3)
    client.get(url)  # the first reading's audit row is written once a quarter-hour

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _network_of(town, subjects=3, children=19, prefix="More")
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)

    assert response.status_code == 200
    assert "60 links between 4 subjects and 22 children" in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
