"""The daily invoice reminders, run by the notifications worker's sweeps.

Registered from ``PayablesConfig.ready``. Two stages, each once per invoice (the key holds
the invoice and the stage, so a sweep run twice, or by two workers, sends nothing twice):

- *waiting*: an invoice submitted more than ``WAITING_DAYS`` days ago and still not approved
  or rejected reminds those who may approve it (its rule's least role and above);
- *unpaid*: an approved invoice with a balance left past its due date reminds the owners and
  admins.

Each person hears of it as their notification preferences say (``notifications.notify``).
"""

import zoneinfo
from datetime import datetime, timedelta

from django.urls import reverse

from handoff.accounts.models import Membership, Organization
from handoff.core.principal import Principal
from handoff.core.roles import Role, role_at_least
from handoff.notifications.events import Event
from handoff.notifications.services import admins_and, notify
from handoff.notifications.sweeps import sweep
from handoff.payables import selectors
from handoff.payables.choices import InvoiceStatus
from handoff.payables.models import Invoice

WAITING_DAYS = 3  # an invoice waiting longer than this reminds its approvers


@sweep(every=timedelta(days=1), name="payables.invoice_reminders")
def invoice_reminders(now: datetime) -> int:
    """Remind approvers of invoices waiting and admins of approved ones unpaid past due, in
    every organization with an invoice to remind of; returns how many notifications went."""
    # Every organization's invoices: the sweep runs for the installation, not a principal.
    candidates = (
        Invoice.objects.all_organizations()
        .filter(status__in=[InvoiceStatus.SUBMITTED, InvoiceStatus.APPROVED])
        .values_list("organization_id", flat=True)
        .distinct()
    )
    sent = 0
    for org in Organization.objects.filter(pk__in=list(candidates)).order_by("pk"):
        sent += remind(org, now)
    return sent


def remind(org, now: datetime) -> int:
    system = Principal.system(org)
    today = now.astimezone(zoneinfo.ZoneInfo(org.time_zone)).date()
    sent = 0
    members = list(
        Membership.objects.visible_to(system)
        .filter(role__in=[Role.OWNER, Role.ADMIN, Role.MANAGER])
        .select_related("user")
        .order_by("user_id")
    )
    waiting = selectors.waiting_for_approval(system).filter(
        created_at__lt=now - timedelta(days=WAITING_DAYS)
    )
    for invoice in waiting.select_related("provider", "organization").order_by("created_at"):
        least = selectors.who_may_approve(system, invoice).least_role
        approvers = [
            m.user
            for m in members
            if role_at_least(m.role, least)
            and m.user_id not in (invoice.submitted_by_id, invoice.created_by_id)
        ]
        days = (now - invoice.created_at).days
        sent += len(
            notify(
                organization=org,
                event=Event.INVOICE_WAITING,
                subject=f"Invoice {invoice.number} from {invoice.provider.name} has waited "
                f"{days} days for approval",
                body=f"Invoice {invoice.number} for {invoice.amount:,.2f} was submitted "
                f"{days} days ago and is neither approved nor rejected.",
                url=reverse("payables:invoice", args=[org.slug, invoice.pk]),
                users=approvers,
                key=f"invoice-waiting-{invoice.pk}",
            )
        )
    unpaid = selectors.approved_unpaid(system).filter(due_on__lt=today)
    admins = None
    for invoice in unpaid.select_related("provider").order_by("due_on", "pk"):
        admins = admins if admins is not None else admins_and(system)
        sent += len(
            notify(
                organization=org,
                event=Event.INVOICE_UNPAID,
                subject=f"Invoice {invoice.number} from {invoice.provider.name} is approved "
                f"and unpaid past its due date",
                body=f"Invoice {invoice.number} was due {invoice.due_on:%b %-d, %Y}; "
                f"{invoice.balance:,.2f} of {invoice.amount:,.2f} is unpaid.",
                url=reverse("payables:invoice", args=[org.slug, invoice.pk]),
                users=admins,
                key=f"invoice-unpaid-{invoice.pk}",
            )
        )
    return sent
