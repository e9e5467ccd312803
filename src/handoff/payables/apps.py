from django.apps import AppConfig


class PayablesConfig(AppConfig):
    name = "handoff.payables"
    label = "payables"
    verbose_name = "Pay"

    def ready(self):
        # The daily invoice reminders, run by the notifications worker's sweeps.
        from handoff.core import backup
        from handoff.payables import jobs  # noqa: F401

        # Archives written before invoices and payments moved here hold them under compliance.
        backup.FORMER_LABELS["payables.invoice"] = "compliance.invoice"
        backup.FORMER_LABELS["payables.payment"] = "compliance.payment"
