from django.urls import path

from handoff.insights import views

app_name = "insights"

ORG = "o/<slug:org_slug>/"

urlpatterns = [
    path(
        ORG + "providers/<int:provider_pk>/reputation/",
        views.provider_reputation,
        name="provider_reputation",
    ),
]
