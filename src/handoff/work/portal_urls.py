"""Addresses of the provider portal (``/portal/<org_slug>/``), of the organization's pages that
manage it (``/o/<org_slug>/portal/``), and of the issue pages (added to ``work/urls.py``)."""

from django.urls import path

from handoff.accounts import portal_views as account_portal_views
from handoff.accounts import views as account_views
from handoff.engagements import agreement_views
from handoff.engagements import views as engagement_views
from handoff.providers import portal_access_views
from handoff.work import issue_views
from handoff.work import portal_views as views
from handoff.work import views as task_views

app_name = "portal"

PORTAL = "portal/<slug:org_slug>/"
ORG = "o/<slug:org_slug>/"

urlpatterns = [
    # "invite" is a reserved organization slug, so this never shadows a portal.
    path("portal/invite/<str:token>/", account_portal_views.accept, name="accept"),
    path(PORTAL, views.home, name="home"),
    # An engagement's page: the members' view, showing a contact what is written for them.
    path(PORTAL + "engagements/<int:pk>/", engagement_views.engagement_detail, name="engagement"),
    path(
        PORTAL + "engagements/<int:pk>/agreement/signed/<int:signed_pk>/download/",
        agreement_views.signed_download,
        name="signed_agreement",
    ),
    # A document waiting for the contact's signature, opened on its signing page.
    path(PORTAL + "signers/<int:pk>/sign/", views.review_and_sign, name="review_and_sign"),
    # The task list, a task's page, its moves, comments and files: the members' views
    # (work/views.py), serving a provider's contact what the visibility rule allows.
    path(PORTAL + "tasks/", task_views.task_list, name="tasks"),
    path(PORTAL + "tasks/<int:pk>/", task_views.task_detail, name="task"),
    path(PORTAL + "tasks/<int:pk>/move/", task_views.task_move, name="task_move"),
    path(PORTAL + "tasks/<int:pk>/comment/", task_views.task_comment, name="task_comment"),
    path(
        PORTAL + "tasks/<int:pk>/files/<int:file_pk>/",
        task_views.attachment_download,
        name="task_file",
    ),
    # The issue list, raising, an issue's page and answering: the members' views
    # (work/issue_views.py), serving a provider's contact what the visibility rule allows.
    path(PORTAL + "issues/", issue_views.issue_list, name="issues"),
    path(PORTAL + "issues/new/", issue_views.issue_raise, name="issue_raise"),
    path(PORTAL + "issues/<int:pk>/", issue_views.issue_detail, name="issue"),
    path(PORTAL + "issues/<int:pk>/respond/", issue_views.issue_respond, name="issue_respond"),
    # A contact's own API tokens and calendar addresses: the members' pages.
    path(PORTAL + "api-tokens/", account_views.api_tokens, name="api_tokens"),
    path(
        PORTAL + "api-tokens/<int:pk>/revoke/",
        account_views.revoke_api_token,
        name="revoke_api_token",
    ),
    path(PORTAL + "calendar-feeds/", task_views.calendar_feeds, name="calendar_feeds"),
    path(
        PORTAL + "calendar-feeds/<int:pk>/revoke/",
        task_views.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    # The organization's side.
    path(ORG + "portal/", portal_access_views.access_list, name="access_list"),
    path(ORG + "portal/invite/", portal_access_views.access_invite, name="access_invite"),
    path(ORG + "portal/<int:pk>/revoke/", portal_access_views.access_revoke, name="access_revoke"),
    path(ORG + "settings/portal/", account_portal_views.portal_settings, name="settings"),
]

# Issue pages belong to the "work" namespace (``Issue.get_absolute_url``); ``work/urls.py``
# adds them with ``urlpatterns += issue_urlpatterns``.
issue_urlpatterns = [
    path(ORG + "issues/", issue_views.issue_list, name="issues"),
    path(ORG + "issues/<int:pk>/", issue_views.issue_detail, name="issue"),
    path(ORG + "issues/<int:pk>/respond/", issue_views.issue_respond, name="issue_respond"),
    path(ORG + "issues/<int:pk>/resolve/", issue_views.issue_resolve, name="issue_resolve"),
    path(ORG + "issues/<int:pk>/reopen/", issue_views.issue_reopen, name="issue_reopen"),
    path(
        ORG + "engagements/<int:engagement_pk>/issues/new/",
        issue_views.issue_raise,
        name="issue_raise",
    ),
]
