# ruff: noqa: F811 - the shared fixtures are imported from test_checkins and used as arguments
"""The check-in API: listing, figures per period, starting a round, answering (my own, by the
link's token, and in the portal), the settings; 422 with the field, 404 across organizations,
403 below the least role."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from handoff.accounts import services as accounts
from handoff.insights.models import CheckIn, CheckInRound, InsightsSettings
from tests.conftest import ApiClient, api_client_for
from tests.factories import ProviderFactory, principal_for
from tests.insights.test_checkins import (  # noqa: F401 - fixtures
    Q2,
    boss_contact,
    engagement,
    make_checkin,
    make_round,
    point_contact,
    priya,
    provider,
    rival_contact,
    rival_provider,
)

ANSWERS = {"comfortable": 4, "clear": 5, "responsive": 3, "recommend": 4, "note": "Fine."}
JULY = datetime(2026, 7, 2, tzinfo=UTC)


def public_post(path, data):
    return Client().post(path, data, content_type="application/json")


def fields(response):
    return {error["field"] for error in response.json()["errors"]}


# --- Listing and figures ----------------------------------------------------------------------
def test_a_viewer_lists_checkins_filtered_by_provider_and_answered(org, owner, viewer, provider):
    round_ = make_round(provider)
    answered = make_checkin(round_, respondent=owner, answers=(4, 4, 4, 4), answered_at=JULY)
    make_checkin(round_, respondent=viewer)
    other = make_checkin(make_round(ProviderFactory(organization=org)), respondent=owner)
    api = api_client_for(viewer, org)

    everything = api.get("/api/v1/checkins").json()
    assert everything["count"] == 3
    mine = api.get(f"/api/v1/checkins?provider_id={provider.pk}&answered=true").json()
    assert [row["id"] for row in mine["results"]] == [answered.pk]
    row = mine["results"][0]
    assert (row["state"], row["comfortable"], row["period_start"]) == ("answered", 4, "2026-04-01")
    assert row["provider_view"] is False
    assert api.get("/api/v1/checkins?answered=false").json()["count"] == 2
    assert api.get(f"/api/v1/checkins/{other.pk}").status_code == 200


def test_the_list_takes_the_same_queries_however_long(org, owner):
    api = api_client_for(owner, org)
    api.get("/api/v1/checkins")  # the token's first use is recorded once
    counts = []
    for rows in (5, 30):
        while CheckIn.objects.filter(organization=org).count() < rows:
            make_checkin(make_round(ProviderFactory(organization=org)), respondent=owner)
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/checkins", per_page=200).json()["count"] == rows
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_providers_figures_by_period_and_for_a_range(org, owner, viewer, provider, point_contact):
    round_ = make_round(provider)
    make_checkin(round_, respondent=owner, answers=(5, 4, 3, 4), answered_at=JULY)
    make_checkin(round_, respondent=viewer)
    make_checkin(round_, contact=point_contact, answers=(2, 2, 2, 2), answered_at=JULY)
    api = api_client_for(viewer, org)

    periods = api.get(f"/api/v1/providers/{provider.pk}/checkin-periods").json()
    assert periods == [
        {
            "round_id": round_.pk,
            "period": "Q2 2026",
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
            "ours": {
                "comfortable": 5.0,
                "clear": 4.0,
                "responsive": 3.0,
                "recommend": 4.0,
                "overall": 4.0,
                "answered": 1,
                "asked": 2,
            },
            "theirs": {
                "comfortable": 2.0,
                "clear": 2.0,
                "responsive": 2.0,
                "recommend": 2.0,
                "overall": 2.0,
                "answered": 1,
                "asked": 1,
            },
        }
    ]
    summary = api.get(
        f"/api/v1/providers/{provider.pk}/checkin-summary", start="2026-07-01", end="2026-07-31"
    ).json()
    assert (summary["ours"]["overall"], summary["theirs"]["overall"]) == (4.0, 2.0)
    empty = api.get(
        f"/api/v1/providers/{provider.pk}/checkin-summary", start="2026-08-01", end="2026-08-31"
    ).json()
    assert empty["ours"] == {
        "comfortable": None,
        "clear": None,
        "responsive": None,
        "recommend": None,
        "overall": None,
        "answered": 0,
        "asked": 0,
    }
    backwards = api.get(
        f"/api/v1/providers/{provider.pk}/checkin-summary", start="2026-08-01", end="2026-07-01"
    )
    assert backwards.status_code == 422
    assert fields(backwards) == {"end"}


# --- Starting a round -------------------------------------------------------------------------
def test_a_manager_starts_a_round_for_a_period_and_again_changes_nothing(
    org, manager, admin, engagement, provider
):
    api = api_client_for(manager, org)
    body = {"period_start": "2026-04-01", "period_end": "2026-06-30"}
    response = api.post(f"/api/v1/providers/{provider.pk}/checkin-rounds", body)
    assert response.status_code == 201
    assert response.json()["period"] == "Q2 2026"
    assert response.json()["asked"] == 2
    assert api.post(f"/api/v1/providers/{provider.pk}/checkin-rounds", body).json()["asked"] == 2
    assert CheckInRound.objects.filter(organization=org).count() == 1
    assert CheckIn.objects.filter(organization=org).count() == 2


def test_a_round_with_a_backwards_period_is_a_422(org, manager, engagement, provider):
    response = api_client_for(manager, org).post(
        f"/api/v1/providers/{provider.pk}/checkin-rounds",
        {"period_start": "2026-06-30", "period_end": "2026-04-01"},
    )
    assert response.status_code == 422
    assert fields(response) == {"period_end"}
    assert not CheckInRound.objects.exists()


def test_a_round_needs_a_manager(org, member, engagement, provider):
    response = api_client_for(member, org).post(f"/api/v1/providers/{provider.pk}/checkin-rounds")
    assert response.status_code == 403
    assert not CheckInRound.objects.exists()


# --- Answering --------------------------------------------------------------------------------
def test_a_member_answers_their_own_checkin_once(org, owner, manager, provider):
    mine = make_checkin(make_round(provider), respondent=manager)
    api = api_client_for(manager, org)
    response = api.post(f"/api/v1/checkins/{mine.pk}/answer", ANSWERS)
    assert response.status_code == 200
    assert response.json()["state"] == "answered"
    again = api.post(f"/api/v1/checkins/{mine.pk}/answer", {**ANSWERS, "comfortable": 1})
    assert again.status_code == 422
    assert "answers cannot be changed" in again.json()["errors"][0]["message"]
    mine.refresh_from_db()
    assert mine.comfortable == 4


def test_someone_elses_checkin_cannot_be_answered_by_a_member(org, owner, manager, provider):
    theirs = make_checkin(make_round(provider), respondent=owner)
    response = api_client_for(manager, org).post(f"/api/v1/checkins/{theirs.pk}/answer", ANSWERS)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"comfortable": 0}, "comfortable"),
        ({"clear": 6}, "clear"),
        ({"responsive": "3"}, "responsive"),
        ({"recommend": True}, "recommend"),
        ({"recommend": None}, "recommend"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_bad_answers_by_the_link_are_a_422_with_the_field(org, owner, provider, change, field):
    checkin = make_checkin(make_round(provider), respondent=owner, token="tok")
    response = public_post("/api/v1/checkin/tok", {**ANSWERS, **change})
    assert response.status_code == 422
    assert field in fields(response)
    checkin.refresh_from_db()
    assert checkin.answered_at is None


def test_the_link_answers_without_a_token_once(org, owner, provider):
    checkin = make_checkin(make_round(provider), respondent=owner, token="tok")
    form = Client().get("/api/v1/checkin/tok")
    assert form.status_code == 200
    assert form.json()["about"] == "Ledgerline Bookkeeping"
    assert form.json()["period"] == "Q2 2026"
    assert set(form.json()["questions"]) == set(CheckIn.QUESTIONS)
    assert public_post("/api/v1/checkin/tok", ANSWERS).status_code == 201
    again = public_post("/api/v1/checkin/tok", ANSWERS)
    assert again.status_code == 422
    assert fields(again) == {"checkin"}
    checkin.refresh_from_db()
    assert checkin.note == "Fine."


def test_an_expired_or_unknown_link_is_refused(org, owner, provider):
    checkin = make_checkin(make_round(provider), respondent=owner, token="tok")
    CheckIn.objects.filter(pk=checkin.pk).update(expires_at=datetime.now(UTC) - timedelta(hours=1))
    expired = public_post("/api/v1/checkin/tok", ANSWERS)
    assert expired.status_code == 422
    assert "closed on" in expired.json()["errors"][0]["message"]
    assert public_post("/api/v1/checkin/nope", ANSWERS).status_code == 404
    assert Client().get("/api/v1/checkin/nope").status_code == 404
    checkin.refresh_from_db()
    assert checkin.answered_at is None


# --- The portal -------------------------------------------------------------------------------
@pytest.fixture
def priya_api(org, priya):
    _, raw = accounts.create_api_token(principal_for(priya, org), name="portal")
    return ApiClient(raw)


def test_a_contacts_token_lists_reads_and_answers_only_the_contacts_own(
    org, owner, provider, point_contact, boss_contact, rival_provider, rival_contact, priya_api
):
    round_ = make_round(provider)
    theirs = make_checkin(round_, contact=point_contact)
    colleague = make_checkin(round_, contact=boss_contact)
    member = make_checkin(round_, respondent=owner)
    rival = make_checkin(make_round(rival_provider), contact=rival_contact)
    for query in ("", "?mine=true", f"?provider_id={rival_provider.pk}&mine=false"):
        listing = priya_api.get(f"/api/v1/checkins{query}")
        assert listing.status_code == 200
        expected = [] if "provider_id" in query else [theirs.pk]
        assert [row["id"] for row in listing.json()["results"]] == expected, query
    for other in (colleague, member, rival):
        assert priya_api.get(f"/api/v1/checkins/{other.pk}").status_code == 404
        assert priya_api.post(f"/api/v1/checkins/{other.pk}/answer", ANSWERS).status_code == 404
        other.refresh_from_db()
        assert other.answered_at is None
    assert priya_api.get(f"/api/v1/checkins/{theirs.pk}").json()["provider_view"] is True
    answered = priya_api.post(f"/api/v1/checkins/{theirs.pk}/answer", ANSWERS)
    assert answered.status_code == 200
    assert answered.json()["provider_view"] is True and answered.json()["state"] == "answered"


def test_a_member_cannot_answer_a_contacts_checkin(org, owner, provider, point_contact):
    theirs = make_checkin(make_round(provider), contact=point_contact)
    api = api_client_for(owner, org)
    assert api.get(f"/api/v1/checkins/{theirs.pk}").status_code == 200  # the org reads it
    assert api.post(f"/api/v1/checkins/{theirs.pk}/answer", ANSWERS).status_code == 404
    theirs.refresh_from_db()
    assert theirs.answered_at is None


def test_the_portal_checkin_endpoints_are_gone(org, priya_api):
    assert priya_api.get("/api/v1/portal/checkins").status_code == 404


# --- Settings ---------------------------------------------------------------------------------
def test_an_admin_reads_and_changes_the_settings(org, admin):
    api = api_client_for(admin, org)
    assert api.get("/api/v1/checkin-settings").json() == {
        "checkin_months": 3,
        "cadence": "Every quarter",
        "ask_provider": False,
    }
    changed = api.patch("/api/v1/checkin-settings", {"checkin_months": 0, "ask_provider": True})
    assert changed.status_code == 200
    assert changed.json()["cadence"] == "Never"
    bad = api.patch("/api/v1/checkin-settings", {"checkin_months": 5})
    assert bad.status_code == 422
    assert fields(bad) == {"checkin_months"}
    assert InsightsSettings.objects.filter(organization=org).get().checkin_months == 0


# --- Who may call what ------------------------------------------------------------------------
ENDPOINTS = [
    # method, path, least role
    ("get", "/api/v1/checkins", "viewer"),
    ("get", "/api/v1/providers/{provider}/checkin-periods", "viewer"),
    (
        "get",
        "/api/v1/providers/{provider}/checkin-summary?start=2026-01-01&end=2026-12-31",
        "viewer",
    ),
    ("post", "/api/v1/providers/{provider}/checkin-rounds", "manager"),
    ("get", "/api/v1/checkin-settings", "admin"),
    ("patch", "/api/v1/checkin-settings", "admin"),
]
ORDER = ["viewer", "member", "manager", "admin", "owner"]


@pytest.mark.parametrize(("method", "path", "least"), ENDPOINTS)
def test_each_endpoint_answers_by_role(
    org, owner, admin, manager, member, viewer, engagement, provider, method, path, least
):
    people = {
        "owner": owner,
        "admin": admin,
        "manager": manager,
        "member": member,
        "viewer": viewer,
    }
    for role, person in people.items():
        api = api_client_for(person, org)
        url = path.format(provider=provider.pk)
        response = api.patch(url, {}) if method == "patch" else getattr(api, method)(url)
        expected = {200, 201} if ORDER.index(role) >= ORDER.index(least) else {403}
        assert response.status_code in expected, (role, response.json())


def test_another_organizations_rows_are_404(org, owner, provider, other_org, outsider):
    checkin = make_checkin(make_round(provider), respondent=owner)
    api = api_client_for(outsider, other_org)
    assert api.get(f"/api/v1/checkins/{checkin.pk}").status_code == 404
    assert api.post(f"/api/v1/checkins/{checkin.pk}/answer", ANSWERS).status_code == 404
    assert api.get(f"/api/v1/providers/{provider.pk}/checkin-periods").status_code == 404
    assert api.get(f"/api/v1/checkins?provider_id={provider.pk}").status_code == 404
    assert api.post(f"/api/v1/providers/{provider.pk}/checkin-rounds").status_code == 404
    assert api.get("/api/v1/checkins").json()["count"] == 0
    checkin.refresh_from_db()
    assert checkin.answered_at is None
    assert not CheckInRound.objects.filter(organization=other_org).exists()
