"""The organization-scoped reads the engagements API's handlers and schemas share."""

from django.db.models import Exists, OuterRef, Subquery
from ninja import Schema

from handoff.core.api import patch_data
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.choices import AgreementState
from handoff.engagements.models import AgreementVersion, Engagement, SignedAgreement


def _engagement_rows(principal):
    """Engagements ready for ``EngagementOut``: the provider joined, functions and tiers
    prefetched and the agreement's state annotated, so a page costs the same queries whatever
    its length."""
    versions = AgreementVersion.objects.filter(engagement=OuterRef("pk"))
    return (
        Engagement.objects.visible_to(principal)
        .select_related("provider")
        .prefetch_related("functions", "price_tiers")
        .annotate(
            has_signed_agreement=Exists(SignedAgreement.objects.filter(engagement=OuterRef("pk"))),
            has_agreement_version=Exists(versions),
            latest_version_sent_at=Subquery(versions.order_by("-number").values("sent_at")[:1]),
        )
    )


def _agreement_state(engagement) -> AgreementState:
    """``agreements.state`` read from the annotations of ``_engagement_rows``."""
    if engagement.has_signed_agreement:
        return AgreementState.SIGNED
    if not engagement.has_agreement_version:
        return AgreementState.NONE
    if engagement.latest_version_sent_at:
        return AgreementState.SENT
    return AgreementState.GENERATED


def _engagement_out(request, engagement_id: int) -> Engagement:
    return get_visible_or_404(
        _engagement_rows(request.principal), request.principal, pk=engagement_id
    )


def _engagement(request, engagement_id: int) -> Engagement:
    return get_visible_or_404(
        Engagement.objects.select_related("organization", "provider"),
        request.principal,
        pk=engagement_id,
    )


def _child(principal, queryset, engagement: Engagement, pk: int):
    """A row of ``engagement``: another engagement's or organization's row is a 404."""
    child = get_visible_or_404(queryset, principal, pk=pk, engagement=engagement)
    child.engagement = engagement
    return child


def _of(principal, model, engagement: Engagement):
    return model.objects.visible_to(principal).filter(engagement=engagement)


def _merged(instance, payload: Schema, fields) -> dict:
    """The row's values with the fields sent in ``payload`` over them (for a PATCH)."""
    return {key: getattr(instance, key) for key in fields} | patch_data(payload, type(instance))
