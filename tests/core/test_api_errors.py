"""The API's errors are JSON of one shape whatever goes wrong, and input it cannot keep (a NUL
character PostgreSQL cannot store, a body that is not JSON, numbers out of range) is refused
with 422 naming the field, changing nothing."""

import json

import pytest

from handoff.providers.models import Provider
from tests.conftest import api_client_for


@pytest.fixture
def api(org, manager):
    return api_client_for(manager, org)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Ledger\x00line", "kind": "firm"}, "name"),
        ({"name": "Ledgerline", "kind": "firm", "city": "a\x00b"}, "city"),
        ({"name": "Ledgerline", "kind": "firm", "tags\x00": "x"}, "body"),
    ],
)
def test_a_nul_character_is_refused_naming_the_field(org, api, body, field):
    response = api.post("/api/v1/providers", body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and "NUL" in errors[0]["message"]
    assert not Provider.objects.filter(organization=org).exists()


def test_a_nul_character_in_the_query_is_refused(api):
    response = api.get("/api/v1/providers", q="ledger\x00")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


def test_a_body_that_is_not_json_is_refused_with_422(org, api):
    response = api.client.post(
        "/api/v1/providers", "{not json", content_type="application/json", **api.auth
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request has invalid fields.",
        "errors": [{"field": "body", "message": "The body is not valid JSON."}],
    }
    assert not Provider.objects.filter(organization=org).exists()


@pytest.mark.parametrize("query", [{"page": 0}, {"per_page": 0}, {"per_page": 10_000}])
def test_a_page_out_of_range_is_refused_with_422(api, query):
    response = api.get("/api/v1/providers", **query)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] in query


def test_a_fault_on_our_side_is_json_too(api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr("handoff.providers.api.selectors.provider_list", broken)
    api.client.raise_request_exception = False
    response = api.get("/api/v1/providers")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"].startswith("Something went wrong on our side")
    assert "disk" not in json.dumps(body)


def test_every_operation_documents_the_errors_it_can_give(api):
    document = api.get("/api/v1/openapi.json").json()
    missing = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            public = not operation.get("security")
            needed = {"404", "422"} if public else {"401", "403", "404", "422"}
            if absent := needed - set(operation["responses"]):
                missing.append(f"{method.upper()} {path}: {sorted(absent)}")
    assert not missing, "\n".join(missing)
