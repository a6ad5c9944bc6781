"""Insiders with a valid login try to read, through the referral list (`/referrals/`), the
referrals of an agency they do not act for: filtering by that agency, sorting, paging past
the end, naming an agency that does not exist. The list's rows and its count come from
`access.listable_referrals`; whatever they ask, they see only what the policy gives them.
Each refusal is checked against the same request made by someone with the right, so a list
left open would fail the test.

The world is tests/agencies' (tests/agencies/conftest.py): T-0001, Agency A's referral listed
for Panel P (and shared with Agency B, whose lead may read it), and T-0002, A's draft; Agency
C's lead and referrer and Panel Q's member have no way to either."""

import pytest
from django.test import Client

from tests.agencies.conftest import world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def listing(user, **params):
    client = Client()
    client.force_login(user)
    response = client.get("/referrals/", params)
    assert response.status_code == 200
    return response.content.decode()


def agency_a(world):  # noqa: F811
    return str(world.referral.agency_id)


@pytest.mark.parametrize("insider", ["lead_c", "referrer_c", "member_q"])
@pytest.mark.parametrize(
    "params",
    [{}, {"agency": "A"}, {"agency": "A", "sort": "oldest"}, {"agency": "A", "page": "99"}],
    ids=["unfiltered", "agency filter", "sorted", "paged past the end"],
)
def test_another_agencys_referrals_are_not_listed_or_counted(world, insider, params):  # noqa: F811
    params = {key: agency_a(world) if value == "A" else value for key, value in params.items()}

    html = listing(world.people[insider], **params)

    assert "T-0001" not in html and "T-0002" not in html
    assert 'data-testid="list-count">(0)' in html
    # The same request by Agency A's lead lists their referral: the list is not simply empty.
    assert "T-0001" in listing(world.people["lead_a"], **params)


def test_a_panel_member_lists_the_case_on_their_panel_and_nothing_else_of_agency_a(world):  # noqa: F811
    html = listing(world.people["member_p"], agency=agency_a(world))

    assert "T-0001" in html
    assert "T-0002" not in html  # A's draft: never shown beyond its agency
    assert 'data-testid="list-count">(1)' in html


def test_an_agency_that_does_not_exist_is_an_error_not_a_way_round(world):  # noqa: F811
    html = listing(world.people["lead_c"], agency="999999")

    assert "There is a problem" in html
    assert "T-0001" not in html
    assert 'data-testid="list-count">(0)' in html
