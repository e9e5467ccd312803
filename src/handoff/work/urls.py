from django.urls import path

from handoff.work import new_task_views, views
from handoff.work.portal_urls import issue_urlpatterns

app_name = "work"

ORG = "o/<slug:org_slug>/"
TASK = ORG + "tasks/<int:pk>/"
ENGAGEMENT = ORG + "engagements/<int:engagement_pk>/"

urlpatterns = [
    path(ORG + "tasks/", views.task_list, name="tasks"),
    path(ORG + "tasks/new/", new_task_views.task_new, name="task_new"),
    path(TASK, views.task_detail, name="task"),
    path(TASK + "edit/", views.task_edit, name="task_edit"),
    path(TASK + "move/", views.task_move, name="task_move"),
    path(TASK + "nudge/", views.task_nudge, name="task_nudge"),
    path(TASK + "comments/", views.task_comment, name="task_comment"),
    path(TASK + "files/", views.task_attach, name="task_attach"),
    path(TASK + "files/<int:file_pk>/", views.attachment_download, name="attachment"),
    path(ENGAGEMENT + "tasks/new/", views.task_create, name="task_create"),
    path(ENGAGEMENT + "tasks/suggest-due/", views.suggest_due, name="suggest_due"),
    path(ENGAGEMENT + "work/", views.engagement_work, name="engagement_work"),
    path(ENGAGEMENT + "schedules/", views.schedule_list, name="schedules"),
    path(ENGAGEMENT + "schedules/new/", views.schedule_create, name="schedule_create"),
    path(ORG + "schedules/<int:pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path(ORG + "schedules/<int:pk>/<slug:action>/", views.schedule_action, name="schedule_action"),
    path(ORG + "calendar-feeds/", views.calendar_feeds, name="calendar_feeds"),
    path(
        ORG + "calendar-feeds/<int:pk>/revoke/",
        views.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
]

urlpatterns += issue_urlpatterns
