from django.urls import path

from handoff.providers import vetting_views as vet
from handoff.providers import views

app_name = "providers"

ORG = "o/<slug:org_slug>/"

urlpatterns = [
    path(ORG + "providers/", views.provider_list, name="list"),
    path(ORG + "providers/export.csv", views.provider_export, name="export"),
    path(ORG + "providers/new/", views.provider_create, name="create"),
    path(ORG + "providers/import/", views.provider_import, name="import"),
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
    path(
        ORG + "providers/<int:provider_pk>/references/new/",
        vet.reference_create,
        name="reference_create",
    ),
    path(ORG + "references/<int:pk>/", vet.reference_detail, name="reference_detail"),
    path(ORG + "references/<int:pk>/edit/", vet.reference_edit, name="reference_edit"),
    path(ORG + "references/<int:pk>/checks/new/", vet.check_create, name="check_create"),
    path(ORG + "references/<int:pk>/request/", vet.check_request, name="check_request"),
    path(ORG + "reference-questions/", vet.question_list, name="questions"),
    path(
        ORG + "providers/<int:provider_pk>/due-diligence/apply/",
        vet.due_diligence_apply,
        name="due_diligence_apply",
    ),
    path(ORG + "due-diligence/<int:pk>/", vet.due_diligence_item, name="due_diligence_item"),
    path(
        ORG + "due-diligence/<int:pk>/document/",
        vet.due_diligence_document,
        name="due_diligence_document",
    ),
    path(ORG + "due-diligence/expiring/", vet.due_diligence_expiring, name="expiring"),
    path(
        ORG + "due-diligence/checklists/",
        vet.due_diligence_templates,
        name="due_diligence_templates",
    ),
    path("reference-check/<str:token>/", vet.reference_answer, name="reference_answer"),
]
