from django.apps import AppConfig


class PayablesConfig(AppConfig):
    name = "handoff.payables"
    label = "payables"
    verbose_name = "Pay"

    def ready(self):
        from handoff.core import backup

        # Archives written before invoices and payments moved here hold them under compliance.
        backup.FORMER_LABELS["payables.invoice"] = "compliance.invoice"
        backup.FORMER_LABELS["payables.payment"] = "compliance.payment"
