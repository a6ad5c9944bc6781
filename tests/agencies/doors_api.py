"""Rows of the access matrix for the API doors (/api/...): see test_access_matrix.py.

The API never redirects: an anonymous caller gets 401 (and is told to send a token). Every
door answers JSON, except the Swagger UI page. Creating a referral (POST on
api:referral-list) is checked for every role in tests/referrals/test_api_referrals.py.
"""

from tests.agencies.matrix import VIEWERS, everyone, only

# Those who may read world.referral, as on the pages, except the quality auditor: they may
# too, but only giving a reason (X-Access-Reason), which the matrix does not: 403.
READERS = [position for position in VIEWERS if position != "auditor"]
# Of the readers, those who refer or lead for an agency may add what their agency knows.
CONTRIBUTORS = ["referrer_a", "lead_a", "lead_b"]


def api_only(allowed: dict, *, knowers=()) -> dict:
    return only(allowed, knowers=knowers) | {"anonymous": 401}


API_DOORS: dict = {
    "api:schema": ("get", lambda w: "/api/schema/?format=json", None, everyone(200, anonymous=401)),
    "api:docs": ("get", lambda w: "/api/docs/", None, everyone(200, anonymous=401)),
    # Everyone signed in has a list: the referrals they may see, perhaps none.
    "api:referral-list": (
        "get",
        lambda w: "/api/v1/referrals/",
        None,
        everyone(200, anonymous=401),
    ),
    "api:referral-detail": (
        "get",
        lambda w: f"/api/v1/referrals/{w.referral.pk}/",
        None,
        api_only(dict.fromkeys(READERS, 200), knowers=["auditor"]),
    ),
    "api:referral-history": (
        "get",
        lambda w: f"/api/v1/referrals/{w.referral.pk}/history/",
        None,
        api_only(dict.fromkeys(READERS, 200), knowers=["auditor"]),
    ),
    # The matrix posts a form, which the JSON-only API refuses (415) once access is granted,
    # so the matrix changes nothing.
    "api:referral-contributions": (
        "post",
        lambda w: f"/api/v1/referrals/{w.referral.pk}/contributions/",
        {},
        api_only(dict.fromkeys(CONTRIBUTORS, 415), knowers=VIEWERS),
    ),
}
