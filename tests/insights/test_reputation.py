"""The reputation estimator's promises."""

import math

from hypothesis import given
from hypothesis import strategies as st

from handoff.insights.reputation import (
    Z_90,
    Evidence,
    check_observation,
    estimate,
    rank_key,
)

unit = st.floats(min_value=0, max_value=1)
checks = st.lists(unit, max_size=20).map(tuple)


def test_no_evidence_gives_no_number():
    assert estimate(Evidence()) is None
    assert rank_key(None) < rank_key(estimate(Evidence(late=5)))


def test_two_glowing_references_do_not_outrank_forty_on_time_deliveries():
    # References: (2 + 2) / (2 + 2 + 2) = 0.667 → 1 + 4 × 0.667 = 3.67.
    # Deliveries: (2 + 40) / (2 + 2 + 40) = 0.955 → 4.82.
    references = estimate(Evidence(reference_checks=(1.0, 1.0)))
    deliveries = estimate(Evidence(on_time=40))
    assert round(references.score, 2) == 3.67
    assert round(deliveries.score, 2) == 4.82
    assert rank_key(deliveries) > rank_key(references)
    assert deliveries.confidence == "high" and references.confidence == "low"


def test_a_check_is_the_mean_of_its_ratings_on_a_unit_scale():
    # Ratings 5, 4 and "would hire again: yes" (5): (1 + 0.75 + 1) / 3 = 0.9167.
    assert round(check_observation([5, 4], "yes"), 4) == 0.9167
    assert check_observation([], "") is None
    assert check_observation([], "no") == 0.0


@given(checks, st.integers(0, 200), st.integers(0, 200))
def test_another_on_time_delivery_never_lowers_the_score(reference_checks, on_time, late):
    evidence = Evidence(reference_checks=reference_checks, on_time=on_time, late=late)
    after = estimate(Evidence(reference_checks=reference_checks, on_time=on_time + 1, late=late))
    before = estimate(evidence)
    assert before is None or after.score >= before.score - 1e-12


@given(st.integers(1, 100), st.integers(0, 100), st.integers(2, 5))
def test_the_same_record_with_more_data_is_surer(on_time, late, factor):
    small = estimate(Evidence(on_time=on_time, late=late))
    large = estimate(Evidence(on_time=on_time * factor, late=late * factor))
    assert (large.high - large.low) <= (small.high - small.low) + 1e-12


@given(checks, st.integers(0, 300), st.integers(0, 300))
def test_the_interval_is_bounded_by_the_amount_of_evidence(reference_checks, on_time, late):
    reputation = estimate(Evidence(reference_checks=reference_checks, on_time=on_time, late=late))
    if reputation is None:
        return
    # On the 0..1 scale the half-width is at most z × 0.5 / √(n + 4 + 1).
    bound = 4 * Z_90 * 0.5 / math.sqrt(reputation.observations + 5)
    assert (reputation.high - reputation.low) / 2 <= bound + 1e-9
    assert 1 <= reputation.low <= reputation.score <= reputation.high <= 5
