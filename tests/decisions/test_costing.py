"""The make-or-buy arithmetic, with worked examples computed by hand (the working is in the
comments) and properties that must hold for any figures."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from handoff.decisions.costing import (
    Basis,
    FreedLine,
    Hours,
    InHouse,
    InHouseCost,
    PayrollTaxRates,
    Quote,
    Role,
    Tier,
    TierRow,
    Whose,
    break_even_factor,
    compare_quote,
    employer_payroll_taxes,
    hours_a_year,
    in_house_cost,
    payback_months,
    quantity_for_cost,
    quote_cost,
    role_cost,
    sensitivity,
    tier_table_problems,
    tiered_cost,
    tiers_from_table,
)

# 2026 (taxes-and-reporting.md): Social Security 6.2% up to $184,500; Medicare 1.45%;
# FUTA 0.6% net on the first $7,000. Ohio's state unemployment wage base is $9,000.
RATES_2026 = PayrollTaxRates(
    social_security_rate=D("0.062"),
    social_security_wage_base=D("184500"),
    medicare_rate=D("0.0145"),
    federal_unemployment_rate=D("0.006"),
    federal_unemployment_wage_base=D("7000"),
)
OHIO_2026 = replace(
    RATES_2026, state_unemployment_rate=D("0.027"), state_unemployment_wage_base=D("9000")
)

BOOKKEEPER = Role(
    annual_salary=D("52000"),
    benefits_load=D("0.243"),
    overhead_per_person=D("3000"),
    recruiting_cost=D("4000"),
    training_cost=D("2000"),
    expected_tenure_years=D("3"),
)


def in_house_of(total: D, hours: D = D(0), rate: D = D(0)) -> InHouseCost:
    freed = (FreedLine(Whose.STAFF, hours, rate, Basis.DERIVED, Basis.SET_RATE),) if hours else ()
    return InHouseCost(
        roles=(),
        manager=D(0),
        total=total,
        staff_hours=hours,
        manager_hours=D(0),
        complete=True,
        freed=freed,
    )


def monthly(amount) -> Hours:
    return Hours(D(amount), "month")


class TestPayrollTaxes:
    def test_below_every_wage_base_but_futas(self):
        # Social Security 6.2% × 52,000 = 3,224.00
        # Medicare 1.45% × 52,000 = 754.00
        # FUTA 0.6% × the first 7,000 = 42.00
        # Total 3,224 + 754 + 42 = 4,020.00
        taxes = employer_payroll_taxes(D("52000"), RATES_2026)
        assert (taxes.social_security, taxes.medicare, taxes.federal_unemployment) == (
            D("3224.00"),
            D("754.00"),
            D("42.00"),
        )
        assert taxes.total == D("4020.00")

    def test_above_the_social_security_wage_base(self):
        # Social Security stops at the base: 6.2% × 184,500 = 11,439.00
        # Medicare has no cap: 1.45% × 200,000 = 2,900.00
        # FUTA 42.00; Ohio 2.7% × the first 9,000 = 243.00
        # Total 11,439 + 2,900 + 42 + 243 = 14,624.00
        taxes = employer_payroll_taxes(D("200000"), OHIO_2026)
        assert taxes.social_security == D("11439.000")
        assert taxes.medicare == D("2900.0000")
        assert taxes.state_unemployment == D("243.000")
        assert taxes.total == D("14624.00")

    def test_a_state_without_a_wage_base_taxes_every_dollar(self):
        # 1% × 30,000 = 300
        rates = replace(RATES_2026, state_unemployment_rate=D("0.01"))
        assert employer_payroll_taxes(D("30000"), rates).state_unemployment == D("300")


class TestInHouse:
    def test_a_salaried_bookkeeper_built_up(self):
        # Wages 52,000
        # Benefits, benefits only: 24.3% × 52,000 = 12,636
        # Payroll taxes (above): 4,020
        # Overhead 3,000
        # Recruiting and training (4,000 + 2,000) / 3 years = 2,000 a year
        # Total 52,000 + 12,636 + 4,020 + 3,000 + 2,000 = 73,656
        cost = role_cost(BOOKKEEPER, RATES_2026, payroll_taxes_in_load=False)
        assert cost.benefits == D("12636")
        assert cost.recruiting_and_training == D("2000")
        assert cost.total == D("73656")
        assert cost.hours == D("2080")

    def test_two_part_time_clerks_paid_by_the_hour_in_ohio(self):
        # Per person: wages 18.50 × 1,040 hours = 19,240.00
        #   benefits 24.3% × 19,240 = 4,675.32
        #   taxes: SS 6.2% × 19,240 = 1,192.88; Medicare 1.45% × 19,240 = 278.98;
        #          FUTA 42.00; Ohio 2.7% × 9,000 = 243.00 → 1,756.86
        #   overhead 1,200; recruiting and training (1,500 + 500) / 2 years = 1,000
        #   → 19,240 + 4,675.32 + 1,756.86 + 1,200 + 1,000 = 27,872.18
        # Two people: 55,744.36, and 2 × 1,040 = 2,080 hours.
        clerks = Role(
            pay_basis="hourly",
            hourly_wage=D("18.50"),
            paid_hours=D("1040"),
            headcount=2,
            benefits_load=D("0.243"),
            overhead_per_person=D("1200"),
            recruiting_cost=D("1500"),
            training_cost=D("500"),
            expected_tenure_years=D("2"),
        )
        cost = role_cost(clerks, OHIO_2026, payroll_taxes_in_load=False)
        assert cost.payroll_taxes.total == D("3513.72")
        assert cost.total == D("55744.36")
        assert cost.hours == D("2080")

    def test_a_combined_load_does_not_add_payroll_taxes_again(self):
        # 35% combined load: 52,000 + 18,200 + 3,000 + 2,000 = 75,200; the 4,020 of taxes
        # are inside the 35% and shown, not added.
        combined = replace(BOOKKEEPER, benefits_load=D("0.35"))
        cost = role_cost(combined, RATES_2026, payroll_taxes_in_load=True)
        assert cost.total == D("75200")
        assert cost.payroll_taxes.total == D("4020.00")
        assert not cost.payroll_taxes_counted

    def test_roles_plus_the_managers_time(self):
        # 73,656 for the bookkeeper + 4 hours × 12 months × $60 = 2,880 → 76,536;
        # hours: 2,080 staff + 48 manager.
        option = InHouse(
            roles=(BOOKKEEPER,), manager_hours=monthly("4"), manager_hourly_rate=D("60")
        )
        cost = in_house_cost(option, RATES_2026)
        assert (cost.total, cost.manager, cost.hours) == (D("76536"), D("2880"), D("2128"))
        assert cost.complete

    def test_the_actual_cost_when_known(self):
        option = InHouse(mode="actual", actual_annual_cost=D("61000"), actual_hours=D("1800"))
        cost = in_house_cost(option, RATES_2026)
        assert (cost.total, cost.staff_hours, cost.complete) == (D("61000"), D("1800"), True)

    def test_without_roles_there_is_nothing_to_compare_against(self):
        assert not in_house_cost(InHouse(), RATES_2026).complete


class TestQuotes:
    def test_flat_fees_by_month_or_year(self):
        # 1,250 × 12 = 15,000; a yearly fee is itself.
        assert quote_cost(Quote("flat", D("1250"))).total == D("15000")
        assert quote_cost(Quote("flat", D("9000"), fee_period="year")).total == D("9000")

    def test_hourly_with_our_oversight(self):
        # Fees 85 × 6 hours × 12 = 6,120; oversight 2 hours × $60 × 12 = 1,440; total 7,560.
        quote = Quote(
            "hourly",
            D("85"),
            monthly_quantity=D("6"),
            oversight=monthly("2"),
            oversight_hourly_rate=D("60"),
        )
        cost = quote_cost(quote)
        assert (cost.provider_fees, cost.oversight, cost.total) == (
            D("6120"),
            D("1440"),
            D("7560"),
        )

    def test_per_unit_with_a_volume_tier(self):
        # 800 claims at 4.25 = 3,400 a month → 40,800 a year.
        # At +50%, 1,200 claims: 1,000 × 4.25 + 200 × 3.75 = 4,250 + 750 = 5,000 → 60,000.
        quote = Quote(
            "per_unit", D("4.25"), monthly_quantity=D("800"), tiers=(Tier(D(1000), D("3.75")),)
        )
        assert quote_cost(quote).total == D("40800.00")
        assert quote_cost(quote, D("1.5")).total == D("60000.00")

    def test_savings_break_even_payback_and_hours(self):
        # In-house 60,000 a year and 2,128 hours. Hourly quote: $50 × 80 hours a month at 400
        # invoices = 48,000, plus oversight 2 hours × $60 × 12 = 1,440 → 49,440.
        # Savings 60,000 − 49,440 = 10,560, 17.6% of 60,000.
        # Break-even: (60,000 − 1,440) / 12 = 4,880 a month of fees = 97.6 hours,
        #   97.6 / 80 = 1.22 × 400 invoices = 488 invoices a month.
        # Payback of a 2,640 transition: 10,560 / 12 = 880 a month → 3 months.
        # Hours freed: 2,128 − 24 oversight = 2,104; the staff's 2,128 at $45 an hour is
        # 95,760, less the 24 oversight hours at their own $60: 95,760 − 1,440 = 94,320.
        quote = Quote(
            "hourly",
            D("50"),
            monthly_quantity=D("80"),
            transition_cost=D("2640"),
            oversight=monthly("2"),
            oversight_hourly_rate=D("60"),
        )
        result = compare_quote(
            quote, in_house_of(D("60000"), D("2128"), D("45")), monthly_volume=D("400")
        )
        assert result.annual_cost == D("49440")
        assert result.savings == D("10560")
        assert result.savings_ratio == D("0.176")
        assert result.break_even_volume == D("488")
        assert result.payback_months == D("3")
        assert (result.hours_freed, result.value_of_hours_freed) == (D("2104"), D("94320"))
        assert result.first_year_cost == D("52080")

    def test_break_even_of_a_tiered_per_unit_quote(self):
        # In-house 60,000 → 5,000 a month. The first 1,000 claims cost 4,250; the remaining
        # 750 buys 750 / 3.75 = 200 more: 1,200 claims. Priced at 640 claims, so the factor is
        # 1,200 / 640 = 1.875 and the break-even volume 1.875 × 640 = 1,200.
        quote = Quote(
            "per_unit", D("4.25"), monthly_quantity=D("640"), tiers=(Tier(D(1000), D("3.75")),)
        )
        assert break_even_factor(quote, D("60000")) == D("1.875")

    def test_when_there_is_no_break_even(self):
        flat = Quote("flat", D("1250"))
        assert break_even_factor(flat, D("60000")) is None
        costly_oversight = Quote(
            "hourly",
            D("50"),
            monthly_quantity=D("10"),
            oversight=monthly("100"),
            oversight_hourly_rate=D("60"),
        )
        # Oversight alone is 100 × 60 × 12 = 72,000 > 60,000: dearer at any volume.
        assert break_even_factor(costly_oversight, D("60000")) is None
        # Free above 100 units: 100 × 2 × 12 = 2,400 a year at most, never 60,000.
        capped = Quote("per_unit", D("2"), monthly_quantity=D("50"), tiers=(Tier(D(100), D("0")),))
        assert break_even_factor(capped, D("60000")) is None

    def test_payback(self):
        assert payback_months(D("0"), D("-5")) == D("0")  # nothing to pay back
        assert payback_months(D("1500"), D("0")) is None  # never, with no savings
        assert payback_months(D("1500"), D("6000")) == D("3")  # 1,500 / 500 a month

    def test_sensitivity_keeps_in_house_flat_and_scales_the_quotes(self):
        # 640 claims at 4.25: −50% 320 → 16,320; 0 → 32,640; +50% 960 → 48,960. Flat 15,000.
        quotes = [Quote("per_unit", D("4.25"), monthly_quantity=D("640")), Quote("flat", D(1250))]
        rows = sensitivity(D("50000"), quotes, monthly_volume=D("640"))
        assert [row.monthly_volume for row in rows] == [
            D("320.00"),
            D("480.00"),
            D("640"),
            D("800.00"),
            D("960.00"),
        ]
        assert {row.in_house for row in rows} == {D("50000")}
        assert [row.quotes[0] for row in rows] == [
            D("16320"),
            D("24480"),
            D("32640"),
            D("40800"),
            D("48960"),
        ]
        assert {row.quotes[1] for row in rows} == {D("15000")}


class TestTierTables:
    def test_a_table_that_prices_every_volume_once(self):
        rows = [TierRow(D(5000), None, D("3.25")), TierRow(D(1000), D(5000), D("3.75"))]
        assert tier_table_problems(rows) == []
        # Units below 1,000 keep the base price; 1,000–5,000 at 3.75; above at 3.25.
        # 6,000 units: 1,000 × 4.25 + 4,000 × 3.75 + 1,000 × 3.25 = 4,250 + 15,000 + 3,250.
        assert tiered_cost(D(6000), D("4.25"), tiers_from_table(rows)) == D("22500.00")

    @pytest.mark.parametrize(
        ("rows", "message"),
        [
            (
                [TierRow(D(0), D(1000), D(4)), TierRow(D(1200), None, D(3))],
                "Gap: one tier ends at 1,000 units and the next starts at 1,200",
            ),
            (
                [TierRow(D(0), D(1000), D(4)), TierRow(D(800), None, D(3))],
                "Overlap: the tier from 800 units starts before the tier from 0 ends at 1,000",
            ),
            (
                [TierRow(D(0), D(1000), D(4)), TierRow(D(1000), D(2000), D(3))],
                "Leave the end of the last tier empty: units above 2,000",
            ),
            ([TierRow(D(500), D(100), D(4))], "a tier must end above where it starts"),
            (
                [TierRow(D(0), None, D(4)), TierRow(D(1000), None, D(3))],
                "Only the last tier can be open-ended",
            ),
        ],
    )
    def test_gaps_overlaps_and_open_ends_are_named(self, rows, message):
        assert any(message in problem for problem in tier_table_problems(rows))


# --- Properties ---------------------------------------------------------------------------------
money = st.decimals(min_value=0, max_value=1_000_000, places=2)
price = st.decimals(min_value=D("0.01"), max_value=50, places=2)
tier_lists = st.lists(
    st.tuples(st.integers(1, 20_000), price), max_size=4, unique_by=lambda pair: pair[0]
).map(lambda pairs: tuple(Tier(D(above), unit_price) for above, unit_price in pairs))


@given(tier_lists, price, st.data())
def test_within_a_tier_each_further_unit_costs_that_tiers_price(tiers, base, data):
    """The per-unit cost never falls as volume rises within a tier: every unit added inside a
    band costs that band's price, and the total never falls anywhere."""
    bands = [Tier(D(0), base), *sorted(tiers, key=lambda tier: tier.above)]
    index = data.draw(st.integers(0, len(bands) - 1))
    band = bands[index]
    end = bands[index + 1].above if index + 1 < len(bands) else band.above + 10_000
    low = data.draw(st.decimals(min_value=band.above, max_value=end, places=2))
    high = data.draw(st.decimals(min_value=low, max_value=end, places=2))
    extra = tiered_cost(high, base, tiers) - tiered_cost(low, base, tiers)
    assert extra == (high - low) * band.unit_price
    assert extra >= 0


