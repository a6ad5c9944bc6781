import pytest
from django.db import connections
from django.test import override_settings

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
    }
}


@pytest.mark.django_db
def test_healthz_answers_200_when_database_and_channel_layer_are_reachable(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channel layer"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_naming_the_database_when_it_is_unreachable(client):
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/unreachable.sqlite3"
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["database"]
    assert body["checks"]["database"]["ok"] is False


@pytest.mark.django_db
@override_settings(CHANNEL_LAYERS=UNREACHABLE_REDIS)
def test_healthz_answers_503_naming_the_channel_layer_when_redis_is_unreachable(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["down"] == ["channel layer"]
