"""Vocabularies of the make-or-buy analysis, in one place for models, forms, API and costing."""

from django.db import models


class InHouseMode(models.TextChoices):
    BUILD_UP = "build_up", "Build it up from the roles"
    ACTUAL = "actual", "Use the current actual annual cost"


class PayBasis(models.TextChoices):
    SALARY = "salary", "Salaried"
    HOURLY = "hourly", "Paid by the hour"


class PricingModel(models.TextChoices):
    """The same values as an engagement's pricing model, so that a chosen quote can become
    an engagement's price terms without translation."""

    FLAT = "flat", "Flat fee"
    HOURLY = "hourly", "Hourly rate × hours"
    PER_UNIT = "per_unit", "Per unit × volume"


class FeePeriod(models.TextChoices):
    MONTH = "month", "per month"
    YEAR = "year", "per year"


PERIODS_PER_YEAR = {FeePeriod.MONTH: 12, FeePeriod.YEAR: 1}


class HoursPeriod(models.TextChoices):
    """The period hours are entered per: people think of oversight as "2 hours a week", not
    "8.67 hours a month". Hours are stored as entered (amount and period) and turned into
    hours a year only in ``costing``, with 52 weeks and 12 months a year."""

    WEEK = "week", "a week"
    MONTH = "month", "a month"
    YEAR = "year", "a year"


# The most hours one person can give in each period: 7 × 24, 31 × 24, 366 × 24.
MOST_HOURS_IN = {HoursPeriod.WEEK: 168, HoursPeriod.MONTH: 744, HoursPeriod.YEAR: 8784}


class FreedHours(models.TextChoices):
    """Which of a role's hours outsourcing frees. Nothing stated, they are worked out: all the
    role's paid hours, as before the choice existed."""

    DERIVED = "derived", "Work it out: all the role's paid hours"
    WHOLE = "whole", "The whole role"
    HOURS = "hours", "Some hours of it"


class Factor(models.TextChoices):
    """Qualitative factors, each scored 1–5 where 5 is always the best for the business; they
    are shown beside the money and never converted into it."""

    CONTROL = "control", "Control"
    QUALITY_RISK = "quality_risk", "Quality risk"
    CONFIDENTIALITY = "confidentiality", "Confidentiality"
    AVAILABILITY = "availability", "Availability"
    DEPENDENCE = "dependence", "Dependence on one provider"


FACTOR_HELP = {
    Factor.CONTROL: "How much say you keep over how and when the work is done (5 = full say).",
    Factor.QUALITY_RISK: "How safe the quality of the work is (5 = least risk of errors).",
    Factor.CONFIDENTIALITY: "How well sensitive data stays protected (5 = safest).",
    Factor.AVAILABILITY: "How reliably someone does the work when it is due (5 = always covered).",
    Factor.DEPENDENCE: "How easily you could replace whoever does it, a provider or one person "
    "(5 = easily).",
}

SCORE_CHOICES = [(1, "1 — poor"), (2, "2"), (3, "3 — fair"), (4, "4"), (5, "5 — good")]


class ChosenOption(models.TextChoices):
    IN_HOUSE = "in_house", "Keep it in-house"
    QUOTE = "quote", "Outsource to a quote"