@given(tier_lists, price, money, money)
def test_more_volume_never_costs_less(tiers, base, first, second):
    low, high = sorted([first, second])
    assert tiered_cost(low, base, tiers) <= tiered_cost(high, base, tiers)


@given(tier_lists, price, st.decimals(min_value=0, max_value=500_000, places=2))
def test_quantity_for_cost_inverts_tiered_cost(tiers, base, target):
    quantity = quantity_for_cost(target, base, tiers)
    assert quantity is not None
    assert abs(tiered_cost(quantity, base, tiers) - target) < D("0.000001")


PERIODS = ["week", "month", "year"]

quotes_that_scale = st.one_of(
    st.builds(
        Quote,
        pricing_model=st.just("hourly"),
        amount=price,
        monthly_quantity=st.decimals(min_value=1, max_value=500, places=1),
        oversight=st.builds(
            Hours, st.decimals(min_value=0, max_value=20, places=1), st.sampled_from(PERIODS)
        ),
        oversight_hourly_rate=st.decimals(min_value=0, max_value=100, places=2),
    ),
    st.builds(
        Quote,
        pricing_model=st.just("per_unit"),
        amount=price,
        monthly_quantity=st.decimals(min_value=1, max_value=5000, places=0),
        tiers=tier_lists,
        oversight=st.builds(
            Hours, st.decimals(min_value=0, max_value=20, places=1), st.sampled_from(PERIODS)
        ),
        oversight_hourly_rate=st.decimals(min_value=0, max_value=100, places=2),
    ),
)


