"""A provider's reputation: one score from reference checks and, once work runs through
Handoff, its own delivery record here, with how sure the score is. No database.

The estimator is a Beta-Bernoulli posterior. Every piece of evidence is an observation
between 0 (bad) and 1 (good):

* a reference check is one observation: the mean of its 1–5 ratings mapped onto 0–1
  ((rating − 1) / 4), with "would hire again: no" counting as a 1 and "unsure" as a 3;
* a delivery is one observation for being on time (1) or late (0), and one more for the
  quality rating given at acceptance, when there is one.

The prior is Beta(2, 2): as if four observations had averaged the middle of the scale. So two
glowing references give (2 + 2) / (2 + 2 + 2) = 0.67, while forty on-time deliveries give
(2 + 40) / (2 + 2 + 40) = 0.95 — evidence outweighs praise. The score is shown on the 1–5
scale of the ratings, with a 90% credible interval (normal approximation to the Beta),
ranked by its lower end so that a thin record does not outrank a long good one.
"""

import math
from dataclasses import dataclass

PRIOR_GOOD = 2.0
PRIOR_BAD = 2.0
Z_90 = 1.6449  # two-sided 90%: the 95th percentile of the standard normal


@dataclass(frozen=True)
class Evidence:
    """What a score rests on; the counts are shown beside the score."""

    reference_checks: tuple[float, ...] = ()  # each 0..1
    on_time: int = 0
    late: int = 0
    quality_ratings: tuple[int, ...] = ()  # 1..5, given at acceptance

    @property
    def observations(self) -> int:
        return len(self.reference_checks) + self.on_time + self.late + len(self.quality_ratings)


@dataclass(frozen=True)
class Reputation:
    score: float  # 1..5
    low: float  # 1..5, the interval's lower end
    high: float
    observations: int

    @property
    def confidence(self) -> str:
        width = self.high - self.low
        if width <= 0.6:
            return "high"
        return "medium" if width <= 1.2 else "low"


def rating_to_unit(rating: float) -> float:
    return (rating - 1) / 4


def check_observation(ratings: list[int], would_hire_again: str = "") -> float | None:
    """One reference check as an observation in 0..1, or None when it holds no rating."""
    values = [rating_to_unit(r) for r in ratings]
    if would_hire_again == "no":
        values.append(rating_to_unit(1))
    elif would_hire_again == "unsure":
        values.append(rating_to_unit(3))
    elif would_hire_again == "yes":
        values.append(rating_to_unit(5))
    return sum(values) / len(values) if values else None


def estimate(evidence: Evidence) -> Reputation | None:
    """The score with its interval; None ("not enough information") without any evidence."""
    if evidence.observations == 0:
        return None
    good = (
        sum(evidence.reference_checks)
        + evidence.on_time
        + sum(rating_to_unit(r) for r in evidence.quality_ratings)
    )
    bad = evidence.observations - good
    alpha, beta = PRIOR_GOOD + good, PRIOR_BAD + bad
    total = alpha + beta
    mean = alpha / total
    half_width = Z_90 * math.sqrt(mean * (1 - mean) / (total + 1))
    low, high = max(0.0, mean - half_width), min(1.0, mean + half_width)
    return Reputation(
        score=1 + 4 * mean, low=1 + 4 * low, high=1 + 4 * high, observations=evidence.observations
    )


def rank_key(reputation: Reputation | None) -> float:
    """Sort providers by what their record makes certain: the interval's lower end."""
    return -1.0 if reputation is None else reputation.low
