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
        # An agreement signed by both sides in the app becomes the signed agreement.
        from handoff.engagements import (
            agreements,
            jobs,  # noqa: F401
        )
        from handoff.signatures import hooks

        hooks.on_completed(agreements.SIGNATURE_KIND, agreements.signature_completed)
        hooks.on_subject_url(agreements.SIGNATURE_KIND, agreements.signature_subject_url)
        # A provider's contact finds their own provider's agreements to sign in the portal.
        hooks.on_portal_requests(agreements.SIGNATURE_KIND, agreements.signature_requests_of)
