"""Scorecard pages: a provider's scorecard for a period with its trend, the providers of one
business function side by side, every provider's standing, and the weights of the overall
score. The figures come from ``scorecards``; these views parse, check the role and render.

Least roles: viewers read every scorecard; admins change the weights.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from handoff.accounts.access import principal_required
from handoff.core.roles import Role
from handoff.core.templatetags.handoff import money
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions.models import BusinessFunction
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import EngagementFunction
from handoff.insights import charts, scorecards
from handoff.insights import standings as standings_
from handoff.providers.models import Provider

TREND_LENGTH = 6
STANDINGS_PAGE_SIZE = 25


def shown(figure: scorecards.Figure, currency: str) -> str:
    """A figure as the pages print it; "no data" when it has none."""
    if not figure.has_data:
        return "no data"
    value = figure.value
    if figure.unit == "percent":
        return scorecards.percent_text(value)
    if figure.unit == "hours":
        return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"
    if figure.unit == "rating":
        return f"{value:.2f} / 5"
    if figure.unit == "money":
        return money(value, currency)
    if figure.unit == "score":
        return scorecards.score_text(value)
    return str(value)


def figure_rows(card: scorecards.Scorecard, currency: str) -> list[dict]:
    return [
        {"figure": figure, "shown": shown(figure, currency)} for figure in card.figures.values()
    ]


def _period(request):
    """The period asked for (by default this quarter), or the default with the errors to show."""
    try:
        return scorecards.parse_period(request.org, request.GET), {}
    except ValidationError as error:
        return standings_.default_period(request.org), error.message_dict


def _picker(request, period, errors) -> dict:
    return {
        "period": period,
        "kinds": scorecards.KIND_CHOICES,
        "errors": errors,
        "previous": period.previous().params(),
        "following": period.following().params(),
        "is_current": period.end >= scorecards.today_for(request.org) >= period.start,
    }


@principal_required(Role.VIEWER)
def provider_scorecard(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    period, errors = _period(request)
    kind = period.kind if period.kind in scorecards.TRUNC else scorecards.MONTH
    until = min(period.end, scorecards.today_for(request.org))
    history = scorecards.trend(request.principal, provider.pk, kind, TREND_LENGTH, until=until)
    if history and history[-1][0] == period:
        card = history[-1][1]  # the trend ends with the period asked for: the same figures
    else:
        card = scorecards.compute(request.principal, period, [provider.pk])[provider.pk]
    currency = request.org.currency
    context = {
        **_picker(request, period, errors),
        "provider": provider,
        "card": card,
        "rows": figure_rows(card, currency),
        "overall": shown(card.overall, currency),
        "questions": [
            (label, card.checkin_questions.get(key))
            for key, label in scorecards.CHECKIN_QUESTIONS.items()
        ],
        "history": [
            {"period": p, "card": c, "cells": [shown(c[key], currency) for key in TREND_KEYS]}
            for p, c in history
        ],
        "trend_labels": [scorecards.LABELS[key][0] for key in TREND_KEYS],
        "chart": charts.on_time_chart(
            [(p.label, c["on_time"].value) for p, c in history], provider.name
        )
        if history
        else None,
    }
    return render(request, "insights/scorecard.html", context, status=422 if errors else 200)


TREND_KEYS = (
    "on_time",
    "lateness_avg",
    "turnaround",
    "rework",
    "quality",
    "responses",
    "checkins",
    "spend",
)


@principal_required(Role.VIEWER)
def provider_scorecard_card(request, provider_pk):
    """The scorecard summary on a provider's page (an htmx fragment): this quarter."""
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    period = scorecards.current(request.org, scorecards.QUARTER)
    card = scorecards.compute(request.principal, period, [provider.pk])[provider.pk]
    currency = request.org.currency
    context = {
        "provider": provider,
        "period": period,
        "card": card,
        "overall": shown(card.overall, currency),
        "on_time": shown(card["on_time"], currency),
        "query": period.params(),
    }
    return render(request, "insights/_scorecard_card.html", context)


