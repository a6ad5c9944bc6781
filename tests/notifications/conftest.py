from tests.agencies.conftest import world  # noqa: F401
from tests.referrals.conftest import borough, make_draft, make_submitted  # noqa: F401