@given(quotes_that_scale, st.decimals(min_value=1000, max_value=500_000, places=2))
def test_savings_change_sign_exactly_at_break_even(quote, in_house_annual):
    factor = break_even_factor(quote, in_house_annual)
    assume(factor is not None and factor > D("0.001"))

    def savings(at):
        return in_house_annual - quote_cost(quote, at).total

    # Zero at the break-even volume (to far below a cent), positive just below, negative above.
    assert abs(savings(factor)) < D("0.000001")
    step = factor / 1000
    assert savings(factor - step) > 0
    assert savings(factor + step) < 0


wages = st.decimals(min_value=0, max_value=2_000_000, places=2)
past_every_base = st.decimals(min_value=184_500, max_value=2_000_000, places=2)


@given(past_every_base, past_every_base, st.decimals(min_value=0, max_value=D("0.12"), places=4))
def test_payroll_tax_stops_growing_past_the_wage_base(first, second, state_rate):
    rates = replace(OHIO_2026, state_unemployment_rate=state_rate)
    low, high = sorted([first, second])
    before, after = employer_payroll_taxes(low, rates), employer_payroll_taxes(high, rates)
    # Past every wage base only Medicare (no cap) still grows.
    assert after.social_security == before.social_security == D("11439.000")
    assert after.federal_unemployment == before.federal_unemployment
    assert after.state_unemployment == before.state_unemployment
    assert after.total - before.total == rates.medicare_rate * (high - low)


