from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "handoff.work"
    label = "work"
    verbose_name = "Run"
