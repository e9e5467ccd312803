from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "handoff.compliance"
    label = "compliance"
    verbose_name = "Comply"
