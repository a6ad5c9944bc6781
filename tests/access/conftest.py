"""The access tests share the small borough of tests/referrals (a referrer, agency leads and a
panel coordinator) and its referrals."""

from tests.referrals.conftest import borough, make_draft, make_submitted  # noqa: F401
