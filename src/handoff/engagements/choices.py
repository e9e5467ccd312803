from django.db import models

from handoff.decisions import choices as decisions_choices


class EngagementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


# The only moves allowed; every other is refused with the reason.
STATUS_MOVES = {
    EngagementStatus.DRAFT: {EngagementStatus.ACTIVE, EngagementStatus.ENDED},
    EngagementStatus.ACTIVE: {EngagementStatus.PAUSED, EngagementStatus.ENDED},
    EngagementStatus.PAUSED: {EngagementStatus.ACTIVE, EngagementStatus.ENDED},
    EngagementStatus.ENDED: set(),
}

# What a provider's contact sees in the portal: every engagement but a draft, not agreed yet.
PORTAL_VISIBLE_STATUSES = (EngagementStatus.ACTIVE, EngagementStatus.PAUSED, EngagementStatus.ENDED)

STATUS_VERBS = {
    EngagementStatus.ACTIVE: "Activate",
    EngagementStatus.PAUSED: "Pause",
    EngagementStatus.ENDED: "End",
}


# An engagement's price terms speak the same vocabulary as the quote they often come from.
PricingModel = decisions_choices.PricingModel


class BillingPeriod(models.TextChoices):
    MONTH = "month", "per month"
    QUARTER = "quarter", "per quarter"
    YEAR = "year", "per year"


PERIODS_PER_YEAR = {BillingPeriod.MONTH: 12, BillingPeriod.QUARTER: 4, BillingPeriod.YEAR: 1}


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"


class TargetUnit(models.TextChoices):
    HOURS = "hours", "hours"
    BUSINESS_DAYS = "business_days", "business days"


class TurnaroundRule(models.TextChoices):
    BUSINESS_DAYS = "business_days", "Within a number of business days"
    DAY_OF_MONTH = "day_of_month", "By a day of the month"


class Party(models.TextChoices):
    US = "us", "We"
    PROVIDER = "provider", "They"


class MeetingCadence(models.TextChoices):
    NONE = "none", "No regular meeting"
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class AgreementState(models.TextChoices):
    NONE = "none", "No agreement"
    GENERATED = "generated", "Generated"
    SENT = "sent", "Sent for signature"
    SIGNED = "signed", "Signed"


class ExitItemKind(models.TextChoices):
    REVOKE_ACCESS = "revoke_access", "Revoke access"
    COLLECT_DATA = "collect_data", "Collect documents and data"
    FINAL_INVOICE = "final_invoice", "Settle the final invoice"
    HAND_BACK = "hand_back", "Hand back the work"
    OTHER = "other", "Other"
