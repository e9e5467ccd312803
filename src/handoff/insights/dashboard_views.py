"""The dashboard page: what needs doing now, spend against plan, and provider standings.

Least role: viewer (everyone in the organization reads it)."""

from django.shortcuts import render

from handoff.core.access import org_member_required
from handoff.core.roles import Role
from handoff.insights import charts, dashboard, reports


@org_member_required(Role.VIEWER)
def dashboard_page(request):
    board = dashboard.build(request.org, user=request.user)
    context = {
        "board": board,
        "spend_chart": reports.spend_chart(board.spend, request.org.currency),
        "standings_chart": charts.standings_chart(
            [(row.provider, row.overall) for row in board.standings],
            f"Overall score, {board.standings_period}",
        )
        if any(row.overall is not None for row in board.standings)
        else "",
    }
    return render(request, "insights/dashboard.html", context)