@given(wages, wages)
def test_payroll_tax_never_falls_as_wages_rise(first, second):
    low, high = sorted([first, second])
    assert (
        employer_payroll_taxes(low, OHIO_2026).total
        <= employer_payroll_taxes(high, OHIO_2026).total
    )


# --- Hours as entered, and the hours freed ----------------------------------------------------
any_hours = st.decimals(min_value=0, max_value=10_000, places=4)


class TestHoursAsEntered:
    def test_two_hours_a_week_is_104_a_year_not_a_rounded_month(self):
        # 2 × 52 = 104. Through a month it would be 8.67 × 12 = 104.04: never rounded so.
        assert Hours(D("2"), "week").a_year == D("104")
        assert hours_a_year(D("2"), "month") == D("24")
        assert hours_a_year(D("2"), "year") == D("2")

    def test_an_unknown_period_is_refused(self):
        with pytest.raises(ValueError):
            hours_a_year(D("2"), "fortnight")


@given(any_hours)
def test_a_weekly_figure_times_52_is_the_yearly(amount):
    assert hours_a_year(amount, "week") == amount * 52 == hours_a_year(amount * 52, "year")


@given(any_hours)
def test_a_monthly_figure_times_12_is_the_yearly(amount):
    assert hours_a_year(amount, "month") == amount * 12 == hours_a_year(amount * 12, "year")


