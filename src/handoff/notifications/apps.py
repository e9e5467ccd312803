from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "handoff.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Registers this app's sweeps (webhook retries, e-mail retries, the daily digest).
        from handoff.notifications import jobs  # noqa: F401
