"""The arithmetic of price terms and term dates, with worked examples checked by hand."""

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from handoff.engagements.terms import (
    Tier,
    annual_cost,
    current_term_end,
    notice_deadline,
    tiered_cost,
)


class TestTieredCost:
    def test_below_the_first_tier_every_unit_costs_the_base_price(self):
        # 640 claims × $4.25 = $2,720.00
        assert tiered_cost(D(640), D("4.25"), [Tier(D(1000), D("3.75"))]) == D("2720.00")

    def test_units_above_a_tier_cost_that_tiers_price(self):
        # 1,000 × $4.25 = $4,250.00, plus 500 × $3.75 = $1,875.00: $6,125.00
        assert tiered_cost(D(1500), D("4.25"), [Tier(D(1000), D("3.75"))]) == D("6125.00")

    def test_several_tiers_in_any_order(self):
        # 100 × $2 + 100 × $1.50 + 50 × $1 = 200 + 150 + 50 = $400
        tiers = [Tier(D(200), D(1)), Tier(D(100), D("1.50"))]
        assert tiered_cost(D(250), D(2), tiers) == D("400.00")

    @given(
        st.decimals(min_value=0, max_value=100_000, places=2),
        st.decimals(min_value=0, max_value=100_000, places=2),
        st.lists(
            st.tuples(st.integers(1, 50_000), st.decimals(min_value=0, max_value=50, places=2)),
            max_size=4,
            unique_by=lambda pair: pair[0],
        ),
    )
    def test_more_units_never_cost_less(self, first, second, raw_tiers):
        tiers = [Tier(D(above), price) for above, price in raw_tiers]
        low, high = sorted([first, second])
        assert tiered_cost(low, D("3.00"), tiers) <= tiered_cost(high, D("3.00"), tiers)


class TestAnnualCost:
    def test_flat_fees_by_period(self):
        assert annual_cost("flat", D("1250"), billing_period="month") == D("15000")
        assert annual_cost("flat", D("3000"), billing_period="quarter") == D("12000")
        assert annual_cost("flat", D("9000"), billing_period="year") == D("9000")

    def test_hourly_is_rate_times_monthly_hours_times_twelve(self):
        # $85 × 6 hours × 12 = $6,120
        assert annual_cost("hourly", D("85"), monthly_quantity=D(6)) == D("6120")

    def test_per_unit_uses_the_tiers(self):
        # (1,000 × 4.25 + 200 × 3.75) × 12 = (4,250 + 750) × 12 = $60,000
        tiers = [Tier(D(1000), D("3.75"))]
        assert annual_cost("per_unit", D("4.25"), monthly_quantity=D(1200), tiers=tiers) == D(
            "60000.00"
        )

    def test_without_an_estimate_there_is_no_yearly_cost(self):
        assert annual_cost("hourly", D("85"), monthly_quantity=None) is None


class TestTermDates:
    def test_a_fixed_term_ends_on_its_end_date(self):
        end = current_term_end(
            date(2026, 1, 1),
            date(2026, 12, 31),
            auto_renew=False,
            renewal_months=12,
            today=date(2027, 3, 1),
        )
        assert end == date(2026, 12, 31)

    def test_a_renewing_term_rolls_forward_whole_terms(self):
        end = current_term_end(
            date(2025, 1, 1),
            date(2025, 12, 31),
            auto_renew=True,
            renewal_months=12,
            today=date(2027, 2, 1),
        )
        assert end == date(2027, 12, 31)

    def test_month_ends_do_not_drift(self):
        end = current_term_end(
            date(2026, 1, 1),
            date(2026, 1, 31),
            auto_renew=True,
            renewal_months=1,
            today=date(2026, 3, 15),
        )
        # Counted from Jan 31 each time: Feb 28, then Mar 31 (not Feb 28 + 1 month = Mar 28).
        assert end == date(2026, 3, 31)

    def test_open_ended_has_no_end(self):
        assert (
            current_term_end(
                date(2026, 1, 1), None, auto_renew=True, renewal_months=12, today=date(2026, 6, 1)
            )
            is None
        )

    def test_notice_is_counted_back_from_the_term_end(self):
        # 60 days before Dec 31, 2026 is Nov 1, 2026.
        assert notice_deadline(date(2026, 12, 31), 60) == date(2026, 11, 1)

    def test_once_a_renewing_terms_deadline_passed_the_next_terms_counts(self):
        deadline = notice_deadline(
            date(2026, 12, 31), 60, auto_renew=True, renewal_months=12, today=date(2026, 11, 25)
        )
        assert deadline == date(2027, 11, 1)
