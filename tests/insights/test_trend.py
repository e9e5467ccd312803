"""A provider's trend: the same figures as the scorecards, for several periods at once."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handoff.core.principal import Principal
from handoff.insights import rollup, scorecards
from tests.insights.test_scorecards import NOW, build_world, local, task


def test_each_period_of_the_trend_matches_its_own_scorecard(org, owner, manager):
    world = build_world(org, owner, manager)
    pk = world.provider.pk
    # An on-time February task, so that February has a record of its own.
    task(world.engagement, "Feb", local(2, 10), delivered=local(2, 9), quality_rating=2)
    months = scorecards.trend(
        Principal.system(org), pk, "month", 4, until=date(2026, 4, 10), now=NOW
    )
    # Nothing before the first task (Feb 10) or payment (Feb 28): January is skipped.
    assert [period.label for period, _ in months] == ["February 2026", "March 2026", "April 2026"]
    for period, card in months:
        alone = scorecards.compute(Principal.system(org), period, [pk], now=NOW)[pk]
        for key in (*scorecards.FIGURES, "overall"):
            assert (card[key].value, card[key].count) == (alone[key].value, alone[key].count), (
                period.label,
                key,
            )
    march = months[1][1]
    assert (march["on_time"].value, march["on_time"].count) == (0.5, 6)
    assert march["checkins"].value == 3.75
    assert (months[0][1]["quality"].value, months[0][1]["spend"].value) == (2.0, 700)


def test_quarters_and_years(org, owner, manager):
    world = build_world(org, owner, manager)
    quarters = scorecards.trend(
        Principal.system(org), world.provider.pk, "quarter", 2, until=date(2026, 4, 10), now=NOW
    )
    assert [period.label for period, _ in quarters] == ["Q1 2026", "Q2 2026"]
    q1 = quarters[0][1]
    # Q1 adds February's payment of 700: 1,500 + 700; T8 (April) is in Q2.
    assert q1["spend"].value == 2200 and q1["on_time"].count == 6
    assert quarters[1][1]["on_time"].count == 1
    years = scorecards.trend(
        Principal.system(org), world.provider.pk, "year", 3, until=date(2026, 4, 10), now=NOW
    )
    assert [period.label for period, _ in years] == ["2026"]


def _trend_queries(org, pk, count) -> int:
    rollup.refresh(org)  # the tasks' months counted once, as the first read after a change does
    with CaptureQueriesContext(connection) as captured:
        scorecards.trend(
            Principal.system(org), pk, "month", count, until=date(2026, 4, 10), now=NOW
        )
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_number_of_periods(org, owner, manager):
    world = build_world(org, owner, manager)
    for month in range(1, 13):
        task(
            world.engagement,
            f"2025-{month}",
            local(2, 1).replace(year=2025, month=month),
            delivered=local(2, 1).replace(year=2025, month=month),
        )
    assert _trend_queries(org, world.provider.pk, 2) == _trend_queries(org, world.provider.pk, 16)


def test_a_quiet_period_after_earlier_work_is_kept_with_no_data(org, owner, manager):
    world = build_world(org, owner, manager)  # February's payment, March's work, April's T8
    pk = world.provider.pk
    task(world.engagement, "Dec", local(2, 10).replace(year=2025, month=12), delivered=None)
    rollup.refresh(org)
    with CaptureQueriesContext(connection) as quiet_first:
        months = scorecards.trend(
            Principal.system(org), pk, "month", 2, until=date(2026, 2, 10), now=NOW
        )
    # January had no work and no payment, but December did: January stays, without them.
    assert [period.label for period, _ in months] == ["January 2026", "February 2026"]
    january, february = months[0][1], months[1][1]
    assert january["on_time"].count == 0 and january["spend"].value is None
    assert february["spend"].value == 700
    with CaptureQueriesContext(connection) as busy_first:
        scorecards.trend(Principal.system(org), pk, "month", 2, until=date(2026, 3, 10), now=NOW)
    # With work in its first period the trend need not ask what came before.
    assert len(busy_first) == len(quiet_first) - 1


def test_a_provider_without_any_record_has_no_trend(org):
    from tests.factories import ProviderFactory

    assert (
        scorecards.trend(Principal.system(org), ProviderFactory(organization=org).pk, "month", 6)
        == []
    )


@pytest.mark.parametrize(("kind", "count"), [("custom", 3), ("month", 0), ("month", 99)])
def test_a_trend_needs_a_calendar_period_and_a_sensible_length(org, kind, count):
    with pytest.raises(ValidationError):
        scorecards.trend(Principal.system(org), 1, kind, count)
