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


class InvoiceStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"
    VOID = "void", "Void"


# An invoice in one of these no longer bills its period: a later one may bill it again.
PERIOD_RELEASED = frozenset({InvoiceStatus.REJECTED, InvoiceStatus.SUPERSEDED})


class LineKind(models.TextChoices):
    HOURS = "hours", "Hours"
    UNITS = "units", "Units"
    FEE = "fee", "Fee"
    EXPENSE = "expense", "Expense"
