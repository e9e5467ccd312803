"""Scorecard charts are drawn once for the same figures and title."""

from handoff.insights import charts


def test_the_same_figures_draw_the_same_chart_once():
    points = [("Q1 2026", 0.5), ("Q2 2026", None)]
    first = charts.on_time_chart(points, "Ledgerline")
    assert charts.on_time_chart(list(points), "Ledgerline") is first
    assert charts.on_time_chart([("Q1 2026", 0.6), ("Q2 2026", None)], "Ledgerline") != first
    rows = [("Ledgerline", 92.0), ("ClearClaim", None)]
    assert charts.standings_chart(rows, "Overall") is charts.standings_chart(list(rows), "Overall")
    assert charts.standings_chart(rows, "Overall, Q1") is not charts.standings_chart(
        rows, "Overall"
    )
