# ruff: noqa: F811 - the shared fixtures are imported from test_checkins and used as arguments
"""Evaluate → Check-ins: every round of the organization with its state (scheduled, sent,
answered, closed), the answers averaged per side, filtered by state, in a flat number of
queries, and nothing of another organization's."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.core.principal import Principal
from handoff.insights import checkin_rounds, checkins
from handoff.insights.models import InsightsSettings
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, principal_for
from tests.insights.test_checkins import (  # noqa: F401 - fixtures
    Q2,
    boss_contact,
    engagement,
    make_checkin,
    make_round,
    point_contact,
    provider,
)

NOW = datetime(2026, 12, 4, 15, tzinfo=UTC)
Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def url(org, **query):
    base = reverse("insights:checkins", args=[org.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def sent(days_ago):
    return NOW - timedelta(days=days_ago)


@pytest.fixture
def rounds(org, owner, manager, admin, provider, point_contact):
    """Q2: everyone answered (and the provider gave its view); Q3: one answered, one link still
    open; an older round whose links expired with one answer missing."""
    answered = make_round(provider, Q2)
    make_checkin(answered, respondent=owner, answers=(4, 4, 4, 4), answered_at=sent(150),
                 sent_at=sent(160))  # fmt: skip
    make_checkin(answered, respondent=manager, answers=(2, 2, 2, 2), answered_at=sent(150),
                 sent_at=sent(160))  # fmt: skip
    make_checkin(answered, contact=point_contact, answers=(5, 5, 5, 5), answered_at=sent(150),
                 sent_at=sent(160))  # fmt: skip
    open_ = make_round(provider, Q3)
    make_checkin(open_, respondent=owner, answers=(3, 4, 5, 4), answered_at=sent(2),
                 sent_at=sent(10))  # fmt: skip
    make_checkin(open_, respondent=manager, sent_at=sent(10))
    closed = make_round(provider, (date(2026, 1, 1), date(2026, 3, 31)))
    make_checkin(closed, respondent=owner, answers=(1, 2, 3, 4), answered_at=sent(240),
                 sent_at=sent(245))  # fmt: skip
    make_checkin(closed, respondent=admin, sent_at=sent(245))
    return answered, open_, closed


@pytest.mark.django_db
class TestStates:
    def test_each_round_has_one_state(self, org, rounds):
        answered, open_, closed = rounds
        states = {
            row.pk: row.state for row in checkin_rounds.rounds(Principal.system(org), now=NOW)
        }
        assert states == {answered.pk: "answered", open_.pk: "sent", closed.pk: "closed"}

    def test_a_round_with_nobody_asked_is_closed(self, org, provider):
        empty = make_round(provider, Q2)
        [row] = checkin_rounds.rounds(Principal.system(org), now=NOW)
        assert (row.pk, row.state, row.asked) == (empty.pk, "closed", 0)

    def test_the_averages_keep_our_view_and_theirs_apart(self, org, rounds):
        answered = checkin_rounds.rounds(Principal.system(org), now=NOW, state="answered").get()
        assert (answered.asked, answered.answered) == (3, 3)
        assert checkin_rounds.side_average(answered, "ours") == 3.0
        assert checkin_rounds.side_average(answered, "theirs") == 5.0
        sent_round = checkin_rounds.rounds(Principal.system(org), now=NOW, state="sent").get()
        assert checkin_rounds.side_average(sent_round, "ours") == 4.0
        assert checkin_rounds.side_average(sent_round, "theirs") is None

    def test_the_round_about_the_current_period_is_scheduled_for_when_it_ends(
        self, org, provider, engagement
    ):
        ProviderFactory(organization=org, name="Not engaged")
        found = checkin_rounds.scheduled(Principal.system(org), now=NOW)
        assert found.label == "Q4 2026" and found.starts_on == date(2027, 1, 1)
        assert [p.name for p in found.providers] == ["Ledgerline Bookkeeping"]
        make_round(provider, (date(2026, 10, 1), date(2026, 12, 4)))  # started by hand
        assert checkin_rounds.scheduled(Principal.system(org), now=NOW).count == 0

    def test_nothing_is_scheduled_when_the_cadence_is_never(self, org, owner, engagement):
        checkins.update_settings(
            principal_for(owner, org), checkin_months=InsightsSettings.Cadence.OFF
        )
        assert checkin_rounds.scheduled(Principal.system(org), now=NOW) is None


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("at_now")
class TestPage:
    def test_a_viewer_sees_every_round_with_its_state_and_answers(
        self, org, viewer, rounds, engagement
    ):
        page = client_for(viewer).get(url(org)).content.decode()
        assert "<title>Check-ins" in page and "<h1>Check-ins</h1>" in page
        assert "The round about Q4 2026 starts on Jan 1, 2027 for 1 provider" in page
        for text in ("Q2 2026", "Q3 2026", "Q1 2026", "Answered", "Sent", "Closed"):
            assert text in page, text
        assert "3 of 3" in page and "1 of 2" in page
        assert "3.00 / 5" in page and "5.00 / 5" in page
        checkins_of = reverse("insights:provider_checkins", args=[org.slug, rounds[0].provider_id])
        assert f'href="{checkins_of}"' in page

    def test_the_state_filter(self, org, viewer, rounds):
        client = client_for(viewer)
        closed = client.get(url(org, state="closed")).content.decode()
        assert "Q1 2026" in closed and "Q2 2026" not in closed and 'id="scheduled-h"' not in closed
        scheduled = client.get(url(org, state="scheduled")).content.decode()
        assert "nothing is scheduled" in scheduled and "Q2 2026" not in scheduled
        odd = client.get(url(org, state="nonsense"))
        assert odd.status_code == 200 and "Q2 2026" in odd.content.decode()

    def test_a_member_sees_how_many_wait_for_them(self, org, manager, rounds):
        page = client_for(manager).get(url(org)).content.decode()
        assert "My check-ins (1 waiting)" in page

    def test_an_organization_without_rounds_says_so(self, org, viewer):
        page = client_for(viewer).get(url(org)).content.decode()
        assert "No round has started yet." in page

    def test_another_organizations_rounds_are_not_listed(
        self, org, viewer, rounds, other_org, outsider
    ):
        foreign = ProviderFactory(organization=other_org, name="Foreign Firm")
        make_checkin(make_round(foreign, Q2), respondent=outsider, sent_at=sent(10))
        page = client_for(viewer).get(url(org)).content.decode()
        assert "Foreign Firm" not in page
        assert client_for(outsider).get(url(org)).status_code == 404

    def test_the_query_count_does_not_grow_with_rounds(self, org, owner, provider):
        def count():
            with CaptureQueriesContext(connection) as captured:
                assert client_for(owner).get(url(org)).status_code == 200
            return len(captured)

        for _ in range(2):
            make_checkin(make_round(ProviderFactory(organization=org), Q2), respondent=owner)
        few = count()
        for _ in range(20):
            round_ = make_round(ProviderFactory(organization=org), Q3)
            make_checkin(round_, respondent=owner, answers=(3, 3, 3, 3), answered_at=sent(1))
        assert count() == few


@pytest.mark.django_db
@pytest.mark.usefixtures("at_now")
class TestApi:
    def test_the_rounds_with_their_states_and_the_scheduled_one(
        self, org, viewer, rounds, engagement
    ):
        body = api_client_for(viewer, org).get("/api/v1/checkin-rounds").json()
        assert body["count"] == 3
        assert [(row["period"], row["state"]) for row in body["results"]] == [
            ("Q3 2026", "sent"),
            ("Q2 2026", "answered"),
            ("Q1 2026", "closed"),
        ]
        answered = body["results"][1]
        assert (answered["asked"], answered["ours"], answered["theirs"]) == (3, 3.0, 5.0)
        assert body["scheduled"] == {
            "period": "Q4 2026",
            "period_start": "2026-10-01",
            "period_end": "2026-12-31",
            "starts_on": "2027-01-01",
            "providers": 1,
        }

    def test_the_state_filter_and_a_bad_state(self, org, viewer, rounds):
        client = api_client_for(viewer, org)
        closed = client.get("/api/v1/checkin-rounds", state="closed").json()
        assert [row["period"] for row in closed["results"]] == ["Q1 2026"]
        bad = client.get("/api/v1/checkin-rounds", state="lost")
        assert bad.status_code == 422 and "state" in bad.content.decode()

    def test_only_the_tokens_organization(self, org, rounds, other_org, outsider):
        body = api_client_for(outsider, other_org).get("/api/v1/checkin-rounds").json()
        assert body["count"] == 0 and body["results"] == []
