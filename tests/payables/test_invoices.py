"""Submitting invoices: a provider's contact under their own provider's engagements, a manager
on a provider's behalf; every refusal leaves nothing behind; numbers are unique per provider;
what differs from the terms is flagged; approvers are told; invoices recorded before lines
existed stay approved and payable. Fixtures here serve the pages and API tests too."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.accounts import portal
from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from handoff.decisions.models import BusinessFunction
from handoff.engagements import services as engagement_services
from handoff.engagements.models import Engagement
from handoff.notifications.models import Notification
from handoff.payables import services
from handoff.payables.models import Invoice, InvoiceAttachment, InvoiceLine
from tests.factories import ContactFactory, ProviderFactory, UserFactory, principal_for

JAN = {"period_start": date(2026, 1, 1), "period_end": date(2026, 1, 31)}
FEB = {"period_start": date(2026, 2, 1), "period_end": date(2026, 2, 28)}


def make_engagement(org, owner, provider, *, status="active", **terms):
    function = BusinessFunction.objects.filter(organization=org).first()
    data = {
        "title": f"Books with {provider.name}",
        "pricing_model": "hourly",
        "amount": "90.00",
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31),
        **terms,
    }
    tiers = data.pop("tiers", ())
    engagement = engagement_services.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[function.pk],
        data=data,
        tiers=tiers,
    )
    # The status is set directly: activating needs a communication plan, ending an exit
    # checklist, neither of which bears on invoices.
    Engagement.objects.all_organizations().filter(pk=engagement.pk).update(status=status)
    engagement.refresh_from_db()
    return engagement


def give_login(org, contact):
    access, _ = portal.invite(Principal.system(org), contact)
    user = UserFactory(name=contact.name, email=contact.email)
    portal.accept(access, user=user)
    return user


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline Bookkeeping")


@pytest.fixture
def priya(org, provider):
    """Ledgerline's contact, with a portal login."""
    contact = ContactFactory(provider=provider, name="Priya Shah", email="priya@ledgerline.example")
    return give_login(org, contact)


@pytest.fixture
def hourly(org, owner, provider):
    return make_engagement(org, owner, provider)


@pytest.fixture
def rival(org):
    return ProviderFactory(organization=org, name="Northwind Billing")


@pytest.fixture
def rival_engagement(org, owner, rival):
    return make_engagement(org, owner, rival, title="Northwind claims")


@pytest.fixture
def rita(org, rival):
    contact = ContactFactory(provider=rival, name="Rita Rival", email="rita@northwind.example")
    return give_login(org, contact)


@pytest.fixture
def foreign_engagement(other_org, outsider):
    provider = ProviderFactory(organization=other_org, name="Elsewhere Books")
    return make_engagement(other_org, outsider, provider)


def line(kind="hours", quantity="10", unit_price="90.00", amount=None, description="Bookkeeping"):
    amount = amount if amount is not None else str(D(quantity) * D(unit_price))
    return {
        "kind": kind,
        "description": description,
        "quantity": D(quantity),
        "unit_price": D(unit_price),
        "amount": D(amount),
    }


def submit(user, org, engagement, lines=None, number="L-1", attachments=(), **data):
    lines = lines if lines is not None else [line()]
    total = data.pop("amount", None)
    if total is None:
        total = sum((D(str(row["amount"])) for row in lines), D(0))
    return services.submit_invoice(
        principal_for(user, org),
        engagement.pk if engagement is not None else None,
        {"number": number, "issued_on": date(2026, 2, 2), "amount": total, **JAN, **data},
        lines,
        attachments,
    )


def nothing_saved(org):
    assert not Invoice.objects.filter(organization=org).exists()
    assert not InvoiceLine.objects.filter(organization=org).exists()
    assert not InvoiceAttachment.objects.filter(organization=org).exists()


