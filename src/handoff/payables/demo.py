"""Pay's part of the demo: invoices in every status under the practice's two active
engagements, dated around the organization's today so the approval queue never looks stale.

- ClearClaim Billing has invoiced its claims weekly since last month. Oscar, a manager, enters
  each from the PDF ClearClaim e-mails, and Maria, the owner, approves (nobody approves what
  they entered): the first week is paid, the second partly paid, the third approved and not
  paid yet, the fourth waits for approval, flagged because it bills a rate ClearClaim never
  agreed. A separate invoice for the claims resubmitted after ClearClaim's own wrong provider
  number (Run's escalated issue) was rejected with the reason.
- Ledgerline's Priya submits through the portal: last month's fee with payroll billed on top
  was rejected, and her corrected invoice, which supersedes it, waits for approval.

Every step goes through the services the pages use, in the order it happened (so a check such
as "already billed" sees what existed then), each inside ``backdated`` at its moment. Nothing
voids an invoice yet, so the demo has none void. The approval settings stay the defaults.
"""

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.accounts.models import User
from handoff.accounts.principal import for_session
from handoff.core.backdating import backdated
from handoff.core.principal import Principal
from handoff.engagements.models import Engagement
from handoff.payables import services
from handoff.payables.choices import LineKind, PaymentMethod
from handoff.work.demo import PORTAL_EMAIL

CENT = Decimal("0.01")
# Claims ClearClaim submitted in each week of last month (the last "week" runs to month-end).
WEEKLY_CLAIMS = (146, 158, 151, 188)
RESUBMITTED_CLAIMS = 23  # Run's issue: "23 claims resubmitted" after the provider number fix
PARTLY_PAID = Decimal("400.00")  # paid on account, the rest once the count is checked
# ClearClaim's new rate sheet, sent with the fourth week's invoice but never agreed to.
UNAGREED_RAISE = Decimal("0.25")
# What Ledgerline billed on top of its fee for running payroll, which the fee includes.
PAYROLL_ON_TOP = Decimal("150.00")


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo invoice\n", "application/pdf")


