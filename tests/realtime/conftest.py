import uuid

import pytest


@pytest.fixture(autouse=True)
def private_channel_prefix(settings):
    """Redis keys no other test process uses (they all number their meetings from 1); the
    same prefix for the daphne processes a test starts."""
    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels.layers.InMemoryChannelLayer":
        return None
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer.get("CONFIG", {}), "prefix": prefix}}
    }
    return prefix
