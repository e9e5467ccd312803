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
