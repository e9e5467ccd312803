from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "handoff.decisions"
    label = "decisions"
    verbose_name = "Decide"

    def ready(self):
        from handoff.accounts.signals import organization_created
        from handoff.decisions.services import seed_business_functions

        organization_created.connect(
            seed_business_functions, dispatch_uid="decisions.seed_business_functions"
        )
