from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "handoff.core"
    label = "core"
    verbose_name = "Handoff core"
