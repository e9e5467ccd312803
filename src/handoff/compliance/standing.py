"""Where each contractor stands in onboarding: the tax form, the signed agreement for each open
engagement, and (for an individual) their own account of how they work.

One row per provider with a draft, active or paused engagement, read in a fixed number of
queries. Its stage, in the order a contractor moves through it: not invited → invited (a W-9
link or an agreement sent) → opened (either) → tax form signed → agreement signed (every open
engagement's) → done (both). What is missing is listed with where to fix it.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse

from handoff.compliance import selectors
from handoff.compliance.models import W8, W9, ContractorStatement, OnboardingLink
from handoff.core.principal import Principal
from handoff.engagements import agreements
from handoff.engagements.choices import AgreementState, EngagementStatus
from handoff.engagements.models import AgreementVersion, Engagement, SignedAgreement
from handoff.providers.choices import ProviderKind
from handoff.providers.models import Provider

OPEN = (EngagementStatus.DRAFT, EngagementStatus.ACTIVE, EngagementStatus.PAUSED)

STAGES = {
    "not_invited": "not invited",
    "invited": "invited",
    "opened": "opened",
    "tax_form_signed": "tax form signed",
    "agreement_signed": "agreement signed",
    "done": "done",
}


@dataclass
class EngagementStanding:
    engagement: Engagement
    state: str
    request: object | None  # the newest version's signature request, if sent in the app


@dataclass
class Standing:
    provider: Provider
    w9: W9 | None
    link: OnboardingLink | None
    w8: W8 | None  # a foreign payee's form in force, newer than any W-9
    engagements: list[EngagementStanding]
    described: bool
    stage: str = ""
    missing: list[tuple[str, str]] = field(default_factory=list)

    @property
    def tax_form(self) -> W9 | W8 | None:
        return self.w8 or self.w9

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]

    @property
    def is_individual(self) -> bool:
        return self.provider.kind == ProviderKind.INDIVIDUAL


def _opened(standing: Standing) -> bool:
    if standing.link and standing.link.opened_at:
        return True
    return any(
        signer.opened_at and signer.side == "provider"
        for row in standing.engagements
        if row.request
        for signer in row.request.signers.all()
    )


def _invited(standing: Standing) -> bool:
    return standing.link is not None or any(row.request for row in standing.engagements)


def _stage(standing: Standing) -> str:
    agreed = all(row.state == AgreementState.SIGNED for row in standing.engagements)
    if standing.tax_form and agreed:
        return "done"
    if agreed:
        return "agreement_signed"
    if standing.tax_form:
        return "tax_form_signed"
    if _opened(standing):
        return "opened"
    return "invited" if _invited(standing) else "not_invited"


def _missing(principal: Principal, standing: Standing) -> list[tuple[str, str]]:
    slug = principal.organization.slug
    missing = []
    if standing.tax_form is None:
        page = reverse("compliance:w9", args=[slug, standing.provider.pk])
        missing.append(("Form W-9 (or W-8BEN for a foreign payee)", page))
    for row in standing.engagements:
        if row.state != AgreementState.SIGNED:
            label = f"Signed agreement: {row.engagement.title}"
            missing.append((label, row.engagement.get_absolute_url() + "#agreement"))
    return missing


def standings(principal: Principal, stage: str = "") -> list[Standing]:
    """Every provider with an open engagement and where they stand, by name; ``stage`` keeps
    those at that stage only."""
    versions = (
        AgreementVersion.objects.visible_to(principal)
        .select_related("signature_request")
        .prefetch_related("signature_request__signers")
    )
    engagements = (
        Engagement.objects.visible_to(principal)
        .filter(status__in=OPEN)
        .select_related("organization")  # each row links to its engagement's page
        .order_by("title")
        .prefetch_related(
            Prefetch("agreement_versions", queryset=versions),
            Prefetch("signed_agreements", queryset=SignedAgreement.objects.visible_to(principal)),
        )
    )
    providers = (
        Provider.objects.visible_to(principal)
        .filter(archived_at=None, engagements__status__in=OPEN)
        .distinct()
        .order_by("name", "pk")
        .prefetch_related(
            Prefetch("engagements", queryset=engagements, to_attr="open_engagements"),
            Prefetch("w9s", queryset=W9.objects.visible_to(principal), to_attr="w9_rows"),
            Prefetch(
                "w8s",
                queryset=selectors.w8s_in_force(principal, principal.organization.today()),
                to_attr="w8_rows",
            ),
            Prefetch(
                "onboarding_links",
                queryset=OnboardingLink.objects.visible_to(principal),
                to_attr="link_rows",
            ),
            Prefetch(
                "contractor_statements",
                queryset=ContractorStatement.objects.visible_to(principal),
                to_attr="statement_rows",
            ),
        )
    )
    rows = []
    for provider in providers:
        engagement_rows = []
        for engagement in provider.open_engagements:
            versions = sorted(engagement.agreement_versions.all(), key=lambda v: -v.number)
            request = versions[0].signature_request if versions else None
            engagement_rows.append(
                EngagementStanding(engagement, agreements.state(engagement), request)
            )
        w9 = provider.w9_rows[0] if provider.w9_rows else None
        standing = Standing(
            provider=provider,
            w9=w9,
            w8=selectors.foreign_form(w9, provider.w8_rows[0] if provider.w8_rows else None),
            link=provider.link_rows[0] if provider.link_rows else None,
            engagements=engagement_rows,
            described=bool(provider.statement_rows),
        )
        standing.stage = _stage(standing)
        standing.missing = _missing(principal, standing)
        if not stage or standing.stage == stage:
            rows.append(standing)
    return rows
