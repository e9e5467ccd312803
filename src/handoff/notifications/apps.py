from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "handoff.notifications"
    label = "notifications"
    verbose_name = "Notifications"
