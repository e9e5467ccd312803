from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "handoff.compliance"
    label = "compliance"
    verbose_name = "Comply"

    def ready(self):
        # The 1099-NEC deadline reminder, run by the notifications worker's sweeps.
        from handoff.compliance import jobs, tins  # noqa: F401
        from handoff.core import backup

        # A backup's W-9s must open with this installation's TIN keys before it is restored.
        backup.RESTORE_CHECKS.append(tins.check_archive)
        # An individual's agreement prints the contractor-status assessment it is signed on.
        from handoff.compliance import selectors
        from handoff.engagements import agreements

        agreements.add_section(selectors.agreement_status_section)
        # A payment is checked for its tax side (a W-9 on file, backup withholding).
        from handoff.compliance import services
        from handoff.payables import hooks as payables

        payables.on_payment(services.check_payment)
        # The same W-9 rule at approval: an approved invoice is payable.
        payables.on_approval(services.check_approval)
        # An import from an accounting system matches payees by the TIN on their W-9.
        payables.on_payee_by_tin(selectors.providers_with_tin)
