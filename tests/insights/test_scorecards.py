"""Scorecards: a small record worked out by hand, figure by figure; no data gives no figures;
and the number of queries does not grow with the number of providers."""

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from handoff.core.principal import Principal
from handoff.decisions.models import Analysis, BusinessFunction, Decision
from handoff.engagements.models import Engagement, EngagementFunction, ServiceLevel
from handoff.insights import checkins, rollup, scorecards
from handoff.insights.models import CheckIn, CheckInRound, InsightsSettings
from handoff.payables.models import Payment
from handoff.work import hooks
from handoff.work.models import Issue, Task
from handoff.work.services import suggest_due
from tests.factories import ContactFactory, ProviderFactory, UserFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
MARCH = scorecards.month(2026, 3)
NOW = datetime(2026, 4, 10, 12, 0, tzinfo=CHICAGO)


def local(month, day, hour=17, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


def engagement_for(org, provider, *, function=None, start=date(2026, 1, 1)):
    engagement = Engagement.objects.create(
        organization=org,
        provider=provider,
        title=f"Work with {provider.name}",
        amount=Decimal("1000.00"),
        start_date=start,
        status="active",
    )
    function = (
        function or BusinessFunction.objects.get_or_create(organization=org, name="Bookkeeping")[0]
    )
    EngagementFunction.objects.create(organization=org, engagement=engagement, function=function)
    return engagement


def task(engagement, title, due, *, status="accepted", delivered=None, first=None, **extra):
    created_at = extra.pop("created_at", due - timedelta(days=7))
    created = Task.objects.create(
        organization=engagement.organization,
        engagement=engagement,
        title=title,
        due_at=due,
        status=status,
        delivered_at=delivered,
        first_delivered_at=first or delivered,
        created_at=created_at,
        # What create_task keeps: the kind's service level counted from when it was sent.
        turnaround_due_at=suggest_due(
            Principal.system(engagement.organization), engagement, extra.get("kind", ""), created_at
        ),
        **extra,
    )
    hooks.task_changed(created)  # as the work services do after every write
    return created


def issue(engagement, title, raised, **extra):
    return Issue.objects.create(
        organization=engagement.organization,
        engagement=engagement,
        title=title,
        raised_at=raised,
        raised_side=extra.pop("side", "us"),
        **extra,
    )


def pay(provider, paid_on, amount):
    return Payment.objects.create(
        organization=provider.organization,
        provider=provider,
        paid_on=paid_on,
        amount=Decimal(amount),
        method="ach",
    )


def check_in(provider, answered, comfortable, clear, responsive, recommend, *, respondent):
    org = provider.organization
    round_, _ = CheckInRound.objects.get_or_create(
        organization=org,
        provider=provider,
        period_start=date(answered.year, answered.month, 1),
        defaults={"period_end": date(answered.year, answered.month, 28)},
    )
    return CheckIn.objects.create(
        organization=org,
        round=round_,
        provider=provider,
        respondent=respondent,
        token_hash=CheckIn.hash(secrets.token_hex(8)),
        expires_at=answered + timedelta(days=14),
        sent_at=answered - timedelta(days=1),
        answered_at=answered,
        comfortable=comfortable,
        clear=clear,
        responsive=responsive,
        recommend=recommend,
    )


def plan(org, provider, function, *, planned, in_house, starts):
    analysis = Analysis.objects.create(
        organization=org, function=function, volume_unit="invoice", monthly_volume=100
    )
    return Decision.objects.create(
        organization=org,
        analysis=analysis,
        function=function,
        chosen_option="quote",
        provider=provider,
        option_name=provider.name,
        planned_annual_cost=Decimal(planned),
        in_house_annual_cost=Decimal(in_house),
        plan_starts_on=starts,
        reason="Cheaper and faster.",
    )


@dataclass
class World:
    provider: object
    engagement: object


def build_world(org, owner, manager, name="Ledgerline Bookkeeping") -> World:
    """The record of March 2026 worked out by hand in the test below (organization time zone
    America/Chicago; 'now' is April 10)."""
    provider = ProviderFactory(organization=org, name=name)
    engagement = engagement_for(org, provider)
    ServiceLevel.objects.create(
        organization=org,
        engagement=engagement,
        task_kind="Invoice batch",
        rule="business_days",
        business_days=2,
    )
    # T1 on time, accepted, rated 5.
    task(engagement, "T1", local(3, 5), delivered=local(3, 5, 15), quality_rating=5)
    # T2 delivered first on Mar 9, returned once, delivered again 12 hours late; rated 3.
    task(
        engagement,
        "T2",
        local(3, 10),
        delivered=local(3, 11, 5),
        first=local(3, 9, 10),
        returns=1,
        quality_rating=3,
    )
    # T3 delivered 72 hours late, not accepted yet.
    task(engagement, "T3", local(3, 20), status="delivered", delivered=local(3, 23))
    # T4 still in progress on April 10: overdue, so late (no lateness: not delivered).
    task(engagement, "T4", local(3, 25), status="in_progress")
    # T5 cancelled: not counted anywhere.
    task(engagement, "T5", local(3, 28), status="cancelled")
    # T6 an invoice batch sent Thursday Mar 26 09:00: 2 business days → Monday Mar 30 17:00;
    # delivered Monday 16:00 — within the turnaround and on time; rated 4.
    task(
        engagement,
        "T6",
        local(3, 30),
        delivered=local(3, 30, 16),
        kind="Invoice batch",
        created_at=local(3, 26, 9),
        quality_rating=4,
    )
    # T7 an invoice batch sent Monday Mar 2 09:00 (turnaround: Wednesday Mar 4 17:00) with a
    # later due date; delivered Friday Mar 6: on time, but not within the turnaround.
    task(
        engagement,
        "T7",
        local(3, 31),
        delivered=local(3, 6, 10),
        kind="Invoice batch",
        created_at=local(3, 2, 9),
    )
    # T8 due in April: another period.
    task(engagement, "T8", local(4, 2), delivered=local(4, 1))

    # I1 answered within its target.
    issue(
        engagement,
        "I1",
        local(3, 3, 10),
        respond_by=local(3, 3, 14),
        first_response_at=local(3, 3, 12),
        status="responded",
    )
    # I2 climbed twice before an answer: missed, 2 escalations.
    issue(
        engagement,
        "I2",
        local(3, 12, 9),
        respond_by=local(3, 12, 19),
        escalated_at=local(3, 12, 15),
        level=2,
        first_response_at=local(3, 12, 18),
        status="responded",
    )
    # I3 never answered, its target long gone (no ladder to climb): missed.
    issue(engagement, "I3", local(3, 15, 9), respond_by=local(3, 16, 17))
    # I4 has no response target: raised, but not counted for responses.
    issue(engagement, "I4", local(3, 20, 9))
    # I5 raised by the provider about us: not the provider's record.
    issue(engagement, "I5", local(3, 21, 9), side="provider", respond_by=local(3, 21, 10))

    pay(provider, date(2026, 2, 28), "700.00")
    pay(provider, date(2026, 3, 5), "1000.00")
    pay(provider, date(2026, 3, 20), "500.00")
    pay(provider, date(2026, 4, 1), "900.00")
    # 18,250 a year planned is 50 a day; the in-house baseline of 36,500 is 100 a day.
    bookkeeping = BusinessFunction.objects.get(organization=org, name="Bookkeeping")
    plan(org, provider, bookkeeping, planned="18250", in_house="36500", starts=date(2026, 1, 1))

    check_in(provider, local(3, 31, 10), 5, 4, 4, 5, respondent=owner)
    check_in(provider, local(3, 31, 11), 3, 4, 2, 3, respondent=manager)
    return World(provider, engagement)


def figures(card):
    return {key: (card[key].value, card[key].count) for key in (*scorecards.FIGURES, "overall")}


def test_a_month_of_work_scores_as_worked_out_by_hand(org, owner, manager):
    world = build_world(org, owner, manager)
    card = scorecards.compute(Principal.system(org), MARCH, [world.provider.pk], now=NOW)[
        world.provider.pk
    ]
    got = figures(card)
    # Counted for on time: T1, T2, T3, T4 (overdue), T6, T7 = 6; on time: T1, T6, T7 = 3.
    assert got["on_time"] == (0.5, 6)
    # Late deliveries: T2 12 h and T3 72 h: average 42 h, worst 72 h.
    assert got["lateness_avg"] == (42.0, 2)
    assert got["lateness_worst"] == (72.0, 2)
    # Service-level tasks delivered: T6 (within), T7 (not): 1 / 2.
    assert got["turnaround"] == (0.5, 2)
    # Delivered at least once: T1, T2, T3, T6, T7 = 5; returned: T2 → 1 / 5.
    assert got["rework"] == (0.2, 5)
    # Accepted with a rating: 5, 3, 4 → 4.0.
    assert got["quality"] == (4.0, 3)
    # Ours raised: I1–I4 = 4; with a known outcome against a target: I1, I2, I3; in time: I1.
    assert got["issues_raised"] == (4, 4)
    assert got["responses"][1] == 3 and round(got["responses"][0], 4) == 0.3333
    assert got["escalations"] == (2, 4)
    # Check-ins: comfortable (5+3)/2 = 4, clear 4, responsive 3, recommend 4 → 3.75.
    assert got["checkins"] == (3.75, 2)
    assert card.checkin_questions == {
        "comfortable": 4.0,
        "clear": 4.0,
        "responsive": 3.0,
        "recommend": 4.0,
    }
    # Spend: 1,000 + 500; plan 31 days × 50 = 1,550; savings 31 × 100 − 1,500 = 1,600.
    assert got["spend"] == (Decimal("1500.00"), 2)
    assert got["plan"] == (Decimal("1550.00"), 1)
    assert got["savings"] == (Decimal("1600.00"), 2)
    # Overall, default weights: on time 0.5 × 3 + turnaround 0.5 × 2 + rework 0.8 × 2
    # + quality 0.75 × 2 + responses 0.3333 × 1 + check-ins 0.6875 × 1 + spend (under plan)
    # 1 × 1 = 7.6208 over 12 → 63.5, from 7 figures.
    assert got["overall"] == (63.5, 7)


def test_turnaround_counts_the_promise_kept_on_the_task(org, owner, manager):
    world = build_world(org, owner, manager)
    # The service level is tightened after the fact: T6 and T7 keep the promise made when
    # they were sent, so the figure does not change.
    ServiceLevel.objects.filter(engagement=world.engagement).update(business_days=0)
    card = scorecards.compute(Principal.system(org), MARCH, [world.provider.pk], now=NOW)[
        world.provider.pk
    ]
    assert (card["turnaround"].value, card["turnaround"].count) == (0.5, 2)
    # A task kept without a promise (no service level when it was sent) is not counted; one
    # whose first delivery came by its promise is within, whatever its due date.
    task(world.engagement, "T9", local(3, 18), delivered=local(3, 17), kind="Invoice batch")
    Task.objects.filter(title="T9").update(turnaround_due_at=None)
    task(world.engagement, "T10", local(3, 19), delivered=local(3, 19), kind="Invoice batch")
    Task.objects.filter(title="T10").update(turnaround_due_at=local(3, 19, 12))
    task(world.engagement, "T11", local(3, 19), delivered=local(3, 19, 8), kind="Invoice batch")
    Task.objects.filter(title="T11").update(turnaround_due_at=local(3, 19, 12))
    rollup.mark_all(Task.objects.filter(title__in=["T9", "T10", "T11"]))  # update() marks nothing
    card = scorecards.compute(Principal.system(org), MARCH, [world.provider.pk], now=NOW)[
        world.provider.pk
    ]
    # T6 within, T7 not, T10 not (17:00 after 12:00), T11 within: 2 / 4.
    assert (card["turnaround"].value, card["turnaround"].count) == (0.5, 4)


def test_every_figure_links_to_the_rows_behind_it(org, owner, manager):
    world = build_world(org, owner, manager)
    card = scorecards.compute(Principal.system(org), MARCH, [world.provider.pk], now=NOW)[
        world.provider.pk
    ]
    pk = world.provider.pk
    assert card["on_time"].url == (
        f"/o/acme/tasks/?tab=all&provider={pk}&due_from=2026-03-01&due_to=2026-03-31"
    )
    assert "status=accepted" in card["quality"].url
    assert "raised_from=2026-03-01" in card["responses"].url
    assert "paid_to=2026-03-31" in card["spend"].url


def test_a_period_without_data_has_no_figures_and_no_score(org, owner, manager):
    world = build_world(org, owner, manager)
    empty = scorecards.month(2025, 6)
    card = scorecards.compute(Principal.system(org), empty, [world.provider.pk], now=NOW)[
        world.provider.pk
    ]
    for key in (*scorecards.FIGURES, "overall"):
        assert card[key].value is None, key
        assert card[key].count == 0, key
    assert not card.has_data


def test_a_provider_with_nothing_but_an_engagement_gets_no_perfect_score(org):
    provider = ProviderFactory(organization=org)
    engagement_for(org, provider)
    card = scorecards.compute(Principal.system(org), MARCH, [provider.pk], now=NOW)[provider.pk]
    assert card.overall.value is None and card.overall.count == 0


def test_spend_and_check_ins_alone_make_no_overall_score(org, manager):
    provider = ProviderFactory(organization=org)
    engagement_for(org, provider)
    bookkeeping = BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping")
    plan(org, provider, bookkeeping, planned="36500", in_house="73000", starts=date(2026, 1, 1))
    pay(provider, date(2026, 3, 5), "1000.00")
    check_in(provider, local(3, 20), 5, 5, 5, 5, respondent=manager)
    card = scorecards.compute(Principal.system(org), MARCH, [provider.pk], now=NOW)[provider.pk]
    assert card["spend"].has_data and card["checkins"].has_data
    # Under plan and well liked, but no delivered or overdue task: no score, not 100.
    assert card.overall.value is None and card.overall.count == 0


def test_weights_renormalise_over_the_figures_with_data(org, owner, manager):
    world = build_world(org, owner, manager)
    InsightsSettings.objects.create(
        organization=org,
        weights={
            "on_time": 1,
            "quality": 1,
            "turnaround": 0,
            "rework": 0,
            "responses": 0,
            "checkins": 0,
            "spend": 0,
        },
    )
    card = scorecards.compute(Principal.system(org), MARCH, [world.provider.pk], now=NOW)[
        world.provider.pk
    ]
    # (0.5 × 1 + 0.75 × 1) / 2 = 0.625 → 62.5 from 2 figures.
    assert (card.overall.value, card.overall.count) == (62.5, 2)


def test_check_ins_are_the_rows_the_check_in_pages_count_as_ours(org, owner, manager):
    world = build_world(org, owner, manager)
    provider = world.provider
    contact = ContactFactory(organization=org, provider=provider)
    # The provider's own view of working with us, and a check-in sent but not answered: the
    # check-in pages show the first apart and count neither among our members' answers.
    theirs = check_in(provider, local(3, 30, 10), 1, 1, 1, 1, respondent=None)
    CheckIn.objects.filter(pk=theirs.pk).update(contact=contact)
    unanswered = check_in(provider, local(3, 29, 10), 1, 1, 1, 1, respondent=UserFactory())
    CheckIn.objects.filter(pk=unanswered.pk).update(answered_at=None)
    card = scorecards.compute(Principal.system(org), MARCH, [provider.pk], now=NOW)[provider.pk]
    ours = checkins.summary(Principal.system(org), MARCH.start, MARCH.end)[provider.pk].ours
    assert (card["checkins"].value, card["checkins"].count) == (ours.overall, ours.count)
    assert ours.count == 2 and ours.overall == 3.75
    assert card.checkin_questions == {q: getattr(ours, q) for q in scorecards.CHECKIN_QUESTIONS}


def test_reading_the_whole_organization_gives_the_same_cards(org, owner, manager):
    world = build_world(org, owner, manager)
    idle = ProviderFactory(organization=org)  # engaged, nothing in March
    engagement_for(org, idle)
    ids = [world.provider.pk, idle.pk]
    picked = scorecards.compute(Principal.system(org), MARCH, ids, now=NOW)
    whole = scorecards.compute(Principal.system(org), MARCH, ids, now=NOW, read_whole_org=True)
    assert list(picked) == list(whole) == ids
    for pk in ids:
        assert figures(picked[pk]) == figures(whole[pk])
    assert not whole[idle.pk].has_data and whole[idle.pk].overall.value is None
    # One provider alone is read by other queries (its plans' functions in a subquery).
    alone = scorecards.compute(Principal.system(org), MARCH, [world.provider.pk], now=NOW)[
        world.provider.pk
    ]
    assert figures(alone) == figures(whole[world.provider.pk])
    assert alone["plan"].value == Decimal("1550.00")


def test_a_figure_asked_for_alone_is_the_cards_figure(org, owner, manager):
    world = build_world(org, owner, manager)
    cards = scorecards.compute(Principal.system(org), MARCH, now=NOW)
    card = cards[world.provider.pk]
    alone = {key: card[key] for key in scorecards.FIGURES}  # made one at a time
    bare = {key: card.value_and_count(key) for key in scorecards.FIGURES}  # none made
    assert alone == card.figures  # all made at once, in order
    assert bare == {key: (f.value, f.count) for key, f in card.figures.items()}
    assert list(card.figures) == list(scorecards.FIGURES)
    assert str(scorecards.PROVIDER_SLOT) not in "".join(f.url for f in card.figures.values())
    assert f"provider={world.provider.pk}" in card["on_time"].url


def test_compute_is_a_pure_read(org, owner, manager):
    world = build_world(org, owner, manager)
    first = scorecards.compute(Principal.system(org), MARCH, [world.provider.pk], now=NOW)
    second = scorecards.compute(Principal.system(org), MARCH, [world.provider.pk], now=NOW)
    assert figures(first[world.provider.pk]) == figures(second[world.provider.pk])


def test_other_organizations_records_never_count(org, owner, manager, other_org, outsider):
    world = build_world(org, owner, manager)
    stranger = build_world(other_org, outsider, UserFactory(), name="Elsewhere Books")
    cards = scorecards.compute(Principal.system(org), MARCH, now=NOW)
    assert set(cards) == {world.provider.pk}
    assert stranger.provider.pk not in cards


def _providers_with_records(org, count):
    ids = []
    for n in range(count):
        provider = ProviderFactory(organization=org)
        engagement = engagement_for(org, provider)
        ServiceLevel.objects.create(
            organization=org,
            engagement=engagement,
            task_kind="Batch",
            rule="business_days",
            business_days=2,
        )
        task(engagement, f"A{n}", local(3, 10), delivered=local(3, 9), kind="Batch")
        task(engagement, f"B{n}", local(3, 12), delivered=local(3, 13), quality_rating=4)
        issue(engagement, f"I{n}", local(3, 3), respond_by=local(3, 4))
        pay(provider, date(2026, 3, 2), "100.00")
        ids.append(provider.pk)
    return ids


def _queries(org, ids) -> int:
    rollup.refresh(org)  # the tasks' months counted once, as the first read after a change does
    with CaptureQueriesContext(connection) as captured:
        cards = scorecards.compute(Principal.system(org), MARCH, ids, now=NOW)
    assert all(card["on_time"].count == 2 for card in cards.values())
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_number_of_providers(org):
    few = _providers_with_records(org, 2)
    many = few + _providers_with_records(org, 18)
    assert _queries(org, few) == _queries(org, many)
    assert _queries(org, many) <= 12


def test_periods_in_the_organizations_time_zone():
    assert scorecards.quarter(2026, 1) == scorecards.Period(
        date(2026, 1, 1), date(2026, 3, 31), "Q1 2026", "quarter"
    )
    assert scorecards.period_of("quarter", date(2026, 11, 5)).label == "Q4 2026"
    assert scorecards.month(2024, 2).end == date(2024, 2, 29)
    start, end = MARCH.bounds(CHICAGO)
    assert start.isoformat() == "2026-03-01T00:00:00-06:00"
    assert end.isoformat() == "2026-04-01T00:00:00-05:00"  # daylight saving began Mar 8
    back = scorecards.periods_back("month", 3, until=date(2026, 1, 15))
    assert [p.label for p in back] == ["November 2025", "December 2025", "January 2026"]
    assert scorecards.custom(date(2026, 1, 1), date(2026, 2, 3)).previous() == (
        scorecards.custom(date(2025, 11, 28), date(2025, 12, 31))
    )


def test_today_decides_the_current_period_in_the_organizations_zone(org):
    # 03:00 UTC on April 1 is still March 31 in Chicago.
    now = datetime(2026, 4, 1, 3, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert scorecards.current(org, "month", now) == MARCH


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "week"}, "period"),
        ({"period": "custom", "to": "2026-01-01"}, "from"),
        ({"period": "custom", "from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"period": "custom", "from": "yesterday", "to": "2026-01-01"}, "from"),
        ({"period": "month", "on": "2026-13-01"}, "on"),
    ],
)
def test_a_bad_period_says_which_field_and_why(org, params, field):
    with pytest.raises(ValidationError) as error:
        scorecards.parse_period(org, params)
    assert field in error.value.message_dict


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"on_time": -1}, "on_time"),
        ({"on_time": "lots"}, "on_time"),
        ({key: 0 for key in scorecards.SCORED}, "weights"),
        ({"speed": 1}, "weights"),
        ([], "weights"),
    ],
)
def test_weights_are_non_negative_numbers_not_all_zero(weights, field):
    with pytest.raises(ValidationError) as error:
        scorecards.clean_weights(weights)
    assert field in error.value.message_dict


def test_missing_weights_take_the_defaults():
    assert (
        scorecards.clean_weights({"on_time": 5})["quality"] == scorecards.DEFAULT_WEIGHTS["quality"]
    )
