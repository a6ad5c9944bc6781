import pytest

from agencies import demo


@pytest.fixture
def demo_borough(db):
    """The fictional borough of Fenmarsh, as `seed_demo` loads it."""
    return demo.seed_people()


@pytest.fixture
def demo_referrals(demo_borough):
    from referrals import demo as referral_demo

    seeded = referral_demo.seed_referrals(demo_borough["people"], demo_borough["agencies"])
    referral_demo.seed_break_glass(demo_borough["people"], demo_borough["agencies"])
    return {**demo_borough, **seeded}
