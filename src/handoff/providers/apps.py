from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "handoff.providers"
    label = "providers"
    verbose_name = "Providers"

    def ready(self):
        from handoff.accounts.signals import organization_created
        from handoff.providers.services import seed_expertise_fields

        organization_created.connect(seed_expertise_fields, dispatch_uid="providers.seed_fields")
        # Reminders, run by the notifications worker's sweeps.
        from handoff.providers import jobs  # noqa: F401
