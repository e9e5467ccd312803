"""Scorecards in the API: a provider's scorecard for a period, its trend, one function's
providers side by side, and the weights of the overall score (admins change them).

Periods: ``period`` = month, quarter, year (with ``on``, a day inside it; default today) or
custom (with ``from`` and ``to``, both included); without one, this quarter (the default of
the pages too). A bad period is 422 naming the field.
"""

from datetime import date

from ninja import Field, Query, Router, Schema

from handoff.core.api import ErrorOut, api_access
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions.models import BusinessFunction
from handoff.insights import scorecards
from handoff.insights.scorecard_views import engaged_providers
from handoff.providers.models import Provider

router = Router(tags=["scorecards"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PeriodIn(Schema):
    period: str = Field(
        scorecards.DEFAULT_KIND,
        description="month, quarter, year or custom; by default this quarter, as on the pages.",
    )
    on: date | None = Field(None, description="A day inside the month, quarter or year.")
    from_: date | None = Field(None, alias="from", description="Custom: the first day.")
    to: date | None = Field(None, description="Custom: the last day.")

    def params(self) -> dict:
        return {"period": self.period, "on": self.on, "from": self.from_, "to": self.to}


class ScorecardPeriodOut(Schema):
    kind: str
    start: date
    end: date
    label: str


class ScorecardFigureOut(Schema):
    key: str
    label: str
    unit: str = Field(description="percent (0–1), hours, rating (1–5), money, count, score.")
    value: float | None = Field(description="None: no data in the period.")
    count: int = Field(description="The data points the figure rests on.")
    url: str = Field(description="The page listing the rows behind the figure.")


class ScorecardOut(Schema):
    provider_id: int
    provider_name: str
    period: ScorecardPeriodOut
    overall: ScorecardFigureOut = Field(description="0–100; count is the number of figures used.")
    figures: list[ScorecardFigureOut]
    checkin_questions: dict[str, float | None]


class TrendOut(Schema):
    provider_id: int
    provider_name: str
    periods: list[ScorecardOut]


class WeightsOut(Schema):
    weights: dict[str, float]
    defaults: dict[str, float]


class WeightsIn(Schema):
    weights: dict[str, object]


def _figure(figure: scorecards.Figure) -> dict:
    value = figure.value
    if value is not None:
        value = round(float(value), 4)
    return {
        "key": figure.key,
        "label": figure.label,
        "unit": figure.unit,
        "value": value,
        "count": figure.count,
        "url": figure.url,
    }


def _card(card: scorecards.Scorecard, name: str) -> dict:
    period = card.period
    return {
        "provider_id": card.provider_id,
        "provider_name": name,
        "period": {
            "kind": period.kind,
            "start": period.start,
            "end": period.end,
            "label": period.label,
        },
        "overall": _figure(card.overall),
        "figures": [_figure(figure) for figure in card.figures.values()],
        "checkin_questions": card.checkin_questions,
    }


@router.get(
    "/providers/{provider_id}/scorecard",
    response={200: ScorecardOut, **ERRORS},
    summary="A provider's scorecard for a period",
)
@api_access()
def provider_scorecard(request, provider_id: int, period: Query[PeriodIn]):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    chosen = scorecards.parse_period(request.org, period.params())
    card = scorecards.compute(request.principal, chosen, [provider.pk])[provider.pk]
    return _card(card, provider.name)


@router.get(
    "/providers/{provider_id}/scorecard/trend",
    response={200: TrendOut, **ERRORS},
    summary="A provider's last months, quarters or years (none before its first record)",
)
@api_access()
def provider_trend(
    request,
    provider_id: int,
    period: str = scorecards.MONTH,
    count: int = 6,
    until: date | None = None,
):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    rows = scorecards.trend(request.principal, provider.pk, period, count, until=until)
    return {
        "provider_id": provider.pk,
        "provider_name": provider.name,
        "periods": [_card(card, provider.name) for _, card in rows],
    }


@router.get(
    "/functions/{function_id}/scorecards",
    response={200: list[ScorecardOut], **ERRORS},
    summary="The providers of one business function side by side, best first",
)
@api_access()
def compare(request, function_id: int, period: Query[PeriodIn]):
    function = get_visible_or_404(BusinessFunction.objects, request.principal, pk=function_id)
    chosen = scorecards.parse_period(request.org, period.params())
    names = engaged_providers(request.principal, function)
    cards = scorecards.compute(request.principal, chosen, list(names))
    ranked = sorted(
        cards.values(),
        key=lambda c: (c.overall.value is None, -(c.overall.value or 0), names[c.provider_id]),
    )
    return [_card(card, names[card.provider_id]) for card in ranked]


@router.get(
    "/scorecards/weights",
    response={200: WeightsOut, **ERRORS},
    summary="The weight of each figure in the overall score",
)
@api_access()
def get_weights(request):
    return {
        "weights": scorecards.weights_for(request.principal),
        "defaults": scorecards.DEFAULT_WEIGHTS,
    }


@router.put(
    "/scorecards/weights",
    response={200: WeightsOut, **ERRORS},
    summary="Change the weights (admin and up): non-negative numbers, not all zero",
)
@api_access(Role.ADMIN)
def put_weights(request, payload: WeightsIn):
    saved = scorecards.save_weights(request.principal, weights=payload.weights)
    return {"weights": saved, "defaults": scorecards.DEFAULT_WEIGHTS}
