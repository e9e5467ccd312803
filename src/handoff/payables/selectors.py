"""Reading invoices and payments for a principal (a member, or a provider's contact who sees
their own provider's invoices only)."""

from django.db.models import Prefetch
from django.db.models.functions import ExtractYear

from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import Engagement
from handoff.payables.models import Invoice, InvoiceAttachment, InvoiceLine, Payment


def payments(principal):
    return Payment.objects.visible_to(principal).select_related("provider", "engagement", "invoice")


def invoices(principal):
    return Invoice.objects.visible_to(principal).select_related(
        "provider", "engagement", "submitted_by"
    )


def invoice_list(principal, *, status: str | None = None, provider: int | None = None):
    """The invoices of the list page and endpoint, newest first, filtered; every status is
    listed unless one is chosen."""
    rows = invoices(principal)
    if status:
        rows = rows.filter(status=status)
    if provider:
        rows = rows.filter(provider_id=provider)
    return rows


def invoice_detail(principal):
    """Invoices with what their page and the API's detail show: lines and files."""
    return invoices(principal).prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.visible_to(principal)),
        Prefetch(
            "attachments",
            queryset=InvoiceAttachment.objects.visible_to(principal).select_related("uploaded_by"),
        ),
    )


def versions_of(principal, invoice: Invoice) -> list[Invoice]:
    """Every version of ``invoice``, oldest first: those it corrects and those correcting it
    (a correction names the invoice it ``replaces``; all are kept)."""
    rows = Invoice.objects.visible_to(principal)
    first, seen = invoice, {invoice.pk}
    while first.replaces_id and first.replaces_id not in seen:
        earlier = rows.filter(pk=first.replaces_id).first()
        if earlier is None:
            break
        seen.add(earlier.pk)
        first = earlier
    chain, current = [first], first
    while True:
        later = rows.filter(replaces=current).exclude(pk__in=[row.pk for row in chain]).first()
        if later is None:
            break
        chain.append(later)
        current = later
    return chain if len(chain) > 1 else []


def invoiceable_engagements(principal):
    """The engagements an invoice may be submitted under: a contact's own provider's active
    ones, or for a member every active one (others are refused, with the reason, on submit)."""
    return (
        Engagement.objects.visible_to(principal)
        .filter(status=EngagementStatus.ACTIVE)
        .select_related("provider")
        .order_by("provider__name", "title")
    )


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
