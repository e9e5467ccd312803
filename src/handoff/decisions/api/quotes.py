"""An analysis's outsourced quotes."""

from ninja import Status

from handoff.core.api import api_access, fields_named, patch_data
from handoff.core.roles import Role
from handoff.decisions import selectors, services
from handoff.decisions.api.routing import DECIDE, ERRORS, router
from handoff.decisions.api.schemas import QuoteIn, QuoteOut, QuotePatch
from handoff.decisions.api.shaping import _analysis, _tier_rows
from handoff.decisions.models import Quote


def _quote_out(quote: Quote) -> Quote:
    return Quote.objects.select_related("provider").prefetch_related("tiers").get(pk=quote.pk)


@router.post(
    "/analyses/{analysis_id}/quotes",
    response={201: QuoteOut, **ERRORS},
    tags=DECIDE,
    summary="Add an outsourced quote",
)
@api_access(Role.MANAGER)
@fields_named(provider="provider_id")
def add_quote(request, analysis_id: int, payload: QuoteIn):
    quote = services.add_quote(
        request.principal,
        _analysis(request, analysis_id),
        data=payload.dict(exclude={"tiers"}),
        tiers=_tier_rows(payload.tiers),
    )
    return Status(201, _quote_out(quote))


@router.patch(
    "/analyses/{analysis_id}/quotes/{quote_id}",
    response={200: QuoteOut, **ERRORS},
    tags=DECIDE,
    summary="Change a quote (only the fields sent; the tiers only when sent)",
)
@api_access(Role.MANAGER)
@fields_named(provider="provider_id")
def update_quote(request, analysis_id: int, quote_id: int, payload: QuotePatch):
    quote = selectors.row_of(request.principal, Quote, _analysis(request, analysis_id), quote_id)
    services.update_quote(
        request.principal,
        quote,
        data=patch_data(payload, Quote, exclude={"tiers"}),
        tiers=None if payload.tiers is None else _tier_rows(payload.tiers),
    )
    return _quote_out(quote)


@router.delete(
    "/analyses/{analysis_id}/quotes/{quote_id}",
    response={204: None, **ERRORS},
    tags=DECIDE,
    summary="Remove a quote",
)
@api_access(Role.MANAGER)
def delete_quote(request, analysis_id: int, quote_id: int):
    services.delete_quote(
        request.principal,
        selectors.row_of(request.principal, Quote, _analysis(request, analysis_id), quote_id),
    )
    return Status(204, None)
