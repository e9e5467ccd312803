"""One standings for the dashboard and Evaluate → Scorecards: the same default period (this
quarter), the same providers, the same score and rank for each, printed the same way."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from handoff.core.principal import Principal
from handoff.insights import dashboard, scorecards, standings
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory
from tests.insights.test_dashboard import engage, pay, task

ZONE = ZoneInfo("America/Chicago")
TODAY = date(2026, 11, 18)
NOW = datetime.combine(TODAY, time(12), tzinfo=ZONE)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour=12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


@pytest.fixture
def world(org):
    """Ledgerline: on time in October, late in November (this month and this quarter differ);
    Northwind: late in October; Quiet: engaged, nothing this quarter; Paid only: a payment
    this quarter and no engagement; Never engaged: nothing at all."""
    ledgerline = ProviderFactory(organization=org, name="Ledgerline")
    northwind = ProviderFactory(organization=org, name="Northwind")
    quiet = ProviderFactory(organization=org, name="Quiet")
    paid_only = ProviderFactory(organization=org, name="Paid only")
    ProviderFactory(organization=org, name="Never engaged")
    first, second = engage(org, ledgerline), engage(org, northwind)
    engage(org, quiet)
    for day in (date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19)):
        task(first, at(day), status="accepted", delivered_at=at(day, 9), quality_rating=5)
    task(first, at(date(2026, 11, 9)), status="accepted", delivered_at=at(date(2026, 11, 11)))
    task(second, at(date(2026, 10, 7)), status="accepted", delivered_at=at(date(2026, 10, 9)))
    pay(org, paid_only, "500", date(2026, 10, 2))
    return {"ledgerline": ledgerline, "northwind": northwind, "quiet": quiet}


def scores_on_dashboard(page: str) -> dict[str, str]:
    section = page[page.index('id="standings"') :]
    return dict(
        re.findall(
            r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>\s*<td class="num">([^<]*)<', section
        )
    )


def scores_on_scorecards(page: str) -> dict[str, str]:
    return {
        name: score.strip()
        for name, score in re.findall(
            r'data-label="Provider"><a href="[^"]+">([^<]+)</a></th>\s*'
            r'<td data-label="Overall" class="num">([^<]*)',
            page,
        )
    }


@pytest.mark.django_db
class TestOneStandings:
    def test_both_pages_default_to_this_quarter(self, org, owner, world):
        assert standings.default_period(org) == scorecards.quarter(2026, 4)
        client = client_for(owner)
        board = client.get(reverse("insights:dashboard", args=[org.slug])).text
        cards = client.get(reverse("insights:scorecards", args=[org.slug])).text
        assert 'Provider standings <span class="muted small">· Q4 2026' in board
        assert "Standings, Q4 2026" in cards

    def test_the_same_provider_shows_the_same_score_on_both_pages(self, org, owner, world):
        client = client_for(owner)
        board = scores_on_dashboard(client.get(reverse("insights:dashboard", args=[org.slug])).text)
        cards = scores_on_scorecards(
            client.get(reverse("insights:scorecards", args=[org.slug])).text
        )
        assert set(board) == set(cards) == {"Ledgerline", "Northwind", "Quiet", "Paid only"}
        for name in ("Ledgerline", "Northwind"):
            assert board[name] == cards[name] and board[name].endswith(" / 100"), name
        # This month alone would give Ledgerline another score: the default is not the month.
        month = scorecards.compute(
            Principal.system(org), scorecards.month(2026, 11), [world["ledgerline"].pk]
        )
        assert (
            scorecards.score_text(month[world["ledgerline"].pk].overall.value)
            != (board["Ledgerline"])
        )

    def test_the_same_providers_in_the_same_order(self, org, world):
        period = standings.default_period(org)
        ranked = standings.ranked(Principal.system(org), period)
        board, _ = dashboard.standings(Principal.system(org), TODAY, NOW)
        assert [(row.provider_id, row.name) for row in ranked] == [
            (row.provider_id, row.provider) for row in board
        ]
        assert [row.name for row in ranked][:2] == ["Ledgerline", "Northwind"]
        assert {row.name: row.overall for row in ranked}["Quiet"] is None
        assert "Never engaged" not in [row.name for row in ranked]

    def test_a_score_is_rounded_the_same_way_everywhere(self):
        assert scorecards.score_text(72.5) == "72 / 100"
        assert dashboard.Standing(1, "A", 72.5, 0.925, 4, "").score == "72 / 100"
        assert dashboard.Standing(1, "A", 72.5, 0.925, 4, "").on_time == "92%"

    def test_another_period_is_still_chosen_on_the_scorecards_page(self, org, owner, world):
        page = client_for(owner).get(
            reverse("insights:scorecards", args=[org.slug]), {"period": "month", "on": "2026-11-01"}
        )
        assert "Standings, November 2026" in page.text

    def test_the_dashboard_lists_the_lowest_among_providers_with_a_score(self, org):
        rows = [dashboard.Standing(n, f"P{n}", 100.0 - n, None, 0, "") for n in range(8)] + [
            dashboard.Standing(100 + n, f"Q{n}", None, None, 0, "") for n in range(5)
        ]
        best, lowest = dashboard.split_standings(rows)
        assert [rank for rank, _ in best] == [1, 2, 3, 4, 5]
        assert [rank for rank, _ in lowest] == [6, 7, 8]


@pytest.mark.django_db
def test_the_api_defaults_to_the_same_period(org, owner, world):
    client = api_client_for(owner, org)
    pk = world["ledgerline"].pk
    card = client.get(f"/api/v1/providers/{pk}/scorecard").json()
    assert (card["period"]["kind"], card["period"]["start"]) == ("quarter", "2026-10-01")
