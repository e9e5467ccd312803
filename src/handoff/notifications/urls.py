from django.urls import path

from handoff.notifications import views
from handoff.notifications import webhook_views as hooks

app_name = "notifications"

ORG = "o/<slug:org_slug>/"
HOOK = ORG + "settings/webhooks/<int:pk>/"

urlpatterns = [
    path(ORG + "inbox/", views.inbox, name="inbox"),
    path(ORG + "inbox/read-all/", views.mark_all, name="mark_all"),
    path(ORG + "inbox/preferences/", views.preferences, name="preferences"),
    path(ORG + "inbox/<int:pk>/", views.open_notification, name="open"),
    path(ORG + "inbox/<int:pk>/read/", views.mark, name="mark"),
    path(ORG + "settings/webhooks/", hooks.webhook_list, name="webhooks"),
    path(ORG + "settings/webhooks/new/", hooks.webhook_create, name="webhook_create"),
    path(HOOK, hooks.webhook_detail, name="webhook"),
    path(HOOK + "edit/", hooks.webhook_edit, name="webhook_edit"),
    path(HOOK + "delete/", hooks.webhook_delete, name="webhook_delete"),
    path(HOOK + "test/", hooks.webhook_test, name="webhook_test"),
    path(HOOK + "deliveries/<int:delivery_pk>/retry/", hooks.delivery_retry, name="retry"),
]
