"""Reading invoices and payments for a principal (a member, or a provider's contact who sees
their own provider's invoices only)."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear

from handoff.core.roles import Role, role_at_least
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import Engagement, EngagementFunction
from handoff.payables.choices import InvoiceStatus
from handoff.payables.models import (
    ApprovalRule,
    ApprovalSettings,
    Invoice,
    InvoiceApproval,
    InvoiceAttachment,
    InvoiceLine,
    Payment,
)

ZERO = Decimal(0)
MONEY = DecimalField(max_digits=12, decimal_places=2)
# The payment state of an invoice, derived from the payments recorded against it.
PAYMENT_STATES = [("unpaid", "Unpaid"), ("partly_paid", "Partly paid"), ("paid", "Paid")]
PAYMENT_STATE_LABELS = dict(PAYMENT_STATES)
# The list's filter also offers "not fully paid" (unpaid or partly paid: a balance left).
PAYMENT_FILTERS = [*PAYMENT_STATES, ("open", "Not fully paid")]


def payments(principal):
    return Payment.objects.visible_to(principal).select_related("provider", "engagement", "invoice")


def with_payments(principal, rows):
    """``rows`` annotated with ``paid`` (the payments against each), ``balance`` and
    ``payment_state`` (unpaid, partly_paid, paid), each one subquery, whatever the size."""
    paid = (
        Payment.objects.visible_to(principal)
        .filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return rows.annotate(
        paid=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY)
    ).annotate(
        balance=F("amount") - F("paid"),
        payment_state=Case(
            When(paid__gte=F("amount"), then=Value("paid")),
            When(paid__gt=0, then=Value("partly_paid")),
            default=Value("unpaid"),
            output_field=CharField(),
        ),
    )


def invoices(principal):
    return with_payments(
        principal,
        Invoice.objects.visible_to(principal).select_related(
            "provider", "engagement", "submitted_by"
        ),
    )


def invoice_list(
    principal,
    *,
    status: str | None = None,
    provider: int | None = None,
    payment_state: str | None = None,
):
    """The invoices of the list page and endpoint, newest first, filtered; every status is
    listed unless one is chosen. ``payment_state`` (unpaid, partly_paid, paid) lists approved
    invoices only: an invoice is payable once approved."""
    rows = invoices(principal)
    if status:
        rows = rows.filter(status=status)
    if provider:
        rows = rows.filter(provider_id=provider)
    if payment_state == "open":  # not fully paid: unpaid or partly paid
        rows = rows.filter(status=InvoiceStatus.APPROVED, balance__gt=0)
    elif payment_state:
        rows = rows.filter(status=InvoiceStatus.APPROVED, payment_state=payment_state)
    return rows.prefetch_related(
        Prefetch(
            "approvals",
            queryset=InvoiceApproval.objects.visible_to(principal).select_related("approver"),
        )
    )


def invoice_detail(principal):
    """Invoices with what their page and the API's detail show: lines, files, approvals."""
    return invoices(principal).prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.visible_to(principal)),
        Prefetch(
            "approvals",
            queryset=InvoiceApproval.objects.visible_to(principal).select_related("approver"),
        ),
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


# --- Approval ---------------------------------------------------------------------------------
def approval_settings(principal) -> ApprovalSettings:
    """The organization's approval settings; the defaults (managers, no limits, never a
    second approver) until an admin saves them."""
    return ApprovalSettings.objects.visible_to(principal).first() or ApprovalSettings(
        organization=principal.organization
    )


def approval_rules(principal):
    return (
        ApprovalRule.objects.visible_to(principal)
        .select_related("engagement__provider", "function")
        .order_by("function__name", "engagement__title", "id")
    )


ROLE_WORDS = {"manager": "a manager", "admin": "an admin", "owner": "an owner"}


