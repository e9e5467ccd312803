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
