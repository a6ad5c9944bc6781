"""The API's OpenAPI 3 schema (/api/schema/) and its Swagger UI (/api/docs/)."""

import re

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from agencies.models import Role
from tests.factories import person

OPERATIONS = {
    ("/api/v1/referrals/", "get"): "referrals_list",
    ("/api/v1/referrals/", "post"): "referrals_create",
    ("/api/v1/referrals/{id}/", "get"): "referrals_read",
    ("/api/v1/referrals/{id}/history/", "get"): "referrals_history",
    ("/api/v1/referrals/{id}/contributions/", "post"): "referrals_contributions_create",
    ("/api/v1/missing-episodes/", "get"): "missing_episodes_list",
    ("/api/v1/missing-episodes/", "post"): "missing_episodes_create",
    ("/api/v1/missing-episodes/{id}/", "get"): "missing_episodes_read",
}


@pytest.fixture
def signed_in(db):
    client = APIClient()
    client.force_login(person(Role.REFERRER, username="docs-reader"))
    return client


def test_the_schema_generates_without_a_single_drf_spectacular_warning(db, tmp_path):
    # --fail-on-warn turns any warning (an unguessable serializer, an enum named twice, ...)
    # into an error; --validate checks the result against the OpenAPI 3 JSON schema.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yaml")

    assert (tmp_path / "api.yaml").read_text().startswith("openapi: 3")


def test_the_schema_served_is_valid_openapi_3_and_lists_every_operation(signed_in):
    response = signed_in.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    operations = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert operations == OPERATIONS
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_the_schema_documents_the_headers_and_the_error_shape(signed_in):
    schema = signed_in.get("/api/schema/?format=json").json()

    create = schema["paths"]["/api/v1/referrals/"]["post"]
    read = schema["paths"]["/api/v1/referrals/{id}/"]["get"]
    assert [p["name"] for p in create["parameters"]] == ["Idempotency-Key"]
    assert "X-Access-Reason" in [p["name"] for p in read["parameters"]]
    assert set(create["responses"]) == {"200", "201", "400", "401", "403", "404", "415", "422"}
    invalid = schema["components"]["schemas"]["ApiValidationError"]
    assert set(invalid["properties"]) == {"detail", "code", "errors"}


def test_the_schema_and_docs_are_for_signed_in_callers_only(db):
    assert APIClient().get("/api/schema/").status_code == 401
    assert APIClient().get("/api/docs/").status_code == 401


def test_the_docs_page_needs_no_inline_script_or_style_so_the_strict_csp_holds(signed_in):
    page = signed_in.get("/api/docs/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert "'unsafe-eval'" not in page["Content-Security-Policy"]
    script_src = re.search(r'<script src="([^"]*\?script=[^"]*)"', html).group(1)
    script = signed_in.get(script_src.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/schema/"' in script.content.decode()


def test_the_docs_do_not_send_the_schema_address_to_the_online_validator(signed_in):
    script = signed_in.get("/api/docs/?script=").content.decode()

    assert '"validatorUrl": null' in script
