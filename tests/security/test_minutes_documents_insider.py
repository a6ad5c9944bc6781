"""Insiders with a valid login and the second factor passed, at another agency or on another
panel, against the minutes' documents fragment (`/meetings/<id>/minutes/documents/`, what the
minutes page polls while a version's documents are rendered): each is refused with the same
404 as a meeting that does not exist, and learns nothing of the versions or their documents.
A participant of the meeting opens it, as the control."""

# ruff: noqa: F811 (test arguments named `approved` are uses of the imported fixture)

import pytest

from agencies.models import AgencyType, Role
from panels.models import Panel, PanelKind
from tests.factories import AgencyFactory, person
from tests.panels.conftest import seat
from tests.panels.test_minutes_pages import approved, minuted  # noqa: F401 - the fixtures


@pytest.fixture
def insiders(approved):
    elsewhere = AgencyFactory(name="Elsewhere Police", agency_type=AgencyType.POLICE)
    other_panel = Panel.objects.create(name="Another Panel", kind=PanelKind.MARAC)
    other_panel.member_agencies.add(elsewhere)
    member = person(Role.PANEL_MEMBER, elsewhere, username="insider_member")
    seat(other_panel, member, elsewhere)
    return {
        "lead at another agency": person(Role.AGENCY_LEAD, elsewhere, username="insider_lead"),
        "referrer at another agency": person(Role.REFERRER, elsewhere, username="insider_ref"),
        "member of another panel": member,
        "coordinator at another agency, no seat here": person(
            Role.PANEL_COORDINATOR, elsewhere, username="insider_coordinator"
        ),
    }


@pytest.mark.parametrize(
    "who",
    [
        "lead at another agency",
        "referrer at another agency",
        "member of another panel",
        "coordinator at another agency, no seat here",
    ],
)
def test_an_insider_elsewhere_is_refused_the_documents_fragment_like_a_missing_meeting(
    approved, insiders, client, who
):
    client.force_login(insiders[who])
    fragment = f"/meetings/{approved.meeting.pk}/minutes/documents/"

    refused = client.get(fragment)
    missing = client.get("/meetings/987654/minutes/documents/")

    assert refused.status_code == missing.status_code == 404
    body = refused.content.decode()
    assert f"/minutes/{approved.version.pk}/" not in body
    assert "version 1" not in body.lower()


def test_a_participant_opens_the_documents_fragment(approved, client):
    client.force_login(approved.people["police"])

    response = client.get(f"/meetings/{approved.meeting.pk}/minutes/documents/")

    assert response.status_code == 200
    assert f"/minutes/{approved.version.pk}/minutes.pdf" in response.content.decode()