def refused(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


# --- A contact submits ------------------------------------------------------------------------
def test_a_contact_submits_an_invoice_with_its_lines(org, priya, hourly, provider):
    invoice = submit(priya, org, hourly, [line(), line(quantity="2.5", amount="225.00")])
    assert invoice.status == "submitted" and invoice.provider == provider
    assert invoice.amount == D("1125.00") and invoice.flags == []
    assert invoice.entered_by_member is False and invoice.submitted_by == priya
    assert [(row.position, row.amount) for row in invoice.lines.all()] == [
        (0, D("900.00")),
        (1, D("225.00")),
    ]
    event = AuditEvent.objects.filter(organization=org, action="invoice.submitted").get()
    assert event.object_id == str(invoice.pk) and event.actor == priya


def test_a_rate_that_differs_is_flagged_with_the_difference(org, priya, hourly):
    invoice = submit(priya, org, hourly, [line(unit_price="95.00")])
    assert invoice.flags == [
        {
            "code": "rate_differs",
            "message": "Line 1 bills 10 hours at $95.00 an hour; the engagement's rate is "
            "$90.00 (+$50.00).",
            "difference": "50.00",
        }
    ]


def test_a_period_already_billed_is_flagged_unless_that_invoice_was_rejected(org, priya, hourly):
    first = submit(priya, org, hourly, number="L-1")
    second = submit(priya, org, hourly, number="L-2")
    assert [flag["code"] for flag in second.flags] == ["already_billed"]
    assert "L-1" in second.flags[0]["message"]
    Invoice.objects.filter(pk__in=[first.pk, second.pk]).update(status="rejected")
    third = submit(priya, org, hourly, number="L-3")
    assert third.flags == []
    assert submit(priya, org, hourly, number="L-4", **FEB).flags == []


def test_approvers_are_told(org, owner, admin, manager, member, priya, hourly):
    invoice = submit(priya, org, hourly)
    told = set(
        Notification.objects.filter(
            organization=org, key=f"invoice-submitted-{invoice.pk}"
        ).values_list("user__email", flat=True)
    )
    assert told == {owner.email, admin.email, manager.email}
    assert Notification.objects.filter(event="invoice_submitted").first().url == (
        f"/o/acme/pay/invoices/{invoice.pk}/"
    )


def test_files_come_with_the_invoice(org, priya, hourly):
    pdf = SimpleUploadedFile("timesheet.pdf", b"%PDF-1.4 timesheet", content_type="application/pdf")
    invoice = submit(priya, org, hourly, attachments=[pdf])
    (attachment,) = invoice.attachments.all()
    assert attachment.name == "timesheet.pdf" and attachment.content_type == "application/pdf"
    assert attachment.file.read().startswith(b"%PDF")


# --- Refusals: every one leaves nothing behind ---------------------------------------------
@pytest.mark.parametrize(
    ("lines", "data", "field"),
    [
        ([line(amount="900.01")], {}, "lines[0].amount"),
        ([line(), line(kind="expense", quantity="1", unit_price="40")], {}, "lines[1].kind"),
        ([line()], {"amount": D("901.00")}, "amount"),
        ([line()], {"period_end": date(2025, 12, 1)}, "period_end"),
        ([], {"amount": D("10")}, "lines"),
        ([line()], {"period_start": None}, "period_start"),
        ([line()], {"number": ""}, "number"),
        ([{**line(), "quantity": "ten"}], {"amount": D("900")}, "lines[0].quantity"),
        ([{**line(), "kind": "bonus"}], {}, "lines[0].kind"),
        ([line(unit_price="90.001", amount="900.01")], {}, "lines[0].unit_price"),
    ],
)
def test_a_bad_invoice_is_refused_naming_the_field(org, priya, hourly, lines, data, field):
    errors = refused(lambda: submit(priya, org, hourly, lines, **data))
    assert field in errors, errors
    nothing_saved(org)
    assert not Notification.objects.filter(event="invoice_submitted").exists()


@pytest.mark.parametrize("status", ["paused", "ended"])
def test_an_invoice_for_a_paused_or_ended_engagement_is_refused_with_the_reason(
    org, owner, manager, provider, status
):
    engagement = make_engagement(org, owner, provider, status=status)
    errors = refused(lambda: submit(manager, org, engagement))
    assert "paused" in errors["engagement"][0] or "ended" in errors["engagement"][0]
    nothing_saved(org)


def test_a_bad_file_refuses_the_whole_invoice(org, priya, hourly):
    page = SimpleUploadedFile("invoice.pdf", b"<html>not a pdf</html>", content_type="text/html")
    errors = refused(lambda: submit(priya, org, hourly, attachments=[page]))
    assert "attachments" in errors
    nothing_saved(org)


def test_numbers_are_unique_per_provider(org, priya, rita, hourly, rival_engagement):
    submit(priya, org, hourly, number="2026-001")
    errors = refused(lambda: submit(priya, org, hourly, number="2026-001", **FEB))
    assert errors["number"] == [
        "Ledgerline Bookkeeping already has an invoice 2026-001; give this one its own number "
        "(a correction too, e.g. 2026-001-2)."
    ]
    assert Invoice.objects.filter(organization=org).count() == 1
    # Another provider may use the same number.
    assert submit(rita, org, rival_engagement, number="2026-001").number == "2026-001"


# --- Who may submit under what --------------------------------------------------------------
def test_a_contact_cannot_submit_under_another_providers_engagement(org, priya, rival_engagement):
    errors = refused(lambda: submit(priya, org, rival_engagement))
    assert "engagement" in errors
    nothing_saved(org)


def test_a_contact_cannot_submit_under_a_draft_engagement(org, owner, priya, provider):
    draft = make_engagement(org, owner, provider, status="draft")
    assert "engagement" in refused(lambda: submit(priya, org, draft))


def test_nobody_submits_under_another_organizations_engagement(
    org, manager, priya, foreign_engagement
):
    assert "engagement" in refused(lambda: submit(manager, org, foreign_engagement))
    assert "engagement" in refused(lambda: submit(priya, org, foreign_engagement))
    assert not Invoice.objects.exists()


def test_a_manager_enters_one_on_the_providers_behalf(org, manager, hourly):
    invoice = submit(manager, org, hourly, [line(unit_price="100.00")])
    assert invoice.entered_by_member is True and invoice.submitted_by == manager
    assert [flag["code"] for flag in invoice.flags] == ["rate_differs"]
    assert "entered for the provider by a member" in (
        AuditEvent.objects.filter(organization=org, action="invoice.submitted").get().summary
    )


def test_below_a_manager_nobody_enters_an_invoice(org, member, viewer, hourly):
    for user in (member, viewer):
        with pytest.raises(PermissionDenied, match="manager role"):
            submit(user, org, hourly)
    nothing_saved(org)


def test_a_manager_may_enter_one_under_no_engagement(org, manager, provider):
    invoice = services.record_invoice(
        principal_for(manager, org),
        provider_id=provider.pk,
        data={"number": "X-1", "issued_on": date(2026, 3, 1), "amount": D("300")},
    )
    assert invoice.engagement is None and invoice.amount == D("300.00")
    assert [(row.kind, row.amount) for row in invoice.lines.all()] == [("fee", D("300.00"))]


def test_a_contact_names_an_engagement(org, priya):
    assert "engagement" in refused(lambda: submit(priya, org, None))


# --- Terms: flat fee, per unit -------------------------------------------------------------
def test_a_flat_fee_for_a_half_month_is_flagged(org, owner, priya, provider):
    flat = make_engagement(org, owner, provider, pricing_model="flat", amount="1250.00")
    invoice = submit(priya, org, flat, [line("fee", "1", "1250.00")], period_end=date(2026, 1, 15))
    assert [flag["code"] for flag in invoice.flags] == ["period_length"]


def test_per_unit_lines_get_the_engagements_tiers(org, owner, priya, provider):
    per_unit = make_engagement(
        org,
        owner,
        provider,
        pricing_model="per_unit",
        amount="2.00",
        unit_name="claim",
        tiers=[(D("100"), D("1.50"))],
    )
    fair = submit(priya, org, per_unit, [line("units", "200", "1.75", "350.00")])
    assert fair.flags == []  # 100 × 2.00 + 100 × 1.50
    high = submit(priya, org, per_unit, [line("units", "200", "2.00")], number="L-2", **FEB)
    assert [(f["code"], f["difference"]) for f in high.flags] == [("tiers_differ", "50.00")]


def test_expenses_where_the_engagement_allows_them(org, owner, priya, provider):
    engagement = make_engagement(org, owner, provider, expenses_allowed=True)
    invoice = submit(priya, org, engagement, [line(), line("expense", "1", "42.50")])
    assert invoice.amount == D("942.50") and invoice.flags == []


# --- Corrections ---------------------------------------------------------------------------
def test_a_correction_supersedes_the_invoice_it_replaces(org, priya, hourly):
    first = submit(priya, org, hourly, [line(unit_price="95.00")], number="L-1")
    Invoice.objects.filter(pk=first.pk).update(status="rejected")
    second = submit(priya, org, hourly, number="L-1-2", replaces_id=first.pk)
    first.refresh_from_db()
    assert first.status == "superseded" and second.replaces == first
    assert second.flags == []  # the period it corrects is not "already billed"


# --- The data migration --------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_invoices_recorded_before_lines_become_approved_with_one_line():
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("payables", "0001_initial")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Organization = old.get_model("accounts", "Organization")
    Provider = old.get_model("providers", "Provider")
    OldInvoice = old.get_model("payables", "Invoice")
    org = Organization.objects.create(name="Old Co", slug="old-co", time_zone="UTC")
    provider = Provider.objects.create(organization=org, name="Old Books", kind="firm")
    OldInvoice.objects.create(
        organization=org,
        provider=provider,
        number="OLD-1",
        issued_on=date(2025, 5, 1),
        amount=D("420.50"),
        description="May books",
    )
    call_command("migrate", "payables", verbosity=0)
    invoice = Invoice.objects.all_organizations().get(number="OLD-1")
    assert invoice.status == "approved" and invoice.amount == D("420.50")
    assert [
        (row.kind, row.quantity, row.unit_price, row.amount, row.description)
        for row in invoice.lines.all()
    ] == [("fee", D(1), D("420.50"), D("420.50"), "May books")]
    call_command("migrate", verbosity=0)
