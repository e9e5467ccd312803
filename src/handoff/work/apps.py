from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "handoff.work"
    label = "work"
    verbose_name = "Run"

    def ready(self):
        # Registers this app's sweeps (scheduled tasks, due soon, overdue, escalations).
        from handoff.work import issues, jobs  # noqa: F401
