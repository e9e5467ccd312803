from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "handoff.insights"
    label = "insights"
    verbose_name = "Evaluate"

    def ready(self):
        # Registers this app's sweeps (the relationship check-in rounds).
        from handoff.insights import (
            jobs,  # noqa: F401
            rollup,
        )
        from handoff.work import hooks

        # A task changed marks its month of the scorecards' task facts stale.
        hooks.on_task_changed(rollup.task_changed)
