from django.urls import path

from handoff.insights import checkin_views, dashboard_views, report_views, scorecard_views, views

app_name = "insights"

ORG = "o/<slug:org_slug>/"

urlpatterns = [
    path(ORG + "dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path(ORG + "reports/summary/", report_views.org_summary, name="org_summary"),
    path(ORG + "reports/summary.pdf", report_views.org_summary_pdf, name="org_summary_pdf"),
    path(ORG + "reports/summary.csv", report_views.org_summary_csv, name="org_summary_csv"),
    path(
        ORG + "providers/<int:provider_pk>/review/",
        report_views.provider_review,
        name="provider_review",
    ),
    path(
        ORG + "providers/<int:provider_pk>/review/email/",
        report_views.provider_review_email,
        name="provider_review_email",
    ),
    path(
        ORG + "providers/<int:provider_pk>/review.pdf",
        report_views.provider_review_pdf,
        name="provider_review_pdf",
    ),
    path(
        ORG + "providers/<int:provider_pk>/review.csv",
        report_views.provider_review_csv,
        name="provider_review_csv",
    ),
    path(
        ORG + "providers/<int:provider_pk>/reputation/",
        views.provider_reputation,
        name="provider_reputation",
    ),
    path(ORG + "decide/functions/<int:function_pk>/shortlist/", views.shortlist, name="shortlist"),
    path(
        ORG + "decide/functions/<int:function_pk>/shortlist/<int:pk>/remove/",
        views.shortlist_remove,
        name="shortlist_remove",
    ),
    path(
        ORG + "decide/functions/<int:function_pk>/shortlist/<int:pk>/choose/",
        views.shortlist_choose,
        name="shortlist_choose",
    ),
]

# Relationship check-ins: the one-click link (no login: the token is the key), the
# organization's rounds (Evaluate → Check-ins), my own (a member's, and at the portal's address
# the same views serve a provider's contact), a provider's history and the settings.
urlpatterns += [
    path("checkin/<str:token>/", checkin_views.checkin_answer, name="checkin_answer"),
    path(ORG + "checkin-rounds/", checkin_views.checkins_overview, name="checkins"),
    path(ORG + "checkins/", checkin_views.my_checkins, name="my_checkins"),
    path(ORG + "checkins/<int:pk>/", checkin_views.my_checkin, name="my_checkin"),
    path(
        ORG + "providers/<int:provider_pk>/checkins/",
        checkin_views.provider_checkins,
        name="provider_checkins",
    ),
    path(
        ORG + "providers/<int:provider_pk>/checkins/start/",
        checkin_views.provider_checkin_start,
        name="provider_checkin_start",
    ),
    path(ORG + "settings/checkins/", checkin_views.checkin_settings, name="checkin_settings"),
    path("portal/<slug:org_slug>/checkins/", checkin_views.my_checkins, name="portal_checkins"),
    path(
        "portal/<slug:org_slug>/checkins/<int:pk>/",
        checkin_views.my_checkin,
        name="portal_checkin",
    ),
]

# Scorecards: every provider's standing, one function's providers side by side, a provider's
# scorecard with its trend (and the card on the provider's page), and the weights.
urlpatterns += [
    path(ORG + "scorecards/", scorecard_views.standings, name="scorecards"),
    path(ORG + "scorecards/weights/", scorecard_views.weights, name="scorecard_weights"),
    path(
        ORG + "scorecards/functions/<int:function_pk>/",
        scorecard_views.compare,
        name="scorecard_compare",
    ),
    path(
        ORG + "providers/<int:provider_pk>/scorecard/",
        scorecard_views.provider_scorecard,
        name="provider_scorecard",
    ),
    path(
        ORG + "providers/<int:provider_pk>/scorecard/card/",
        scorecard_views.provider_scorecard_card,
        name="provider_scorecard_card",
    ),
]
