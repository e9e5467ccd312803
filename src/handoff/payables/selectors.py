"""Reading invoices and payments for a principal."""

from django.db.models.functions import ExtractYear

from handoff.payables.models import Invoice, Payment


def payments(principal):
    return Payment.objects.visible_to(principal).select_related("provider", "engagement", "invoice")


def invoices(principal):
    return Invoice.objects.visible_to(principal).select_related("provider", "engagement")


def payment_years(principal) -> list[int]:
    """The calendar years with at least one payment, newest first."""
    return sorted(
        set(
            Payment.objects.visible_to(principal)
            .annotate(y=ExtractYear("paid_on"))
            .values_list("y", flat=True)
            .distinct()
            .order_by()
        ),
        reverse=True,
    )
