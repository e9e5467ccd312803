from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "handoff.engagements"
    label = "engagements"
    verbose_name = "Engage"

    def ready(self):
        from handoff.accounts.signals import organization_created
        from handoff.engagements.services import seed_holidays

        organization_created.connect(seed_holidays, dispatch_uid="engagements.seed_holidays")
        # Reminders, run by the notifications worker's sweeps.
        from handoff.engagements import jobs  # noqa: F401
