"""Scorecards in the API: the same figures as the pages, 422 naming the field for a bad
period or bad weights, 404 for another organization's rows, 403 for a role too low."""

import pytest

from handoff.decisions.models import BusinessFunction
from tests.conftest import api_client_for
from tests.factories import ProviderFactory
from tests.insights.test_scorecards import build_world, engagement_for

MARCH = {"period": "month", "on": "2026-03-15"}


@pytest.fixture
def world(org, owner, manager):
    return build_world(org, owner, manager)


def by_key(body):
    return {figure["key"]: (figure["value"], figure["count"]) for figure in body["figures"]}


def test_a_providers_scorecard(org, viewer, world):
    body = (
        api_client_for(viewer, org)
        .get(f"/api/v1/providers/{world.provider.pk}/scorecard", **MARCH)
        .json()
    )
    assert body["period"] == {
        "kind": "month",
        "start": "2026-03-01",
        "end": "2026-03-31",
        "label": "March 2026",
    }
    figures = by_key(body)
    assert figures["on_time"][1] == 6 and figures["spend"] == (1500.0, 2)
    assert figures["lateness_worst"] == (72.0, 2)
    assert (body["overall"]["value"], body["overall"]["count"]) == (63.5, 7)
    assert body["checkin_questions"]["responsive"] == 3.0


def test_a_custom_period_and_an_empty_one(org, viewer, world):
    api = api_client_for(viewer, org)
    url = f"/api/v1/providers/{world.provider.pk}/scorecard"
    custom = api.get(url, period="custom", **{"from": "2026-03-01", "to": "2026-03-31"}).json()
    assert by_key(custom)["on_time"] == (0.5, 6)
    empty = api.get(url, period="year", on="2024-05-01").json()
    assert all(value is None and count == 0 for value, count in by_key(empty).values())
    assert empty["overall"]["value"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "fortnight"}, "period"),
        ({"period": "custom", "from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"period": "custom", "to": "2026-03-01"}, "from"),
        ({"period": "month", "on": "not-a-day"}, "on"),
    ],
)
def test_a_bad_period_is_422_naming_the_field(org, viewer, world, params, field):
    response = api_client_for(viewer, org).get(
        f"/api/v1/providers/{world.provider.pk}/scorecard", **params
    )
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


def test_the_trend(org, viewer, world):
    body = (
        api_client_for(viewer, org)
        .get(
            f"/api/v1/providers/{world.provider.pk}/scorecard/trend",
            period="month",
            count=3,
            until="2026-04-10",
        )
        .json()
    )
    assert [p["period"]["label"] for p in body["periods"]] == [
        "February 2026",
        "March 2026",
        "April 2026",
    ]
    bad = api_client_for(viewer, org).get(
        f"/api/v1/providers/{world.provider.pk}/scorecard/trend", count=100
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "count"


def test_a_function_side_by_side(org, viewer, world):
    rival = ProviderFactory(organization=org, name="Northwind Books")
    engagement_for(org, rival)
    bookkeeping = BusinessFunction.objects.get(organization=org, name="Bookkeeping")
    body = (
        api_client_for(viewer, org)
        .get(f"/api/v1/functions/{bookkeeping.pk}/scorecards", **MARCH)
        .json()
    )
    assert [row["provider_name"] for row in body] == ["Ledgerline Bookkeeping", "Northwind Books"]
    assert body[1]["overall"]["value"] is None


def test_weights_need_an_admin_and_valid_numbers(org, admin, manager):
    assert (
        api_client_for(manager, org).get("/api/v1/scorecards/weights").json()["weights"]["on_time"]
        == 3
    )
    denied = api_client_for(manager, org).client.put(
        "/api/v1/scorecards/weights",
        {"weights": {"on_time": 1}},
        content_type="application/json",
        **api_client_for(manager, org).auth,
    )
    assert denied.status_code == 403
    api = api_client_for(admin, org)

    def put(weights):
        return api.client.put(
            "/api/v1/scorecards/weights",
            {"weights": weights},
            content_type="application/json",
            **api.auth,
        )

    negative = put({"quality": -2})
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "quality"
    zeros = put(
        dict.fromkeys(
            ("on_time", "turnaround", "rework", "quality", "responses", "checkins", "spend"), 0
        )
    )
    assert zeros.status_code == 422 and zeros.json()["errors"][0]["field"] == "weights"
    ok = put({"on_time": 10})
    assert ok.status_code == 200 and ok.json()["weights"]["on_time"] == 10
    assert api.get("/api/v1/scorecards/weights").json()["weights"]["on_time"] == 10


def test_another_organizations_rows_are_404(org, world, outsider, other_org):
    api = api_client_for(outsider, other_org)
    bookkeeping = BusinessFunction.objects.get(organization=org, name="Bookkeeping")
    for path in (
        f"/api/v1/providers/{world.provider.pk}/scorecard",
        f"/api/v1/providers/{world.provider.pk}/scorecard/trend",
        f"/api/v1/functions/{bookkeeping.pk}/scorecards",
    ):
        assert api.get(path).status_code == 404, path
