"""Sessions end on the server: after SESSION_IDLE_TIMEOUT_SECONDS without activity (30
minutes), and SESSION_ABSOLUTE_LIMIT_SECONDS after sign-in (8 hours) whatever the activity.
The sign-in page says why; a referral step posted after the end keeps what was typed.

Time passes by moving the session's own stamps back, as a clock would have done."""

import json
from importlib import import_module
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client

from agencies import session_timeout
from agencies.models import Role
from referrals.models import Referral
from tests.conftest import pass_second_factor_page, second_factor_code
from tests.factories import AgencyFactory, person

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # noqa: S105  (tests.factories.UserFactory's)
MINUTE = 60
HOUR = 60 * MINUTE
CONCERN = {
    "action": "continue",
    "categories": ["cse", "missing"],
    "concern": "Missing overnight twice this week; seen with older males.",
    "immediate_risk": "no",
}


@pytest.fixture
def referrer(db):
    return person(Role.REFERRER, AgencyFactory(name="Police"), username="referrer")


@pytest.fixture
def signed_in(client, referrer):
    response = client.post("/sign-in/", {"username": "referrer", "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:1000]
    pass_second_factor_page(client, referrer)
    return client


def age_session(client, *, idle: int = 0, signed_in: int = 0) -> None:
    """As if `idle` seconds had passed since the last activity and `signed_in` seconds since
    signing in."""
    session = client.session
    session[session_timeout.LAST_ACTIVITY_AT] -= idle
    session[session_timeout.SIGNED_IN_AT] -= signed_in
    session.save()


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def draft_of(client) -> Referral:
    response = client.post(
        "/referrals/new/",
        {
            "action": "continue",
            "first_name": "Ashlyn",
            "last_name": "Brackenridge",
            "born": "yes",
            "date_of_birth_0": "15",
            "date_of_birth_1": "6",
            "date_of_birth_2": "2012",
            "gender": "female",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Referral.objects.latest("pk")


# --- Signing in -----------------------------------------------------------------------------


def test_signing_in_gives_the_browser_a_new_session_key(client, referrer):
    session = client.session
    session["seen_before_sign_in"] = True
    session.save()
    before = session.session_key

    client.post("/sign-in/", {"username": "referrer", "password": PASSWORD})

    assert is_signed_in(client)
    assert client.session.session_key != before
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert not store().exists(before)


def test_signing_in_stamps_the_sign_in_and_the_last_activity(signed_in):
    session = signed_in.session

    assert session[session_timeout.SIGNED_IN_AT] == session[session_timeout.LAST_ACTIVITY_AT]


# --- The idle limit -------------------------------------------------------------------------


def test_a_request_within_the_idle_limit_counts_as_activity(signed_in):
    age_session(signed_in, idle=29 * MINUTE, signed_in=29 * MINUTE)
    before = signed_in.session[session_timeout.LAST_ACTIVITY_AT]

    response = signed_in.get("/referrals/")

    assert response.status_code == 200
    assert signed_in.session[session_timeout.LAST_ACTIVITY_AT] >= before + 29 * MINUTE


def test_a_request_after_the_idle_limit_ends_the_session_and_sends_to_sign_in(signed_in):
    age_session(signed_in, idle=30 * MINUTE, signed_in=30 * MINUTE)

    response = signed_in.get("/referrals/?page=2")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/referrals/%3Fpage%3D2"
    assert not is_signed_in(signed_in)
    assert signed_in.get("/referrals/").status_code == 302  # still signed out


def test_the_sign_in_page_says_the_session_ended_for_want_of_activity(signed_in):
    age_session(signed_in, idle=31 * MINUTE, signed_in=31 * MINUTE)

    response = signed_in.get("/referrals/", follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/sign-in/")
    assert "You were signed out after 30 minutes without activity" in html


def test_opening_the_sign_in_page_after_the_idle_limit_ends_the_session_and_says_why(signed_in):
    age_session(signed_in, idle=31 * MINUTE, signed_in=31 * MINUTE)

    response = signed_in.get("/sign-in/?next=/referrals/")

    assert response.status_code == 200
    assert "You were signed out after 30 minutes without activity" in response.content.decode()
    assert not is_signed_in(signed_in)


# --- The absolute limit ---------------------------------------------------------------------


def test_the_absolute_limit_ends_the_session_even_with_recent_activity(signed_in):
    age_session(signed_in, idle=10, signed_in=8 * HOUR)

    response = signed_in.get("/referrals/", follow=True)

    assert not is_signed_in(signed_in)
    assert response.redirect_chain[0][0] == "/sign-in/?next=/referrals/"
    assert "You were signed out because you had been signed in for 8 hours" in (
        response.content.decode()
    )


def test_activity_does_not_move_the_absolute_limit(signed_in):
    age_session(signed_in, idle=60, signed_in=8 * HOUR - 5 * MINUTE)
    signed_in_at = signed_in.session[session_timeout.SIGNED_IN_AT]

    signed_in.get("/referrals/")

    assert signed_in.session[session_timeout.SIGNED_IN_AT] == signed_in_at


# --- The keep-alive and the status ----------------------------------------------------------


@pytest.fixture
def clock_held(signed_in, monkeypatch):
    """The clock stands still at the moment of signing in, so a second ticking over between
    signing in and the request cannot move the figures a test compares exactly."""
    signed_in_at = signed_in.session[session_timeout.SIGNED_IN_AT]
    monkeypatch.setattr(session_timeout, "clock", lambda: signed_in_at)


def test_keep_alive_restarts_the_idle_limit(signed_in, clock_held):
    age_session(signed_in, idle=25 * MINUTE, signed_in=HOUR)

    response = signed_in.post("/session/keep-alive/")

    assert response.status_code == 200
    assert response.json() == {
        "signed_in": True,
        "remaining_seconds": 30 * MINUTE,
        "can_extend": True,
    }
    session = signed_in.session
    assert session[session_timeout.LAST_ACTIVITY_AT] - session[session_timeout.SIGNED_IN_AT] == (
        HOUR
    )


def test_keep_alive_does_not_move_the_absolute_limit(signed_in):
    age_session(signed_in, idle=5 * MINUTE, signed_in=8 * HOUR - MINUTE)

    answer = signed_in.post("/session/keep-alive/").json()

    assert answer["signed_in"] is True
    assert 0 < answer["remaining_seconds"] <= MINUTE
    assert answer["can_extend"] is False
    age_session(signed_in, signed_in=MINUTE)
    assert signed_in.get("/referrals/").status_code == 302
    assert not is_signed_in(signed_in)


def test_keep_alive_needs_the_csrf_token(referrer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(referrer)

    assert client.post("/session/keep-alive/").status_code == 403


def test_keep_alive_after_the_idle_limit_is_refused(signed_in):
    age_session(signed_in, idle=30 * MINUTE, signed_in=30 * MINUTE)

    response = signed_in.post("/session/keep-alive/")

    assert response.status_code == 401
    assert response.json()["signed_in"] is False


def test_status_tells_the_seconds_left_and_does_not_count_as_activity(signed_in, clock_held):
    age_session(signed_in, idle=10 * MINUTE, signed_in=10 * MINUTE)
    before = dict(signed_in.session.items())

    response = signed_in.get("/session/status/")

    assert response.json() == {
        "signed_in": True,
        "remaining_seconds": 20 * MINUTE,
        "can_extend": True,
    }
    assert dict(signed_in.session.items()) == before


def test_status_after_the_idle_limit_says_signed_out(signed_in):
    age_session(signed_in, idle=31 * MINUTE, signed_in=31 * MINUTE)

    answer = signed_in.get("/session/status/").json()

    assert answer == {"signed_in": False, "remaining_seconds": 0, "can_extend": False}


def test_status_for_someone_not_signed_in(client, db):
    assert client.get("/session/status/").json()["signed_in"] is False


def test_pages_carry_the_figures_for_the_warning(signed_in):
    html = signed_in.get("/referrals/").content.decode()

    assert 'data-idle-seconds="1800"' in html
    assert 'data-warning-seconds="120"' in html
    assert 'data-status-url="/session/status/"' in html
    assert 'role="dialog"' in html and 'aria-modal="true"' in html


# --- A referral step posted after the end keeps what was typed -----------------------------


def test_a_referral_step_posted_after_the_idle_limit_is_kept_encrypted_not_saved(signed_in):
    draft = draft_of(signed_in)
    age_session(signed_in, idle=31 * MINUTE, signed_in=31 * MINUTE)

    response = signed_in.post(f"/referrals/{draft.pk}/draft/concern/?return=check", CONCERN)

    assert response.status_code == 302
    assert response["Location"] == (
        f"/sign-in/?next=/referrals/{draft.pk}/draft/concern/%3Freturn%3Dcheck"
    )
    draft.refresh_from_db()
    assert draft.concern == ""
    session = signed_in.session
    assert session_timeout.KEPT_FORM in session
    assert "Missing overnight" not in json.dumps(dict(session.items()))
    sign_in_page = signed_in.get(response["Location"]).content.decode()
    assert "What you had typed is kept" in sign_in_page


def test_signing_in_again_carries_on_with_the_kept_step(signed_in):
    draft = draft_of(signed_in)
    age_session(signed_in, idle=31 * MINUTE, signed_in=31 * MINUTE)
    next_url = signed_in.post(f"/referrals/{draft.pk}/draft/concern/", CONCERN)["Location"]

    response = signed_in.post(next_url, {"username": "referrer", "password": PASSWORD})
    step = f"/referrals/{draft.pk}/draft/concern/"
    assert response["Location"] == f"/sign-in/second-factor/?next={quote(step, safe='')}"
    response = signed_in.post(response["Location"], {"code": second_factor_code(draft.referrer)})
    assert response["Location"] == step
    replayed = signed_in.get(response["Location"])

    assert replayed.status_code == 302
    assert replayed["Location"] == f"/referrals/{draft.pk}/draft/consent/"
    draft.refresh_from_db()
    assert draft.concern == CONCERN["concern"]
    assert session_timeout.KEPT_FORM not in signed_in.session


def test_a_kept_save_is_saved_and_the_person_sees_the_same_step_again(signed_in):
    draft = draft_of(signed_in)
    age_session(signed_in, idle=31 * MINUTE, signed_in=31 * MINUTE)
    signed_in.post(
        f"/referrals/{draft.pk}/draft/concern/",
        {"action": "save", "concern": "Half a sentence typed when"},
    )
    signed_in.post("/sign-in/", {"username": "referrer", "password": PASSWORD})
    pass_second_factor_page(signed_in, draft.referrer)

    response = signed_in.get(f"/referrals/{draft.pk}/draft/concern/", follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(f"/referrals/{draft.pk}/draft/concern/", 302)]
    assert "Half a sentence typed when</textarea>" in html
    assert "saved in your draft referral" in html
    draft.refresh_from_db()
    assert draft.concern == "Half a sentence typed when"


def test_a_kept_step_is_not_given_to_someone_else_who_signs_in_on_the_browser(signed_in):
    draft = draft_of(signed_in)
    colleague = person(Role.REFERRER, draft.agency, username="colleague")
    age_session(signed_in, idle=31 * MINUTE, signed_in=31 * MINUTE)
    signed_in.post(f"/referrals/{draft.pk}/draft/concern/", CONCERN)

    signed_in.post("/sign-in/", {"username": "colleague", "password": PASSWORD})
    pass_second_factor_page(signed_in, colleague)

    assert session_timeout.KEPT_FORM not in signed_in.session
    assert signed_in.get(f"/referrals/{draft.pk}/draft/concern/").status_code == 404
    draft.refresh_from_db()
    assert draft.concern == ""


def test_a_step_posted_after_the_limit_without_the_csrf_token_is_not_kept(referrer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(referrer)
    age_session(client, idle=31 * MINUTE, signed_in=31 * MINUTE)

    response = client.post("/referrals/1/draft/concern/", CONCERN)

    assert response.status_code == 302
    assert session_timeout.KEPT_FORM not in client.session
