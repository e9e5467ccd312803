from django.db import models


class PaymentMethod(models.TextChoices):
    CHECK = "check", "Check"
    ACH = "ach", "Bank transfer (ACH)"
    WIRE = "wire", "Wire transfer"
    CASH = "cash", "Cash"
    CARD = "card", "Credit or debit card"
    PAYMENT_NETWORK = "payment_network", "Payment network (e.g. PayPal)"


# Card and third-party-network payments are reported by the processor on Form 1099-K, not by
# the payer on 1099-NEC (domain/taxes-and-reporting.md; 1099-NEC instructions).
PROCESSOR_REPORTED = frozenset({PaymentMethod.CARD, PaymentMethod.PAYMENT_NETWORK})
