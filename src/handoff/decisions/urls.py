from django.urls import path

from handoff.decisions import views

app_name = "decisions"

ORG = "o/<slug:org_slug>/"

urlpatterns = [
    path(ORG + "functions/", views.function_list, name="functions"),
]
