"""The dashboard page: what needs doing now, spend against plan, and provider standings.

Least role: viewer (everyone in the organization reads it)."""

from django.shortcuts import render

from handoff.accounts.access import principal_required
from handoff.core.roles import Role
from handoff.insights import charts, dashboard, reports


@principal_required(Role.VIEWER)
def dashboard_page(request):
    board = dashboard.build(request.principal, user=request.user)
    best, lowest = board.standings_shown
    shown = [row for _, row in best + lowest]
    title = f"Overall score, {board.standings_period}"
    if lowest:
        title += f": best {len(best)} and lowest {len(lowest)} of {len(board.standings)}"
    context = {
        "board": board,
        "best": best,
        "lowest": lowest,
        "partial": len(shown) < len(board.standings),
        "spend_chart": reports.spend_chart(board.spend, request.org.currency),
        "standings_chart": charts.standings_chart(
            [(row.provider, row.overall) for row in shown], title
        )
        if any(row.overall is not None for row in shown)
        else "",
    }
    return render(request, "insights/dashboard.html", context)
