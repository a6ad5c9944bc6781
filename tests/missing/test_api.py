"""The missing report API: idempotent with an Idempotency-Key exactly as the referrals API,
in the OpenAPI document, and refusing those who may not report or read."""

import json

import pytest
from rest_framework.test import APIClient

from missing.models import MissingEpisode

BODY = {
    "child": {"first_name": "Kestrel", "last_name": "Amberwood", "date_of_birth": "2011-04-02"},
    "missing_from": "home",
    "missing_since": "2026-01-06T21:30:00Z",
    "risk_grading": "medium",
    "with_whom": "Two older males",
}


def _client(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def _post(client, body=BODY, key="key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/missing-episodes/", json.dumps(body), content_type="application/json", **headers
    )


def test_a_report_is_created_once_per_idempotency_key(borough):
    client = _client(borough["officer"])

    first = _post(client)
    again = _post(client)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert MissingEpisode.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(borough):
    client = _client(borough["officer"])
    _post(client)

    response = _post(client, {**BODY, "risk_grading": "high"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_invalid_fields_are_named(borough):
    response = _post(_client(borough["officer"]), {**BODY, "risk_grading": "extreme"}, key=None)

    assert response.status_code == 400
    assert "risk_grading" in response.json()["errors"]


@pytest.mark.parametrize("who", ["board", "coordinator"])
def test_someone_who_does_not_report_is_refused(borough, who):
    assert _post(_client(borough[who])).status_code == 403


def test_an_anonymous_caller_is_told_to_authenticate(borough):
    assert _post(APIClient()).status_code == 401


def test_an_episode_is_read_back_by_its_reporter_and_hidden_from_others(borough):
    created = _post(_client(borough["officer"])).json()

    mine = _client(borough["officer"]).get(f"/api/v1/missing-episodes/{created['id']}/")
    theirs = _client(borough["school_lead"]).get(f"/api/v1/missing-episodes/{created['id']}/")

    assert mine.status_code == 200 and mine.json()["child"]["first_name"] == "Kestrel"
    assert theirs.status_code == 404


def test_the_list_names_no_child(borough):
    _post(_client(borough["officer"]))

    listed = _client(borough["officer"]).get("/api/v1/missing-episodes/").json()

    assert listed["count"] == 1 and "child" not in listed["results"][0]


def test_the_schema_documents_the_missing_report(borough):
    client = _client(borough["officer"])

    schema = client.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/missing-episodes/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert "MissingReportRequest" in schema["components"]["schemas"]
