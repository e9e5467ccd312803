"""Scorecard pages: every figure with its count or "no data", links to what is behind it, the
trend and the standings with a chart and a table, the weights for admins; outsiders get 404."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from handoff.decisions.models import BusinessFunction
from handoff.insights.models import InsightsSettings
from tests.conftest import client_for
from tests.factories import ProviderFactory
from tests.insights.conftest import delivered, engaged
from tests.insights.test_scorecards import build_world, engagement_for

MARCH = {"period": "month", "on": "2026-03-15"}


@pytest.fixture
def world(org, owner, manager):
    return build_world(org, owner, manager)


def scorecard_url(org, provider):
    return reverse("insights:provider_scorecard", args=[org.slug, provider.pk])


def test_the_scorecard_shows_each_figure_with_its_data_points(org, viewer, world):
    page = client_for(viewer).get(scorecard_url(org, world.provider), MARCH).content.decode()
    assert "Scorecard: Ledgerline Bookkeeping" in page and "March 2026" in page
    assert "On time" in page and "50%" in page
    assert "42.0 h" in page and "3.0 days" in page  # average and worst lateness
    assert "4.00 / 5" in page  # quality
    assert "$1,500.00" in page and "$1,550.00" in page and "$1,600.00" in page
    assert f"provider={world.provider.pk}&amp;due_from=2026-03-01&amp;due_to=2026-03-31" in page
    assert "<svg" in page and "<script" not in page.split("<main")[1]  # the trend chart
    assert "February 2026" in page  # the trend table


def test_an_empty_period_says_no_data_rather_than_a_score(org, viewer, world):
    page = (
        client_for(viewer)
        .get(scorecard_url(org, world.provider), {"period": "month", "on": "2025-06-01"})
        .content.decode()
    )
    assert "No data in this period" in page and page.count("no data") >= 13


def test_a_custom_range_and_a_bad_one(org, viewer, world):
    client = client_for(viewer)
    url = scorecard_url(org, world.provider)
    ok = client.get(url, {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"})
    assert ok.status_code == 200 and "Mar 1 – Mar 31, 2026" in ok.content.decode()
    bad = client.get(url, {"period": "custom", "from": "2026-03-31", "to": "2026-03-01"})
    assert bad.status_code == 422
    assert "The range ends before it starts." in bad.content.decode()


def test_the_links_open_the_lists_filtered_to_the_figure(org, viewer, world):
    client = client_for(viewer)
    tasks = client.get(
        reverse("work:tasks", args=[org.slug]),
        {
            "tab": "all",
            "provider": world.provider.pk,
            "due_from": "2026-03-01",
            "due_to": "2026-03-31",
        },
    ).content.decode()
    # T1–T7 are due in March (T5 is cancelled but listed); T8 is due in April.
    assert all(f">T{n}<" in tasks for n in range(1, 8)) and ">T8<" not in tasks
    issues = client.get(
        reverse("work:issues", args=[org.slug]),
        {
            "view": "all",
            "provider": world.provider.pk,
            "raised_from": "2026-03-01",
            "raised_to": "2026-03-14",
        },
    ).content.decode()
    assert ">I1<" in issues and ">I2<" in issues and ">I3<" not in issues
    payments = client.get(
        reverse("payables:payments", args=[org.slug]),
        {"provider": world.provider.pk, "paid_from": "2026-03-01", "paid_to": "2026-03-31"},
    ).content.decode()
    assert "1,000.00" in payments and "500.00" in payments and "700.00" not in payments


def test_the_provider_page_card(org, viewer, world):
    card = client_for(viewer).get(
        reverse("insights:provider_scorecard_card", args=[org.slug, world.provider.pk])
    )
    assert card.status_code == 200 and "Full scorecard and trend" in card.content.decode()
    detail = client_for(viewer).get(reverse("providers:detail", args=[org.slug, world.provider.pk]))
    assert reverse("insights:provider_scorecard_card", args=[org.slug, world.provider.pk]) in (
        detail.content.decode()
    )


def test_providers_of_one_function_side_by_side(org, viewer, world):
    rival = ProviderFactory(organization=org, name="Northwind Books")
    engagement_for(org, rival)
    bookkeeping = BusinessFunction.objects.get(organization=org, name="Bookkeeping")
    page = (
        client_for(viewer)
        .get(reverse("insights:scorecard_compare", args=[org.slug, bookkeeping.pk]), MARCH)
        .content.decode()
    )
    assert "Bookkeeping: providers side by side" in page
    assert page.index("Ledgerline Bookkeeping") < page.index("Northwind Books")
    assert "64 / 100" in page and "<svg" in page
    standings = client_for(viewer).get(reverse("insights:scorecards", args=[org.slug]), MARCH)
    assert "Northwind Books" in standings.content.decode()


def test_admins_set_the_weights_and_bad_ones_change_nothing(org, admin, manager):
    url = reverse("insights:scorecard_weights", args=[org.slug])
    assert client_for(manager).get(url).status_code == 403
    client = client_for(admin)
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "on_time": "-1",
            "turnaround": "2",
            "rework": "2",
            "quality": "2",
            "responses": "1",
            "checkins": "1",
            "spend": "1",
        },
    )
    assert bad.status_code == 422 and "cannot be negative" in bad.content.decode()
    zeros = client.post(
        url,
        dict.fromkeys(
            ("on_time", "turnaround", "rework", "quality", "responses", "checkins", "spend"), "0"
        ),
    )
    assert zeros.status_code == 422 and "above zero" in zeros.content.decode()
    assert not InsightsSettings.objects.filter(organization=org).exists()
    good = client.post(
        url,
        {
            "on_time": "5",
            "turnaround": "0",
            "rework": "1",
            "quality": "1",
            "responses": "1",
            "checkins": "1",
            "spend": "0.5",
        },
    )
    assert good.status_code == 302
    assert InsightsSettings.objects.get(organization=org).weights["on_time"] == 5


@pytest.mark.parametrize(
    "name", ["provider_scorecard", "provider_scorecard_card", "scorecard_compare"]
)
def test_another_organizations_rows_are_404(org, world, outsider, other_org, name):
    pk = world.provider.pk
    if name == "scorecard_compare":
        pk = BusinessFunction.objects.get(organization=org, name="Bookkeeping").pk
    assert (
        client_for(outsider).get(reverse(f"insights:{name}", args=[org.slug, pk])).status_code
        == 404
    )
    assert (
        client_for(outsider).get(reverse(f"insights:{name}", args=[other_org.slug, pk])).status_code
        == 404
    )


def test_outsiders_do_not_see_the_standings_or_weights(org, outsider, other_org):
    for name in ("scorecards", "scorecard_weights"):
        assert (
            client_for(outsider).get(reverse(f"insights:{name}", args=[org.slug])).status_code
            == 404
        )


class TestStandingsPages:
    """28 engaged providers: 26 with every task on time (100, so by name), one with every task
    late (0) and one without work in March (no data, last): two pages of 25."""

    @pytest.fixture
    def standings(self, org):
        due = datetime(2026, 3, 10, 12, tzinfo=ZoneInfo("America/Chicago"))
        for n in range(1, 27):
            delivered(engaged(org, f"Provider {n:02d}"), due, on_time=1)
        delivered(engaged(org, "Aardvark Late"), due, late=1)
        engaged(org, "Abacus Idle")
        return reverse("insights:scorecards", args=[org.slug])

    @staticmethod
    def ranked(page: str) -> list[tuple[int, str]]:
        return [
            (int(rank), name)
            for rank, name in re.findall(
                r'data-label="Rank" class="num">(\d+)</td>\s*'
                r'<th scope="row" data-label="Provider"><a [^>]*>([^<]+)</a>',
                page,
            )
        ]

    @staticmethod
    def chart(page: str) -> str:
        return page[page.index("<svg") : page.index("</svg>")]

    def test_the_first_page_shows_the_best_25(self, org, viewer, standings):
        page = client_for(viewer).get(standings, MARCH).content.decode()
        assert self.ranked(page) == [(n, f"Provider {n:02d}") for n in range(1, 26)]
        assert "Providers 1–25 of 28" in page
        assert "Provider 26" not in page and "Aardvark Late" not in page

    def test_page_two_ranks_over_the_whole_list_and_charts_its_own_rows(
        self, org, viewer, standings
    ):
        page = client_for(viewer).get(standings, {**MARCH, "page": 2}).content.decode()
        assert self.ranked(page) == [
            (26, "Provider 26"),
            (27, "Aardvark Late"),
            (28, "Abacus Idle"),
        ]
        assert "Providers 26–28 of 28" in page
        chart = self.chart(page)
        assert "Provider 26" in chart and "Aardvark Late" in chart
        assert "Provider 01" not in chart and "Abacus Idle" not in chart

    def test_the_page_links_keep_the_period(self, org, viewer, standings):
        client = client_for(viewer)
        first = client.get(standings, MARCH).content.decode()
        assert 'href="?period=month&amp;on=2026-03-01&amp;page=2">Next page' in first
        second = client.get(standings, {**MARCH, "page": 2}).content.decode()
        assert 'href="?period=month&amp;on=2026-03-01&amp;page=1">← Previous page' in second
        assert "Next page" not in second
        custom = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}
        ranged = client.get(standings, custom).content.decode()
        assert "?period=custom&amp;from=2026-03-01&amp;to=2026-03-31&amp;page=2" in ranged

    @pytest.mark.parametrize(
        ("value", "first_rank"), [("x", 1), ("999", 26), ("0", 26), ("-1", 26), ("", 1)]
    )
    def test_a_bad_page_number_shows_a_page_rather_than_an_error(
        self, org, viewer, standings, value, first_rank
    ):
        response = client_for(viewer).get(standings, {**MARCH, "page": value})
        assert response.status_code == 200
        assert self.ranked(response.content.decode())[0][0] == first_rank

    def test_one_function_side_by_side_is_paged_the_same_way(self, org, viewer, standings):
        bookkeeping = BusinessFunction.objects.get(organization=org, name="Bookkeeping")
        url = reverse("insights:scorecard_compare", args=[org.slug, bookkeeping.pk])
        page = client_for(viewer).get(url, {**MARCH, "page": 2}).content.decode()
        assert [rank for rank, _ in self.ranked(page)] == [26, 27, 28]
        assert "Providers 26–28 of 28" in page


def test_the_card_of_a_calendar_period_is_the_trends_last_point(org, viewer, world, monkeypatch):
    """The trend ends with the period asked for, so the page reads the figures once; a custom
    range is no trend period and is computed on its own."""
    from handoff.insights import scorecards

    computed = []
    compute = scorecards.compute
    monkeypatch.setattr(
        scorecards, "compute", lambda *a, **k: computed.append(a[1]) or compute(*a, **k)
    )
    client = client_for(viewer)
    march = client.get(scorecard_url(org, world.provider), MARCH).content.decode()
    assert computed == [] and "50%" in march
    client.get(
        scorecard_url(org, world.provider),
        {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"},
    )
    assert [period.label for period in computed] == ["Mar 1 – Mar 31, 2026"]
