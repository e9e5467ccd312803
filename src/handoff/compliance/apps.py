from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "handoff.compliance"
    label = "compliance"
    verbose_name = "Comply"

    def ready(self):
        # The 1099-NEC deadline reminder, run by the notifications worker's sweeps.
        from handoff.compliance import jobs  # noqa: F401
