"""First run: the getting-started list a new organization's dashboard shows, read from its data.

Each step is ticked when the organization's own rows say it is done (not when someone clicks a
box), links to the page where it is done, and the list is hidden once every step is. The same
facts tell the dashboard's cards when there is nothing yet to check (no provider, no task), so
an empty card says "nothing yet" and links to the step rather than reading as reassurance.

:func:`facts` is one query whatever the size of the organization: one ``EXISTS`` per step and
the ids the links need, as subqueries of a single row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Subquery
from django.urls import reverse

from handoff.accounts.models import Organization, PortalAccess
from handoff.compliance.models import W9
from handoff.decisions.models import Decision
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import CommunicationPlan, Engagement
from handoff.payables.models import Payment
from handoff.providers.models import Provider
from handoff.work.models import Task


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    hint: str  # what it means, in one sentence
    done: bool
    url: str  # where it is done


@dataclass(frozen=True)
class GettingStarted:
    steps: list[Step]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def next(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)


def _first(queryset):
    return Subquery(queryset.order_by("pk").values("pk")[:1])


def facts(principal) -> dict:
    """What the organization has done so far, and the rows the steps' links open: one query."""
    engagements = Engagement.objects.visible_to(principal)
    plans = CommunicationPlan.objects.visible_to(principal)
    filled = plans.filter(
        our_point_person__isnull=False,
        their_point_person__isnull=False,
        issue_contact__isnull=False,
    )
    providers = Provider.objects.visible_to(principal).filter(archived_at__isnull=True)
    return (
        Organization.objects.filter(pk=principal.organization.pk)
        .values(
            provider=Exists(Provider.objects.visible_to(principal)),
            decision=Exists(Decision.objects.visible_to(principal)),
            engagement=Exists(engagements),
            plan=Exists(filled),
            activated=Exists(engagements.exclude(status=EngagementStatus.DRAFT)),
            active=Exists(engagements.filter(status=EngagementStatus.ACTIVE)),
            invited=Exists(PortalAccess.objects.visible_to(principal)),
            task=Exists(Task.objects.visible_to(principal)),
            w9=Exists(W9.objects.visible_to(principal)),
            payment=Exists(Payment.objects.visible_to(principal)),
            # The rows the links open: the first engagement whose plan lacks someone, the
            # first engagement still a draft, and the first provider engaged past draft (else
            # the first provider) for its W-9.
            unplanned_id=_first(
                engagements.exclude(pk__in=filled.values("engagement_id")).exclude(
                    status=EngagementStatus.ENDED
                )
            ),
            draft_id=_first(engagements.filter(status=EngagementStatus.DRAFT)),
            engaged_provider_id=Subquery(
                engagements.exclude(status=EngagementStatus.DRAFT)
                .order_by("pk")
                .values("provider_id")[:1]
            ),
            provider_id=_first(providers),
        )
        .get()
    )


def steps(org, found: dict) -> GettingStarted:
    """The steps in the order a business usually takes them, each ticked from ``found``."""
    slug = org.slug

    def url(name, *args):
        return reverse(name, args=[slug, *args])

    plan_url = (
        url("engagements:plan", found["unplanned_id"])
        if found["unplanned_id"]
        else url("engagements:create")
    )
    draft_url = (
        url("engagements:detail", found["draft_id"])
        if found["draft_id"]
        else url("engagements:list")
    )
    payee = found["engaged_provider_id"] or found["provider_id"]
    w9_url = url("compliance:w9", payee) if payee else url("providers:create")
    return GettingStarted(
        [
            Step(
                "provider",
                "Add a provider",
                "A firm or contractor you work with, or one you are considering.",
                found["provider"],
                url("providers:create"),
            ),
            Step(
                "decision",
                "Make your first decision",
                "Compare doing a function in-house with a provider's quote, and record the "
                "decision.",
                found["decision"],
                url("decisions:analyses"),
            ),
            Step(
                "plan",
                "Set up an engagement with its communication plan",
                "The terms of the work, and who talks to whom about new work and issues.",
                found["plan"],
                plan_url,
            ),
            Step(
                "activate",
                "Activate the engagement",
                "Tasks are sent under an active engagement.",
                found["activated"],
                draft_url,
            ),
            Step(
                "invite",
                "Invite the provider's contact to the portal",
                "They see and deliver their tasks there.",
                found["invited"],
                url("portal:access_list"),
            ),
            Step(
                "task",
                "Send a first task",
                "A piece of work with its due date.",
                found["task"],
                url("work:task_new"),
            ),
            Step(
                "w9",
                "Get the provider's W-9",
                "Their taxpayer details, needed before the 1099-NEC.",
                found["w9"],
                w9_url,
            ),
            Step(
                "payment",
                "Record a payment",
                "What you paid a provider; spend and the 1099-NEC are worked out from it.",
                found["payment"],
                url("payables:payment_create"),
            ),
        ]
    )


def getting_started(principal) -> tuple[GettingStarted, dict]:
    """The list and the facts it was read from (one query)."""
    found = facts(principal)
    return steps(principal.organization, found), found