def _ranked(principal, period, names: dict[int, str]) -> list[dict]:
    """The scorecards of ``names`` (one function's providers), ranked as the standings are:
    best overall first, no overall score last, then by name; each row with its rank."""
    cards = scorecards.compute(principal, period, list(names))
    return standings_.rank(standings_.Ranked(0, pk, name, cards[pk]) for pk, name in names.items())


def _standings_page(request, period, ranked: list, chart_title: str) -> dict:
    """One page of the standings: the rows shown (figures formatted for those only), their
    chart, and the links to the other pages, which keep the period."""
    ranked = [
        {"provider_id": row.provider_id, "name": row.name, "card": row.card, "rank": row.rank}
        for row in ranked
    ]
    page = Paginator(ranked, STANDINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    currency = request.org.currency
    for row in page.object_list:
        row["overall"] = shown(row["card"].overall, currency)
        row["cells"] = [shown(row["card"][key], currency) for key in TREND_KEYS]
    return {
        "page": page,
        "rows": page.object_list,
        "page_query": urlencode(period.params()),
        "columns": [scorecards.LABELS[key][0] for key in TREND_KEYS],
        "chart": charts.standings_chart(
            [(row["name"], row["card"].overall.value) for row in page.object_list], chart_title
        )
        if any(row["card"].overall.has_data for row in page.object_list)
        else None,
    }


def engaged_providers(principal, function=None) -> dict[int, str]:
    """Providers with an engagement past draft (for ``function`` when given): id → name."""
    links = EngagementFunction.objects.visible_to(principal).exclude(
        engagement__status=EngagementStatus.DRAFT
    )
    if function is not None:
        links = links.filter(function=function)
    return dict(
        links.values_list("engagement__provider_id", "engagement__provider__name")
        .distinct()
        .order_by("engagement__provider__name")
    )


@principal_required(Role.VIEWER)
def standings(request):
    """The standings of a period (by default this quarter, as on the dashboard), best first, a
    page at a time, and the functions."""
    period, errors = _period(request)
    ranked = standings_.ranked(request.principal, period)
    context = {
        **_picker(request, period, errors),
        **_standings_page(request, period, ranked, f"Overall score, {period.label}"),
        "functions": BusinessFunction.objects.visible_to(request.principal)
        .filter(engagements__isnull=False)
        .distinct(),
    }
    return render(request, "insights/scorecards.html", context, status=422 if errors else 200)


@principal_required(Role.VIEWER)
def compare(request, function_pk):
    """The providers of one business function side by side."""
    function = get_visible_or_404(BusinessFunction.objects, request.principal, pk=function_pk)
    period, errors = _period(request)
    names = engaged_providers(request.principal, function)
    context = {
        **_picker(request, period, errors),
        **_standings_page(
            request,
            period,
            _ranked(request.principal, period, names),
            f"{function.name}: overall score, {period.label}",
        ),
        "function": function,
    }
    return render(request, "insights/compare.html", context, status=422 if errors else 200)


@principal_required(Role.ADMIN)
def weights(request):
    """How much each figure counts in the overall score."""
    current = scorecards.weights_for(request.principal)
    errors, values = {}, {key: current[key] for key in scorecards.SCORED}
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in scorecards.SCORED}
        try:
            scorecards.save_weights(request.principal, weights=values)
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, "The weights are saved; scorecards use them from now on.")
            return redirect("insights:scorecard_weights", request.org.slug)
    fields = [
        {
            "key": key,
            "label": scorecards.LABELS[key][0],
            "value": values[key],
            "default": scorecards.DEFAULT_WEIGHTS[key],
            "errors": errors.get(key, []),
        }
        for key in scorecards.SCORED
    ]
    context = {"fields": fields, "form_errors": errors.get("weights", [])}
    return render(request, "insights/weights.html", context, status=422 if errors else 200)
