from django.urls import path

from handoff.decisions import analysis_views as analyses
from handoff.decisions import option_views as options
from handoff.decisions import views

app_name = "decisions"

ORG = "o/<slug:org_slug>/"
DECIDE = ORG + "decide/"
ONE = DECIDE + "analyses/<int:pk>/"

urlpatterns = [
    path(ORG + "functions/", views.function_list, name="functions"),
    path(DECIDE, analyses.overview, name="analyses"),
    path(
        DECIDE + "functions/<int:function_pk>/",
        analyses.function_analyses,
        name="function_analyses",
    ),
    path(DECIDE + "functions/<int:function_pk>/new/", analyses.analysis_start, name="start"),
    path(ONE, analyses.analysis_detail, name="analysis"),
    path(ONE + "edit/", analyses.analysis_edit, name="edit"),
    path(ONE + "print/", analyses.analysis_print, name="print"),
    path(ONE + "pdf/", analyses.analysis_pdf, name="pdf"),
    path(ONE + "decision/", analyses.decide, name="decide"),
    path(ONE + "in-house/", options.in_house_edit, name="in_house"),
    path(ONE + "roles/new/", options.role_create, name="role_create"),
    path(ONE + "roles/<int:role_pk>/", options.role_edit, name="role_edit"),
    path(ONE + "roles/<int:role_pk>/delete/", options.role_delete, name="role_delete"),
    path(ONE + "quotes/new/", options.quote_create, name="quote_create"),
    path(ONE + "quotes/<int:quote_pk>/", options.quote_edit, name="quote_edit"),
    path(ONE + "quotes/<int:quote_pk>/delete/", options.quote_delete, name="quote_delete"),
]