@dataclass
class ApprovalDecision:
    """Who may approve one invoice, and why: the least role (and the rule that set it), the
    limits by role, how many approvals it needs."""

    least_role: str
    why: str
    settings: ApprovalSettings
    approvals_needed: int

    def limit_for(self, role: str) -> Decimal | None:
        if role == Role.OWNER:
            return None
        return getattr(self.settings, f"{role}_limit", None)

    @property
    def roles(self) -> list[tuple[str, Decimal | None]]:
        """The roles that may approve it and each one's limit (None: no limit)."""
        order = ["manager", "admin", "owner"]
        return [(role, self.limit_for(role)) for role in order[order.index(self.least_role) :]]

    def sentence(self, amount: Decimal) -> str:
        """ "Approved by a manager or above (the default); …" for the invoice's page."""
        allowed = [role for role, limit in self.roles if limit is None or amount <= limit]
        text = f"{self.why}: {ROLE_WORDS[self.least_role]} or above approves it."
        skipped = [role for role, _ in self.roles if role not in allowed]
        for role in skipped:
            text += (
                f" {Role(role).label}s approve up to {self.limit_for(role):,.2f}, less than "
                "its total."
            )
        if self.approvals_needed > 1:
            text += (
                f" Above {self.settings.second_approver_above:,.2f} two different people must "
                "approve it."
            )
        return text + " Nobody approves an invoice they submitted or entered."

    def refusal_for(self, principal, invoice, *, rejecting: bool = False):
        """Why ``principal`` may not approve (or reject) ``invoice``: (field, message), or
        None. Below the least role is a PermissionDenied."""
        doing = "reject" if rejecting else "approve"
        if invoice.status != InvoiceStatus.SUBMITTED:
            return (
                "invoice",
                f"Invoice {invoice.number} is {invoice.get_status_display().lower()}: only a "
                f"submitted invoice can be {doing}d.",
            )
        if not principal.at_least(self.least_role):
            raise PermissionDenied(
                f"{self.why}: {ROLE_WORDS[self.least_role]} or above may {doing} invoice "
                f"{invoice.number}; you are {ROLE_WORDS.get(principal.role, principal.role)}."
            )
        if rejecting:
            return None
        user_id = principal.user.pk
        if user_id in (invoice.submitted_by_id, invoice.created_by_id):
            how = "entered" if invoice.entered_by_member else "submitted"
            return ("invoice", f"You {how} invoice {invoice.number}: someone else approves it.")
        limit = self.limit_for(principal.role)
        if limit is not None and invoice.amount > limit:
            return (
                "amount",
                f"Invoice {invoice.number} is for {invoice.amount:,.2f}, above "
                f"{ROLE_WORDS[principal.role]}'s limit of {limit:,.2f}: someone with a "
                "higher limit approves it.",
            )
        if (
            InvoiceApproval.objects.visible_to(principal)
            .filter(invoice=invoice, approver_id=user_id)
            .exists()
        ):
            return (
                "invoice",
                f"You approved invoice {invoice.number} already: the second approval must "
                "come from someone else.",
            )
        return None


def who_may_approve(principal, invoice: Invoice) -> ApprovalDecision:
    """The rule that applies to ``invoice``: its engagement's, else the highest of its
    engagement's functions' rules, else the settings' default."""
    settings = approval_settings(principal)
    threshold = settings.second_approver_above
    needed = 2 if threshold is not None and invoice.amount > threshold else 1
    least, why = settings.least_role, "The organization's default"
    if invoice.engagement_id:
        rules = list(
            ApprovalRule.objects.visible_to(principal)
            .filter(
                Q(engagement_id=invoice.engagement_id)
                | Q(
                    function_id__in=EngagementFunction.objects.visible_to(principal)
                    .filter(engagement_id=invoice.engagement_id)
                    .values("function_id")
                )
            )
            .select_related("function")
        )
        own = [rule for rule in rules if rule.engagement_id]
        functions = [rule for rule in rules if rule.function_id]
        if own:
            least, why = own[0].least_role, "The engagement's rule"
        elif functions:
            top = max(functions, key=lambda rule: (_rank(rule.least_role), rule.function.name))
            least, why = top.least_role, f"The rule for {top.function.name}"
    return ApprovalDecision(least, why, settings, needed)


def _rank(role: str) -> int:
    return [r for r in ("manager", "admin", "owner") if role_at_least(role, r)].__len__()


def waiting_for_approval(principal):
    return Invoice.objects.visible_to(principal).filter(status=InvoiceStatus.SUBMITTED)


def approved_unpaid(principal):
    """Approved invoices with a balance left."""
    return with_payments(
        principal, Invoice.objects.visible_to(principal).filter(status=InvoiceStatus.APPROVED)
    ).filter(balance__gt=0)
