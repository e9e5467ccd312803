from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "handoff.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Registers this app's sweeps (webhook retries, e-mail retries, the daily digest).
        from handoff.core import backup
        from handoff.notifications import jobs, services  # noqa: F401

        # A restored inbox's links name the restored organization's pages.
        backup.AFTER_RESTORE.append(services.relink_restored)