def load_demo(org, owner) -> None:
    """Create the invoices, their approvals, rejections and payments; called once by
    ``handoff.demo.load`` after Comply's part (W-9s on file, so approving warns of nothing)
    and Run's (Priya's portal login)."""
    system = Principal.system(org)  # to find the engagements, as the demo's other parts do
    zone = ZoneInfo(org.time_zone)
    today = org.today()
    oscar = User.objects.get(email="oscar@maplestreetdental.example")
    priya = User.objects.get(email=PORTAL_EMAIL)
    # Who acts, as the pages (and the portal, for Priya) would resolve them.
    as_owner, as_oscar, as_priya = (for_session(user, org.slug) for user in (owner, oscar, priya))
    books = Engagement.objects.visible_to(system).get(title="Monthly bookkeeping and close")
    billing = Engagement.objects.visible_to(system).get(title="Insurance claims billing")
    price = billing.amount  # a claim, below the volume tier (no week reaches it)

    def at(day, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone)

    month_start = today - relativedelta(months=1, day=1)  # last month: whole, and past
    month_end = today.replace(day=1) - timedelta(days=1)
    weeks = [
        (month_start + timedelta(days=7 * index), month_start + timedelta(days=7 * index + 6))
        for index in range(3)
    ] + [(month_start + timedelta(days=21), month_end)]
    # Run's issue: raised six weeks ago, the claims resubmitted three days later.
    raised = today - timedelta(weeks=6)
    resubmitted = raised + timedelta(days=3)

    invoices = {}
    timeline = []  # (moment, step): run in the order they happened

    def step(moment, action, **keywords):
        timeline.append((moment, partial(action, **keywords)))

    def enter_claims(key, number, start, end, count, unit_price, issued, note=""):
        amount = (Decimal(count) * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        span = f"{start:%b %-d}–{end:%b %-d}" if start != end else f"{start:%b %-d}"
        invoices[key] = services.submit_invoice(
            as_oscar,
            billing,
            {
                "number": number,
                "issued_on": issued,
                "due_on": issued + timedelta(days=billing.payment_terms_days),
                "period_start": start,
                "period_end": end,
                "amount": amount,
                "description": f"Insurance claims submitted, {span}",
                "note": note,
            },
            [
                {
                    "kind": LineKind.UNITS,
                    "description": f"Claims submitted {span}",
                    "quantity": Decimal(count),
                    "unit_price": unit_price,
                    "amount": amount,
                }
            ],
            attachments=[_pdf(f"{number}.pdf")],
        )

    def approve(key):
        services.approve_invoice(as_owner, invoices[key].pk)

    def reject(key, reason):
        services.reject_invoice(as_owner, invoices[key].pk, reason)

    def pay(key, amount, paid_on):
        """A payment against the invoice: ``amount``, or its whole total when None."""
        invoice = invoices[key]
        services.record_payment(
            as_oscar,
            provider_id=invoice.provider_id,
            engagement_id=invoice.engagement_id,
            invoice_id=invoice.pk,
            data={
                "paid_on": paid_on,
                "amount": invoice.amount if amount is None else amount,
                "method": PaymentMethod.ACH,
                "reference": invoice.number,
            },
        )

    # ClearClaim's weeks of last month: three approved, the last waiting with its rate flagged.
    for index, ((start, end), count) in enumerate(zip(weeks, WEEKLY_CLAIMS, strict=True)):
        key, issued = f"week{index + 1}", end + timedelta(days=1)
        if index < 3:
            note, unit_price = "Entered from ClearClaim's e-mailed PDF.", price
        else:  # sent with ClearClaim's new rate sheet, which the practice never agreed to
            note = (
                "Entered from ClearClaim's e-mailed PDF; it bills their new rate sheet, which "
                "we have not agreed to."
            )
            unit_price = price + UNAGREED_RAISE
        step(
            at(issued, 10),
            partial(enter_claims, key, f"CC-{end:%Y%m%d}", start, end, count, unit_price, issued),
            note=note,
        )
        if index < 3:
            step(at(end + timedelta(days=2), 9), partial(approve, key))
    paid_on = weeks[0][1] + timedelta(days=8)
    step(at(paid_on, 15), partial(pay, "week1", None, paid_on))  # in full
    paid_on = weeks[1][1] + timedelta(days=8)
    step(at(paid_on, 15), partial(pay, "week2", PARTLY_PAID, paid_on))

    # The resubmitted claims, billed on their own: ClearClaim's error, not the practice's.
    issued = resubmitted + timedelta(days=1)
    step(
        at(issued, 11),
        partial(
            enter_claims,
            "resubmitted",
            f"CC-{resubmitted:%Y%m%d}-R",
            raised,
            resubmitted,
            RESUBMITTED_CLAIMS,
            price,
            issued,
        ),
        note="Resubmissions after the provider number was corrected.",
    )
    step(
        at(issued + timedelta(days=1), 9),
        partial(reject, "resubmitted"),
        reason=f"These {RESUBMITTED_CLAIMS} claims were resubmitted because ClearClaim sent "
        "them with the wrong provider number; the agreement pays once per claim, so we do not "
        "pay for the resubmissions.",
    )

    # Ledgerline's fee for last month, submitted by Priya in the portal on its last day with
    # payroll billed on top; rejected the next morning, and corrected that afternoon.
    number = f"LL-{month_start:%Y-%m}"

    def ledgerline(key, fee, description, replaces=None):
        data = {
            "number": number if replaces is None else f"{number}-2",
            "issued_on": month_end,
            "due_on": month_end + timedelta(days=books.payment_terms_days),
            "period_start": month_start,
            "period_end": month_end,
            "amount": fee,
            "description": f"Bookkeeping and close, {month_start:%B %Y}",
        }
        if replaces is not None:
            data["replaces_id"] = invoices[replaces].pk
        invoices[key] = services.submit_invoice(
            as_priya,
            books,
            data,
            [
                {
                    "kind": LineKind.FEE,
                    "description": description,
                    "quantity": Decimal(1),
                    "unit_price": fee,
                    "amount": fee,
                }
            ],
            attachments=[_pdf(f"{data['number']}.pdf")],
        )

    month = f"{month_start:%B %Y}"
    step(
        at(month_end, 16),
        partial(ledgerline, "fee"),
        fee=books.amount + PAYROLL_ON_TOP,
        description=f"Monthly bookkeeping and close with payroll, {month}",
    )
    step(
        at(today.replace(day=1), 10),
        partial(reject, "fee"),
        reason=f"Our agreement's fee is {books.amount:,.2f} a month, and it includes payroll "
        "for our 14 staff. Please send the invoice again for the fee alone.",
    )
    step(
        at(today.replace(day=1), 15),
        partial(ledgerline, "corrected"),
        fee=books.amount,
        description=f"Monthly bookkeeping and close, {month}",
        replaces="fee",
    )

    for moment, action in sorted(timeline, key=lambda entry: entry[0]):
        # A moment still ahead (the first of the month, early in the day) keeps the time it is
        # loaded: ``backdated`` changes nothing then, and the steps stay in order.
        with backdated(org, moment):
            action()
