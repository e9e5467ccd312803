from django.urls import path

from handoff.engagements import agreement_views as agreement
from handoff.engagements import setup_views as setup
from handoff.engagements import views

app_name = "engagements"

ORG = "o/<slug:org_slug>/"
ONE = ORG + "engagements/<int:pk>/"

urlpatterns = [
    path(ORG + "engagements/", views.engagement_list, name="list"),
    path(ORG + "engagements/new/", views.engagement_create, name="create"),
    path(ORG + "engagements/renewals/", agreement.renewals, name="renewals"),
    path(ONE, views.engagement_detail, name="detail"),
    path(ONE + "edit/", views.engagement_edit, name="edit"),
    path(ONE + "status/", views.engagement_status, name="status"),
    path(ONE + "plan/", setup.plan_edit, name="plan"),
    path(ONE + "plan/card/", setup.contact_card, name="contact_card"),
    path(ONE + "plan/escalation/", setup.escalation_add, name="escalation_add"),
    path(
        ONE + "plan/escalation/<int:level_pk>/remove/",
        setup.escalation_remove,
        name="escalation_remove",
    ),
    path(ONE + "service-levels/", setup.service_levels, name="service_levels"),
    path(
        ONE + "service-levels/<int:level_pk>/delete/",
        setup.service_level_delete,
        name="service_level_delete",
    ),
    path(ONE + "workflow/", setup.workflow, name="workflow"),
    path(ONE + "workflow/<int:step_pk>/", setup.workflow_step_edit, name="workflow_step_edit"),
    path(
        ONE + "workflow/<int:step_pk>/action/",
        setup.workflow_step_action,
        name="workflow_step_action",
    ),
    path(ONE + "agreement/generate/", agreement.agreement_generate, name="agreement_generate"),
    path(
        ONE + "agreement/<int:version_pk>/send-for-signature/",
        agreement.agreement_send_for_signature,
        name="agreement_send_for_signature",
    ),
    path(ONE + "agreement/<int:version_pk>/sent/", agreement.agreement_sent, name="agreement_sent"),
    path(
        ONE + "agreement/<int:version_pk>/download/",
        agreement.agreement_download,
        name="agreement_download",
    ),
    path(ONE + "agreement/signed/", agreement.signed_upload, name="signed_upload"),
    path(
        ONE + "agreement/signed/<int:signed_pk>/download/",
        agreement.signed_download,
        name="signed_download",
    ),
    path(ONE + "access/new/", agreement.access_add, name="access_add"),
    path(ONE + "access/<int:grant_pk>/revoke/", agreement.access_revoke, name="access_revoke"),
    path(ONE + "exit/", agreement.exit_start, name="exit_start"),
    path(ONE + "exit/items/", agreement.exit_item_add, name="exit_item_add"),
    path(ONE + "exit/items/<int:item_pk>/done/", agreement.exit_item_done, name="exit_item_done"),
    path(
        ORG + "providers/<int:provider_pk>/engagements/",
        views.provider_engagements,
        name="provider_engagements",
    ),
    path(ORG + "holidays/", setup.holidays, name="holidays"),
    path(ORG + "holidays/<int:holiday_pk>/delete/", setup.holiday_delete, name="holiday_delete"),
    path(ORG + "agreement-clauses/", agreement.clauses, name="clauses"),
    path(ORG + "agreement-clauses/<int:clause_pk>/", agreement.clause_edit, name="clause_edit"),
]