@given(any_hours, any_hours)
def test_conversion_is_exact_and_additive(first, second):
    # Decimal arithmetic, no rounding: the hours of two entries add up like the entries do.
    for per in PERIODS:
        assert hours_a_year(first + second, per) == hours_a_year(first, per) + hours_a_year(
            second, per
        )


CLERK = Role(
    pay_basis="hourly",
    hourly_wage=D("20"),
    paid_hours=D("1040"),
    benefits_load=D("0.243"),
)


class TestHoursFreed:
    # The bookkeeper costs 73,656 a year for 2,080 hours: 35.4115… an hour, loaded.
    def bookkeeper_rate(self):
        return role_cost(BOOKKEEPER, RATES_2026, payroll_taxes_in_load=False).hourly_cost

    def test_nothing_stated_frees_every_paid_hour_at_the_roles_own_rate(self):
        cost = in_house_cost(InHouse(roles=(BOOKKEEPER, CLERK)), RATES_2026)
        bookkeeper, clerk = cost.freed
        assert (bookkeeper.hours, bookkeeper.counted, bookkeeper.role) == (
            D("2080"),
            Basis.DERIVED,
            0,
        )
        assert bookkeeper.value == D("73656")  # the whole role at its own loaded cost
        # The clerk's hour is the clerk's: 20.80 + 24.3% + taxes on 20,800 of wages, over 1,040.
        assert clerk.rate == cost.roles[1].total / D("1040") != bookkeeper.rate

    def test_the_whole_role_or_some_hours_a_week_as_stated(self):
        whole = replace(BOOKKEEPER, freed="whole")
        some = replace(BOOKKEEPER, freed="hours", freed_hours=Hours(D("10"), "week"))
        (line,) = in_house_cost(InHouse(roles=(whole,)), RATES_2026).freed
        assert (line.hours, line.counted) == (D("2080"), Basis.STATED_WHOLE)
        (line,) = in_house_cost(InHouse(roles=(some,)), RATES_2026).freed
        # 10 a week × 52 = 520 hours, at the bookkeeper's own rate.
        assert (line.hours, line.counted, line.entered) == (
            D("520"),
            Basis.STATED_HOURS,
            Hours(D("10"), "week"),
        )
        assert line.value == D("520") * self.bookkeeper_rate() == D("18414")

    def test_a_managers_hour_is_valued_at_the_managers_rate(self):
        option = InHouse(
            roles=(BOOKKEEPER,),
            manager_hours=Hours(D("2"), "week"),
            manager_hourly_rate=D("60"),
            value_per_freed_hour=D("45"),
        )
        staff, manager = in_house_cost(option, RATES_2026).freed
        # The one value set for a staff hour serves the staff only; the manager's 104 hours
        # (2 a week × 52) are at the manager's 60, not at 45.
        assert (staff.rate, staff.rate_basis) == (D("45"), Basis.SET_RATE)
        assert (manager.hours, manager.rate, manager.rate_basis) == (
            D("104"),
            D("60"),
            Basis.MANAGER_RATE,
        )
        assert manager.value == D("6240")

    def test_a_quote_takes_its_oversight_hours_at_their_own_rate(self):
        option = InHouse(
            roles=(BOOKKEEPER,), manager_hours=Hours(D("2"), "week"), manager_hourly_rate=D("60")
        )
        in_house = in_house_cost(option, RATES_2026)
        quote = Quote(
            "flat", D("1250"), oversight=Hours(D("1"), "week"), oversight_hourly_rate=D("50")
        )
        result = compare_quote(quote, in_house, monthly_volume=D("400"))
        # 2,080 + 104 − 52 hours; 73,656 + 6,240 − 52 × 50 = 77,296.
        assert result.hours_freed == D("2132")
        assert result.value_of_hours_freed == D("77296")
        assert result.freed[-1].whose == Whose.OVERSIGHT

    def test_the_actual_cost_values_its_hours_at_that_cost_over_them(self):
        option = InHouse(mode="actual", actual_annual_cost=D("61000"), actual_hours=D("2000"))
        (line,) = in_house_cost(option, RATES_2026).freed
        assert (line.whose, line.rate, line.rate_basis) == (
            Whose.STAFF,
            D("30.5"),
            Basis.ACTUAL_RATE,
        )


@given(st.decimals(min_value=0, max_value=2080, places=2), st.sampled_from(PERIODS))
def test_stated_hours_are_valued_at_the_roles_rate_whatever_their_period(amount, per):
    role = replace(BOOKKEEPER, freed="hours", freed_hours=Hours(amount, per))
    (line,) = in_house_cost(InHouse(roles=(role,)), RATES_2026).freed
    cost = role_cost(BOOKKEEPER, RATES_2026, payroll_taxes_in_load=False)
    assert line.hours == hours_a_year(amount, per)
    assert line.value == hours_a_year(amount, per) * (cost.total / cost.hours)
