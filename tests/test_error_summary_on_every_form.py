"""One error pattern on every form (issue 15): a form posted with a mistake shows the GOV.UK
error summary, whose links lead to the fields, and "Error:" in the page's title, whether
the form has a crispy-forms helper or not (crispy-forms-gds's own summary drew nothing for a
form without one: the persons-of-concern and missing-episode forms showed no summary)."""

import re

import pytest

from agencies.models import AgencyType, Role
from tests.factories import AgencyFactory, person

pytestmark = pytest.mark.django_db


def summary_links(body: str) -> list[str]:
    block = re.search(r'<div class="govuk-error-summary".*?</ul>', body, re.S)
    assert block, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">', block.group(0))


@pytest.fixture
def officer(db):
    return person(
        Role.REFERRER,
        AgencyFactory(name="Summary Police", agency_type=AgencyType.POLICE),
        username="summary_officer",
    )


def test_a_person_of_concern_recorded_without_a_name_is_told_in_the_summary(client, officer):
    client.force_login(officer)

    response = client.post("/intelligence/record/", {"kind": "person", "name": ""})

    body = response.content.decode()
    assert "<title>Error:" in body
    links = summary_links(body)
    assert "id_name" in links
    assert 'id="id_name"' in body  # the link leads somewhere


def test_a_missing_episode_reported_with_nothing_is_told_in_the_summary(client, officer):
    client.force_login(officer)

    response = client.post("/missing/report/", {"first_name": ""})

    body = response.content.decode()
    assert "<title>Error:" in body
    for anchor in summary_links(body):
        assert f'id="{anchor}"' in body, f"the summary links to #{anchor}, which is not on the page"
