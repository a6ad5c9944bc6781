"""The security findings' tests share the small world of tests/agencies (one person in
every position the access rules distinguish)."""

from tests.agencies.conftest import world  # noqa: F401
