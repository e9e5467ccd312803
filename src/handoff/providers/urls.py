from django.urls import path

from handoff.providers import views

app_name = "providers"

ORG = "o/<slug:org_slug>/"

urlpatterns = [
    path(ORG + "providers/", views.provider_list, name="list"),
    path(ORG + "providers/export.csv", views.provider_export, name="export"),
    path(ORG + "providers/new/", views.provider_create, name="create"),
    path(ORG + "providers/fields/", views.expertise_fields, name="fields"),
    path(ORG + "providers/<int:pk>/", views.provider_detail, name="detail"),
    path(ORG + "providers/<int:pk>/edit/", views.provider_edit, name="edit"),
    path(ORG + "providers/<int:pk>/archive/", views.provider_archive, name="archive"),
    path(
        ORG + "providers/<int:provider_pk>/contacts/new/",
        views.contact_create,
        name="contact_create",
    ),
    path(ORG + "contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path(ORG + "contacts/<int:pk>/archive/", views.contact_archive, name="contact_archive"),
]
