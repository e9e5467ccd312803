"""Reads of engagements shared by the pages and the API."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q

from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import AgreementVersion, Engagement, SignedAgreement

TERM_END = "term_end"
NOTICE_DEADLINE = "notice_deadline"


def engagement_list(principal, *, status: str = "", function: str = "", provider: str = ""):
    """The engagements list page: what ``principal`` may see, filtered by status, business
    function and provider (values as the query string gives them; anything else is ignored),
    with the providers, functions, price tiers and agreements each row shows, fetched once."""
    engagements = (
        Engagement.objects.visible_to(principal)
        .select_related("provider")
        .prefetch_related("functions", "price_tiers")
        .prefetch_related(
            Prefetch("agreement_versions", queryset=AgreementVersion.objects.order_by("-number")),
            Prefetch(
                "signed_agreements", queryset=SignedAgreement.objects.only("id", "engagement")
            ),
        )
    )
    if status in EngagementStatus.values:
        engagements = engagements.filter(status=status)
    if function.isdigit():
        engagements = engagements.filter(engagementfunction__function_id=int(function))
    if provider.isdigit():
        engagements = engagements.filter(provider_id=int(provider))
    return engagements


@dataclass(frozen=True)
class Renewal:
    """An engagement with a date coming up, and which of its dates fall in the window."""

    engagement: Engagement
    term_end: date | None
    notice_deadline: date | None
    events: tuple[str, ...]  # NOTICE_DEADLINE and/or TERM_END, in date order

    @property
    def first_date(self) -> date:
        return min(getattr(self, event) for event in self.events)


def renewals_within(principal, days: int, today: date) -> list[Renewal]:
    """The principal's engagements not yet ended whose current term ends, or whose notice
    deadline falls, between ``today`` and ``days`` days later (both included), soonest first.

    The candidates are loaded and filtered in Python with ``Engagement.term_end`` and
    ``notice_deadline``: a renewing term's end rolls forward with each renewal, so it is computed
    from today, not stored, and cannot be filtered in SQL. The query keeps only engagements
    that can still have a date ahead (an end date that is today or later, or that renews),
    which for one organization is a short list.
    """
    window_end = today + timedelta(days=days)
    candidates = (
        Engagement.objects.visible_to(principal)
        .exclude(status=EngagementStatus.ENDED)
        .filter(end_date__isnull=False)
        .filter(Q(auto_renew=True) | Q(end_date__gte=today))
        .select_related("provider")
    )
    renewals = []
    for engagement in candidates:
        term_end = engagement.term_end(today)
        deadline = engagement.notice_deadline(today)
        dates = {NOTICE_DEADLINE: deadline, TERM_END: term_end}  # on the same day, notice first
        events = tuple(
            sorted(
                (event for event, day in dates.items() if day and today <= day <= window_end),
                key=dates.get,
            )
        )
        if events:
            renewals.append(Renewal(engagement, term_end, deadline, events))
    return sorted(renewals, key=lambda renewal: (renewal.first_date, renewal.engagement.pk))
