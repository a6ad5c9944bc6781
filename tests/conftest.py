import pytest

from agencies import demo


@pytest.fixture
def demo_borough(db):
    """The fictional borough of Fenmarsh, as `seed_demo` loads it."""
    return demo.seed_people()
