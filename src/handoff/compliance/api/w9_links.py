"""W-9 links: ask a payee for their W-9 by a one-time link, follow where they stand, withdraw
a link; and the contractor's own signed answers on how they work, beside the latest
assessment. Reading for viewers; sending and withdrawing for managers. The contractor's side is
the link's pages, not the API (the link's token is its only credential)."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Schema, Status

from handoff.compliance import onboarding, selectors
from handoff.compliance.api.routing import ERRORS, router
from handoff.core.api import api_access, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.models import Engagement
from handoff.providers.models import Provider

LinkStatus = Literal["sent", "opened", "consented", "signed", "expired", "revoked"]


class W9LinkOut(Schema):
    id: int
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    sent_to: str
    status: LinkStatus = Field(
        description="sent → opened → consented → signed; or expired, or revoked (withdrawn)."
    )
    created_at: datetime
    expires_at: datetime
    reminded_at: datetime | None = Field(description="When the contractor was mailed again.")
    opened_at: datetime | None
    consented_at: datetime | None
    signed_at: datetime | None
    revoked_at: datetime | None
    signer_name: str
    document_sha256: str = Field(
        description="SHA-256 of the signed PDF (or uploaded W-8BEN-E); empty until signed."
    )
    w9_id: int | None = Field(description="The W-9 signed through the link.")
    w8_id: int | None = Field(
        None, description="Or the W-8BEN signed, or W-8BEN-E uploaded, by a foreign payee."
    )
    agreement_request_id: int | None = Field(
        None,
        alias="agreement_id",
        description="The signature request of the agreement sent with the link "
        "(/signature-requests/{id}).",
    )
    described_how_they_work: bool = Field(
        description="The contractor also answered how they work (contractor-statement)."
    )

    @staticmethod
    def resolve_described_how_they_work(link) -> bool:
        return hasattr(link, "statement")


class W9LinkCreated(W9LinkOut):
    url: str = Field(
        description="The link itself, shown this once (it was e-mailed to sent_to as well)."
    )


class W9LinkPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[W9LinkOut]


class W9LinkFilters(Schema):
    provider: int | None = None
    status: LinkStatus | None = None
    page: int = 1
    per_page: int = 50


class W9LinkIn(Schema):
    provider_id: int
    email: str = Field(
        "", max_length=254, description="Default: the payee's first contact with an address."
    )
    engagement_id: int | None = Field(
        None,
        description="Also send this engagement's newest agreement, for the payee to sign after "
        "the tax form through the same link (the caller countersigns after them).",
    )


@router.get(
    "/compliance/w9-links",
    response={200: W9LinkPage, **ERRORS},
    summary="W-9 links sent and where each payee stands",
)
@api_access()
def list_w9_links(request, filters: Query[W9LinkFilters]):
    rows = onboarding.links(request.principal)
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    if filters.status:
        rows = onboarding.with_status(rows, filters.status)
    return paginate(rows, filters.page, filters.per_page)


@router.post(
    "/compliance/w9-links",
    response={201: W9LinkCreated, **ERRORS},
    summary="E-mail a payee a link to give their tax form and, optionally, sign an agreement "
    "(withdraws an earlier one)",
)
@api_access(Role.MANAGER)
def send_w9_link(request, payload: W9LinkIn):
    provider = Provider.objects.visible_to(request.principal).filter(pk=payload.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "Choose a provider of this organization."})
    engagement = None
    if payload.engagement_id is not None:
        engagement = (
            Engagement.objects.visible_to(request.principal)
            .filter(pk=payload.engagement_id)
            .first()
        )
        if engagement is None:
            raise ValidationError({"engagement_id": "Choose an engagement of this organization."})
    link, raw = onboarding.send_link(
        request.principal, provider, email=payload.email, engagement=engagement
    )
    link.url = onboarding.link_url(raw)
    return Status(201, link)


@router.get(
    "/compliance/w9-links/{link_id}",
    response={200: W9LinkOut, **ERRORS},
    summary="One W-9 link",
)
@api_access()
def get_w9_link(request, link_id: int):
    return get_visible_or_404(onboarding.links(request.principal), request.principal, pk=link_id)


@router.post(
    "/compliance/w9-links/{link_id}/withdraw",
    response={200: W9LinkOut, **ERRORS},
    summary="Withdraw a W-9 link so it no longer works",
)
@api_access(Role.MANAGER)
def withdraw_w9_link(request, link_id: int):
    link = get_visible_or_404(onboarding.links(request.principal), request.principal, pk=link_id)
    return onboarding.withdraw(request.principal, link)


class StatementRowOut(Schema):
    key: str = Field(description="The classification factor the question stands for.")
    question: str
    theirs: str = Field(description="Yes, No or Not sure; empty: not answered.")
    ours: str = Field(description="The latest assessment's answer; empty: none.")
    disagrees: bool = Field(description="One side says yes and the other no.")


class ContractorStatementOut(Schema):
    id: int
    provider_id: int
    signer_name: str
    signed_at: datetime
    note: str
    assessment_id: int | None = Field(description="The latest assessment compared with.")
    rows: list[StatementRowOut]


@router.get(
    "/compliance/providers/{provider_id}/contractor-statement",
    response={200: ContractorStatementOut, **ERRORS},
    summary="The contractor's own signed answers on how they work, beside the latest assessment",
)
@api_access()
def contractor_statement(request, provider_id: int):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    statement = onboarding.latest_statement(request.principal, provider)
    if statement is None:
        raise Http404("The contractor has not described how they work.")
    assessment = selectors.latest_assessments(request.principal, [provider.pk]).get(provider.pk)
    ours = (
        {key: value.get("answer", "") for key, value in assessment.answers.items()}
        if assessment
        else {}
    )
    return {
        "id": statement.pk,
        "provider_id": provider.pk,
        "signer_name": statement.signer_name,
        "signed_at": statement.signed_at,
        "note": statement.note,
        "assessment_id": assessment.pk if assessment else None,
        "rows": onboarding.side_by_side(statement, ours),
    }
