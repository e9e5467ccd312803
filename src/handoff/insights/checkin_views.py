"""Relationship check-in pages: the one-click answer page (the token is the only key), the
organization's rounds (Evaluate → Check-ins), a member's own check-ins, a provider's history
and trend, the organization's settings. "My check-ins" serves members and provider contacts
(the portal's check-ins) from one view."""

import zoneinfo
from urllib.parse import urlencode

import pygal
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.charts import inline_svg
from handoff.core.forms import add_service_errors
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions.charts import STYLE
from handoff.insights import checkin_rounds, checkins, selectors
from handoff.insights.forms import CheckInForm, CheckInSettingsForm
from handoff.insights.models import CheckIn
from handoff.providers.models import Provider


def _with_periods(rows) -> list[CheckIn]:
    rows = list(rows)
    for row in rows:
        row.period = checkins.period_label(row.round.period_start, row.round.period_end)
    return rows


def _them(checkin: CheckIn) -> str:
    return checkin.organization.name if checkin.is_provider_view else checkin.provider.name


def _answer_form(request, checkin: CheckIn):
    """Bind the form and answer on a valid POST, as ``request.principal``: (form, answered?)."""
    form = CheckInForm(request.POST if request.method == "POST" else None, them=_them(checkin))
    if request.method == "POST" and form.is_valid():
        try:
            checkins.answer(request.principal, checkin, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return form, True
    return form, False


def _context(checkin: CheckIn, **extra) -> dict:
    round_ = checkin.round
    return {
        "checkin": checkin,
        "them": _them(checkin),
        "asking_org": checkin.organization,
        "period": checkins.period_label(round_.period_start, round_.period_end),
        "closes": checkin.expires_at,
        **extra,
    }


# --- The one-click link -----------------------------------------------------------------------
def checkin_answer(request, token):
    """The page behind the link: the four questions for anyone holding it, once, before it
    expires. An unknown link is a 404; an answered or expired one says so plainly."""
    checkin = checkins.find_checkin(token)
    if checkin is None:
        return render(request, "insights/checkin_closed.html", {"state": "unknown"}, status=404)
    request.principal = Principal.for_link(checkin)
    timezone.activate(zoneinfo.ZoneInfo(checkin.organization.time_zone))
    current = checkins.state(checkin)
    if current != "open":
        context = _context(checkin, state=current, reason=checkins.refusal(checkin))
        return render(
            request,
            "insights/checkin_closed.html",
            context,
            status=410 if current == "expired" else 200,
        )
    form, answered = _answer_form(request, checkin)
    if answered:
        return render(request, "insights/checkin_thanks.html", _context(checkin))
    return render(request, "insights/checkin_answer.html", _context(checkin, form=form))


# --- The organization's rounds ---------------------------------------------------------------
ROUNDS_PAGE_SIZE = 50


@principal_required(Role.VIEWER)
def checkins_overview(request):
    """Evaluate → Check-ins: every round with its state (scheduled, sent, answered, closed),
    how many answered, and the average answers, ours and the provider's apart."""
    state = request.GET.get("state", "")
    if state not in checkin_rounds.STATES:
        state = ""
    now = timezone.now()
    page = None
    if state != checkin_rounds.SCHEDULED:
        page = Paginator(
            checkin_rounds.rounds(request.principal, now=now, state=state), ROUNDS_PAGE_SIZE
        )
        page = page.get_page(request.GET.get("page"))
        for row in page.object_list:
            row.period = checkins.period_label(row.period_start, row.period_end)
            row.ours = checkin_rounds.side_average(row, "ours")
            row.theirs = checkin_rounds.side_average(row, "theirs")
            row.state_label = checkin_rounds.STATES[row.state]
    context = {
        "state": state,
        "page_query": urlencode({"state": state}) if state else "",
        "states": [("", "All"), *checkin_rounds.STATES.items()],
        "page": page,
        "scheduled": checkin_rounds.scheduled(request.principal, now=now)
        if state in ("", checkin_rounds.SCHEDULED)
        else None,
        "waiting_for_me": checkins.pending_for(request.principal, now).count(),
        "settings": checkins.settings_for(request.principal),
    }
    return render(request, "insights/checkins.html", context)


# --- My check-ins: a member's about providers, a provider contact's about us ----------------
def _mine_url(request) -> str:
    name = "insights:portal_checkins" if request.principal.is_provider else "insights:my_checkins"
    return reverse(name, args=[request.principal.organization.slug])


@principal_required(Role.VIEWER, providers=True)
def my_checkins(request):
    """The check-ins addressed to the person asking: those still open to answer, then the
    latest answered or closed. Members and provider contacts (the portal's "Check-ins") alike."""
    now = timezone.now()
    earlier = _with_periods(
        checkins.addressed_to(request.principal)
        .exclude(checkins.still_open(now))
        .order_by("-round__period_end", "-pk")[: selectors.CHECKIN_ROWS]
    )
    for row in earlier:
        row.current = checkins.state(row, now)
    context = {
        "pending": _with_periods(checkins.pending_for(request.principal, now)),
        "earlier": earlier,
        "mine_url": _mine_url(request),
    }
    return render(request, "insights/checkin_mine.html", context)


@principal_required(Role.VIEWER, providers=True)
def my_checkin(request, pk):
    """Answer one of my check-ins while logged in (the link in the message works too);
    anyone else's is a 404."""
    checkin = get_object_or_404(
        checkins.addressed_to(request.principal).select_related("organization"), pk=pk
    )
    reason = checkins.refusal(checkin)
    if reason:
        messages.info(request, reason)
        return redirect(_mine_url(request))
    form, answered = _answer_form(request, checkin)
    if answered:
        if request.principal.is_provider:
            messages.success(request, f"Thank you; {checkin.organization.name} has your answers.")
        else:
            messages.success(request, f"Thank you; your check-in about {checkin.provider} is in.")
        return redirect(_mine_url(request))
    context = {"mine_url": _mine_url(request)}
    return render(request, "insights/checkin_answer.html", _context(checkin, form=form, **context))


# --- A provider's history ---------------------------------------------------------------------
def trend_chart(rows: list[checkins.PeriodSummary], provider_name: str) -> SafeString:
    """Overall average per period, ours and theirs, as inline SVG (no script)."""
    title = f"{provider_name}: average check-in answer (1–5)"
    chart = pygal.Line(
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        width=640,
        height=320,
        margin_right=72,  # room for the last period's label
        truncate_label=-1,
        title=title,
        y_title="Average answer",
        range=(1, 5),
        legend_at_bottom=True,
        dots_size=3.5,
        allow_interruptions=True,
        value_formatter=lambda value: f"{value:.2f}",
    )
    chart.x_labels = [row.label for row in rows]
    chart.add("Our view", [row.ours.overall for row in rows])
    if any(row.theirs.count for row in rows):
        chart.add("Their view of us", [row.theirs.overall for row in rows])
    return inline_svg(chart, title)


@principal_required(Role.VIEWER)
def provider_checkins(request, provider_pk):
    """Every period's averages for one provider, as a chart and a table, with the notes
    (managers and above) and the button that starts a round now."""
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    rows = checkins.history(request.principal, provider)
    answered = any(row.ours.count or row.theirs.count for row in rows)
    is_manager = request.principal.at_least(Role.MANAGER)
    notes = []
    if is_manager:
        notes = _with_periods(selectors.checkin_notes(request.principal, provider))
    start, today = checkins.current_period(request.principal)
    context = {
        "provider": provider,
        "rows": rows,
        "chart": trend_chart(rows, provider.name) if answered else None,
        "notes": notes,
        "is_manager": is_manager,
        "next_period": checkins.period_label(start, today),
        "settings": checkins.settings_for(request.principal),
    }
    return render(request, "insights/checkin_provider.html", context)


@require_POST
@principal_required(Role.MANAGER)
def provider_checkin_start(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    start, today = checkins.current_period(request.principal)
    before = CheckIn.objects.visible_to(request.principal).filter(provider=provider).count()
    try:
        checkins.start_round(request.principal, provider, period_start=start, period_end=today)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        asked = (
            CheckIn.objects.visible_to(request.principal).filter(provider=provider).count() - before
        )
        if asked:
            messages.success(
                request,
                f"{asked} {'person was' if asked == 1 else 'people were'} asked about "
                f"{provider.name} for {checkins.period_label(start, today)}.",
            )
        else:
            messages.info(
                request,
                "Everyone who works with them was asked already this period, or nobody works "
                "with them yet (point people, escalation ladder, task assignees).",
            )
    return redirect("insights:provider_checkins", request.org.slug, provider.pk)


# --- Settings ---------------------------------------------------------------------------------
@principal_required(Role.ADMIN)
def checkin_settings(request):
    current = checkins.settings_for(request.principal)
    form = CheckInSettingsForm(
        request.POST or None,
        initial={"checkin_months": current.checkin_months, "ask_provider": current.ask_provider},
    )
    if request.method == "POST" and form.is_valid():
        try:
            checkins.update_settings(request.principal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Check-in settings saved.")
            return redirect("insights:checkin_settings", request.org.slug)
    return render(request, "insights/checkin_settings.html", {"form": form})
