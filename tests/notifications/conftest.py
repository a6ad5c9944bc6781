from tests.referrals.conftest import borough, make_draft, make_submitted  # noqa: F401
