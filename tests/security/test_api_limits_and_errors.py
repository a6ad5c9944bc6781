"""The API answers every request it cannot serve with a JSON error, never a 500 or an HTML
page: pages have a maximum size, a malformed limit or offset is a 400, an address that is not
a referral's is a 404, and a token sending too many requests is slowed down."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from referrals.api.tokens import api_token_issue
from referrals.models import Referral, ReferralState

LIST = "/api/v1/referrals/"
MAX_PAGE_SIZE = 100


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(person=user)}")
    return client


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    return body


@pytest.fixture
def many_referrals(world):
    """The world's referral and 110 more of agency A's, which its lead may all see."""
    Referral.objects.bulk_create(
        Referral(
            reference=f"T-{n:04d}",
            child=world.referral.child,
            agency=world.referral.agency,
            referrer=world.people["referrer_a"],
            state=ReferralState.SUBMITTED,
            concern="Missing from home.",
            submitted_at=timezone.now(),
        )
        for n in range(100, 210)
    )
    return world


# --- Page size ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "limit", [101, 9223372036854775808, "9" * 5000], ids=["101", "2**63", "5000 digits"]
)
def test_a_limit_beyond_the_largest_page_gets_the_largest_page_not_a_500(many_referrals, limit):
    response = api_as(many_referrals.people["lead_a"]).get(LIST, {"limit": limit})

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 111
    assert len(page["results"]) == MAX_PAGE_SIZE
    assert f"limit={MAX_PAGE_SIZE}" in page["next"]


def test_a_page_without_a_limit_is_the_default_size(many_referrals):
    page = api_as(many_referrals.people["lead_a"]).get(LIST).json()

    assert len(page["results"]) == 50


@pytest.mark.parametrize(
    "offset", [111, 9223372036854775808, "9" * 5000], ids=["111", "2**63", "5000 digits"]
)
def test_an_offset_beyond_the_end_is_an_empty_page_not_a_500(many_referrals, offset):
    response = api_as(many_referrals.people["lead_a"]).get(LIST, {"offset": offset, "limit": 10})

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("limit", "abc"),
        ("limit", "0"),
        ("limit", "-5"),
        ("limit", "1.5"),
        ("offset", "abc"),
        ("offset", "-1"),
    ],
)
def test_a_malformed_limit_or_offset_is_a_json_400_naming_it(world, parameter, value):
    response = api_as(world.people["lead_a"]).get(LIST, {parameter: value})

    body = assert_json_error(response, 400, "invalid")
    assert list(body["errors"]) == [parameter]


# --- Addresses that are not a referral's ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/referrals/abc/"),
        ("get", "/api/v1/referrals/1e3/"),
        ("get", "/api/v1/referrals/-1/"),
        ("get", "/api/v1/referrals/abc/history/"),
        ("post", "/api/v1/referrals/abc/contributions/"),
        ("get", "/api/v1/referrals/99999999999999999999999/"),
        ("get", "/api/v1/referrals/99999999999999999999999/history/"),
        ("get", "/api/v1/no-such-thing/"),
        ("get", "/api/"),
    ],
)
def test_an_address_that_is_not_a_referrals_is_a_json_404(world, method, path):
    response = getattr(api_as(world.people["lead_a"]), method)(path, {}, format="json")

    assert_json_error(response, 404, "not_found")


@pytest.mark.django_db
def test_a_json_404_is_given_before_sign_in_too_and_says_nothing_of_html(client):
    response = client.get("/api/v1/referrals/abc/")

    assert_json_error(response, 404, "not_found")
    assert b"<html" not in response.content.lower()


def test_pages_outside_the_api_keep_their_html_404(client, world):
    client.force_login(world.people["lead_a"])

    response = client.get("/referrals/abc/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- Requests per token ---------------------------------------------------------------------------


def test_a_token_sending_too_many_requests_a_minute_gets_a_json_429(world, settings):
    settings.API_TOKEN_REQUESTS_PER_MINUTE = 3
    api = api_as(world.people["lead_a"])

    answers = [api.get(LIST) for _ in range(4)]

    assert [answer.status_code for answer in answers[:3]] == [200, 200, 200]
    assert_json_error(answers[3], 429, "throttled")
    assert int(answers[3]["Retry-After"]) > 0


def test_each_token_has_its_own_allowance(world, settings):
    settings.API_TOKEN_REQUESTS_PER_MINUTE = 1
    lead, referrer = api_as(world.people["lead_a"]), api_as(world.people["referrer_a"])

    assert lead.get(LIST).status_code == 200
    assert referrer.get(LIST).status_code == 200
    assert lead.get(LIST).status_code == 429


def test_a_signed_in_browser_is_not_counted_against_a_token(client, world, settings):
    settings.API_TOKEN_REQUESTS_PER_MINUTE = 1
    client.force_login(world.people["lead_a"])

    assert [client.get(LIST).status_code for _ in range(3)] == [200, 200, 200]
