from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "handoff.insights"
    label = "insights"
    verbose_name = "Evaluate"
