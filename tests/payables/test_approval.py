"""Approving invoices and paying against them: who may approve (role, limits, rules per
engagement and function, a second approver), every refusal, rejection with a reason the
contact sees and answers with a corrected invoice, the W-9 rule at approval, payments (partial,
several, overpaying refused), the list's payment filters, the pages and the API (other
organizations 404), and the daily reminders."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from handoff.compliance import services as compliance
from handoff.core.models import AuditEvent
from handoff.decisions.models import BusinessFunction
from handoff.notifications.models import Notification
from handoff.payables import jobs, services
from handoff.payables.models import ApprovalRule, Invoice, InvoiceApproval, Payment
from tests.conftest import api_client_for, client_for
from tests.factories import principal_for

# ruff: noqa: F811
from tests.payables.test_invoices import (  # noqa: F401 (fixtures)
    foreign_engagement,
    hourly,
    line,
    priya,
    provider,
    submit,
)

pytestmark = pytest.mark.django_db


def settings(org, admin, **data):
    return services.update_approval_settings(principal_for(admin, org), data)


def approve(user, org, invoice):
    return services.approve_invoice(principal_for(user, org), invoice.pk)


def refused(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def pay(user, org, invoice, amount, **extra):
    return services.record_payment(
        principal_for(user, org),
        provider_id=invoice.provider_id,
        engagement_id=invoice.engagement_id,
        invoice_id=invoice.pk,
        data={"paid_on": org.today(), "amount": D(amount), "method": "ach", **extra},
        confirm_date=True,
    )


@pytest.fixture
def invoice(org, priya, hourly):
    return submit(priya, org, hourly)  # 10 h × 90 = 900.00


# --- Who approves -----------------------------------------------------------------------------
def test_a_manager_approves_and_the_contact_is_told(org, manager, priya, invoice):
    approved, warnings = approve(manager, org, invoice)
    assert approved.status == "approved" and approved.decided_by == manager
    assert any("no W-9" in warning for warning in warnings)  # the rule warns by default
    assert AuditEvent.objects.filter(organization=org, action="invoice.approved").exists()
    assert Notification.objects.filter(user=priya, event="invoice_approved").exists()


def test_nobody_approves_an_invoice_they_entered(org, manager, provider, hourly):
    entered = submit(manager, org, hourly, number="M-1")
    assert "entered" in refused(lambda: approve(manager, org, entered))["invoice"][0]


def test_only_a_submitted_invoice_is_approved(org, manager, admin, invoice):
    approve(manager, org, invoice)
    assert "only a submitted" in refused(lambda: approve(admin, org, invoice))["invoice"][0]


def test_a_member_and_a_role_below_the_default_are_refused(org, member, manager, admin, invoice):
    with pytest.raises(PermissionDenied):
        approve(member, org, invoice)
    settings(org, admin, least_role="admin")
    with pytest.raises(PermissionDenied, match="an admin or above"):
        approve(manager, org, invoice)
    assert approve(admin, org, invoice)[0].status == "approved"


def test_over_the_roles_limit_is_refused(org, manager, admin, invoice):
    settings(org, admin, manager_limit="500.00")
    message = refused(lambda: approve(manager, org, invoice))["amount"][0]
    assert "900.00" in message and "500.00" in message
    assert approve(admin, org, invoice)[0].status == "approved"


def test_above_the_amount_two_different_people_approve(org, owner, manager, admin, invoice):
    settings(org, admin, second_approver_above="800")
    first, warnings = approve(manager, org, invoice)
    assert first.status == "submitted" and "Approval 1 of 2" in warnings[-1]
    again = refused(lambda: approve(manager, org, invoice))["invoice"][0]
    assert "second approval must come from someone else" in again
    assert approve(owner, org, invoice)[0].status == "approved"
    assert InvoiceApproval.objects.filter(invoice=invoice).count() == 2


def test_the_w9_rule_refuses_at_approval_when_set(org, owner, manager, invoice):
    compliance.update_settings(principal_for(owner, org), data={"refuse_payments_without_w9": True})
    assert "no W-9 on file" in refused(lambda: approve(manager, org, invoice))["provider"][0]
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"
    assert not InvoiceApproval.objects.filter(invoice=invoice).exists()


def test_rules_engagement_then_function_then_default(org, admin, manager, owner, invoice, hourly):
    admin_p = principal_for(admin, org)
    function = BusinessFunction.objects.filter(organization=org).first()
    from handoff.payables import selectors

    assert selectors.who_may_approve(admin_p, invoice).least_role == "manager"
    services.add_approval_rule(admin_p, function_id=function.pk, least_role="admin")
    decision = selectors.who_may_approve(admin_p, invoice)
    assert decision.least_role == "admin" and function.name in decision.why
    services.add_approval_rule(admin_p, engagement_id=hourly.pk, least_role="owner")
    decision = selectors.who_may_approve(admin_p, invoice)
    assert decision.least_role == "owner" and decision.why == "The engagement's rule"
    with pytest.raises(PermissionDenied):
        approve(admin, org, invoice)
    rule = ApprovalRule.objects.get(engagement=hourly)
    services.delete_approval_rule(admin_p, rule)
    assert selectors.who_may_approve(admin_p, invoice).least_role == "admin"
    with pytest.raises(PermissionDenied):
        services.add_approval_rule(
            principal_for(manager, org), function_id=function.pk, least_role="owner"
        )
    assert (
        "one of them"
        in refused(lambda: services.add_approval_rule(admin_p, least_role="owner"))["engagement"][0]
    )


def test_settings_are_admins_and_audited(org, manager, admin):
    with pytest.raises(PermissionDenied):
        settings(org, manager, least_role="owner")
    assert "above zero" in refused(lambda: settings(org, admin, admin_limit="-1"))["admin_limit"][0]
    settings(org, admin, least_role="admin", admin_limit="10000")
    assert AuditEvent.objects.filter(organization=org, action="approval.settings_changed").exists()


# --- Rejection and the corrected invoice ------------------------------------------------------
def test_a_rejection_needs_a_reason_the_contact_sees_and_corrects(org, manager, priya, invoice):
    assert "reason" in refused(
        lambda: services.reject_invoice(principal_for(manager, org), invoice.pk, " ")
    )
    services.reject_invoice(principal_for(manager, org), invoice.pk, "Wrong rate: 90 an hour.")
    assert Notification.objects.filter(user=priya, event="invoice_rejected").exists()
    contact = client_for(priya)
    page = contact.get(f"/portal/acme/invoices/{invoice.pk}/").content.decode()
    assert "Wrong rate: 90 an hour." in page and "Submit a corrected invoice" in page
    form = contact.get(f"/portal/acme/invoices/new/?replaces={invoice.pk}").content.decode()
    assert "L-1-2" in form and "Submit a corrected invoice" in form
    corrected = submit(priya, org, invoice.engagement, number="L-1-2", replaces_id=invoice.pk)
    assert corrected.replaces_id == invoice.pk
    assert Invoice.objects.get(pk=invoice.pk).status == "superseded"
    page = contact.get(f"/portal/acme/invoices/{corrected.pk}/").content.decode()
    assert "Versions" in page and "L-1" in page


# --- Payments against invoices -----------------------------------------------------------------
def test_partial_payments_then_paid_and_overpay_refused(org, manager, admin, invoice):
    assert "only an approved" in refused(lambda: pay(admin, org, invoice, "100"))["invoice"][0]
    approve(manager, org, invoice)
    pay(admin, org, invoice, "400")
    message = refused(lambda: pay(admin, org, invoice, "600"))["amount"][0]
    assert "500.00" in message and "paid so far 400.00" in message
    pay(admin, org, invoice, "300")
    from handoff.payables import selectors

    row = selectors.invoices(principal_for(admin, org)).get(pk=invoice.pk)
    assert (row.paid, row.balance, row.payment_state) == (D("700"), D("200"), "partly_paid")
    pay(admin, org, invoice, "200")
    row = selectors.invoices(principal_for(admin, org)).get(pk=invoice.pk)
    assert row.payment_state == "paid" and row.balance == 0
    assert Payment.objects.filter(invoice=invoice).count() == 3


def test_a_payment_without_an_invoice_still_works(org, manager, provider):
    payment, _ = services.record_payment(
        principal_for(manager, org),
        provider_id=provider.pk,
        data={"paid_on": org.today(), "amount": D("50"), "method": "check"},
    )
    assert payment.invoice is None


def test_the_list_filters_every_payment_state(org, priya, hourly, manager, admin):
    invoices = [
        submit(
            priya,
            org,
            hourly,
            number=f"S-{n}",
            period_start=date(2026, n, 1),
            period_end=date(2026, n, 28),
        )
        for n in (3, 4, 5)
    ]
    for invoice in invoices:
        approve(manager, org, invoice)
    pay(admin, org, invoices[1], "100")
    pay(admin, org, invoices[2], "900")
    client = client_for(manager)
    for state, number in (("unpaid", "S-3"), ("partly_paid", "S-4"), ("paid", "S-5")):
        page = client.get(f"/o/acme/pay/invoices/?payment_state={state}").content.decode()
        assert number in page and all(
            other not in page for other in ("S-3", "S-4", "S-5") if other != number
        ), state
    page = client.get("/o/acme/pay/invoices/?payment_state=open").content.decode()
    assert "S-3" in page and "S-4" in page and "S-5" not in page


# --- Pages ------------------------------------------------------------------------------------
def test_the_pages_approve_reject_and_pay(org, manager, admin, invoice):
    client = client_for(manager)
    page = client.get(f"/o/acme/pay/invoices/{invoice.pk}/").content.decode()
    assert "a manager or above approves it" in page and "Approve" in page
    response = client.post(f"/o/acme/pay/invoices/{invoice.pk}/approve/")
    assert response.status_code == 302
    page = client.get(f"/o/acme/pay/invoices/{invoice.pk}/").content.decode()
    assert "Record a payment" in page and "Unpaid" in page
    form = client.get(f"/o/acme/pay/payments/new/?invoice={invoice.pk}").content.decode()
    assert 'value="900.00"' in form and "balance" in form
    response = client.post(
        f"/o/acme/pay/payments/new/?invoice={invoice.pk}",
        {
            "provider": invoice.provider_id,
            "engagement": invoice.engagement_id,
            "invoice": invoice.pk,
            "paid_on": org.today().isoformat(),
            "amount": "900.00",
            "method": "ach",
            "confirm_date": "on",
        },
    )
    assert response.status_code == 302 and response.url == f"/o/acme/pay/invoices/{invoice.pk}/"
    assert "Paid" in client.get(response.url).content.decode()


def test_the_reject_page_needs_a_reason(org, manager, invoice):
    client = client_for(manager)
    response = client.post(f"/o/acme/pay/invoices/{invoice.pk}/reject/", {"reason": ""})
    assert response.status_code == 422
    client.post(f"/o/acme/pay/invoices/{invoice.pk}/reject/", {"reason": "No timesheet"})
    assert Invoice.objects.get(pk=invoice.pk).rejection_reason == "No timesheet"


def test_the_settings_page_admins_edit(org, admin, manager):
    page = client_for(manager).get("/o/acme/pay/approval/")
    assert page.status_code == 200 and b"Admins change these" in page.content
    assert (
        client_for(manager).post("/o/acme/pay/approval/", {"least_role": "owner"}).status_code
        == 403
    )
    client = client_for(admin)
    response = client.post(
        "/o/acme/pay/approval/",
        {"form": "settings", "least_role": "admin", "manager_limit": "1000"},
    )
    assert response.status_code == 302
    function = BusinessFunction.objects.filter(organization=org).first()
    client.post(
        "/o/acme/pay/approval/", {"form": "rule", "function": function.pk, "least_role": "owner"}
    )
    rule = ApprovalRule.objects.get(organization=org)
    assert function.name in client.get("/o/acme/pay/approval/").content.decode()
    client.post(f"/o/acme/pay/approval-rules/{rule.pk}/delete/")
    assert not ApprovalRule.objects.filter(organization=org).exists()


def test_other_organizations_are_404(org, outsider, other_org, invoice, admin):
    rule = services.add_approval_rule(
        principal_for(admin, org),
        function_id=BusinessFunction.objects.filter(organization=org).first().pk,
        least_role="admin",
    )
    client = client_for(outsider)
    for url in (
        f"/o/elsewhere/pay/invoices/{invoice.pk}/approve/",
        f"/o/elsewhere/pay/invoices/{invoice.pk}/reject/",
        f"/o/elsewhere/pay/approval-rules/{rule.pk}/delete/",
    ):
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    assert client.get(f"/o/elsewhere/pay/payments/new/?invoice={invoice.pk}").status_code == 200
    assert client.get("/o/acme/pay/approval/").status_code == 404
    api = api_client_for(outsider, other_org)
    base = "/api/v1/payables"
    assert api.post(f"{base}/invoices/{invoice.pk}/approve").status_code == 404
    assert api.post(f"{base}/invoices/{invoice.pk}/reject", {"reason": "x"}).status_code == 404
    assert api.client.delete(f"{base}/approval-rules/{rule.pk}", **api.auth).status_code == 404
    assert api.get(f"{base}/approval-rules").json() == []
    assert Invoice.objects.get(pk=invoice.pk).status == "submitted"


# --- API --------------------------------------------------------------------------------------
def test_the_api_approves_rejects_and_sets_who_approves(
    org, manager, admin, member, invoice, priya, hourly
):
    base = "/api/v1/payables"
    api = api_client_for(manager, org)
    assert (
        api_client_for(member, org).post(f"{base}/invoices/{invoice.pk}/approve").status_code == 403
    )
    admin_api = api_client_for(admin, org)
    put = admin_api.client.put(
        f"{base}/approval-settings",
        {"least_role": "manager", "manager_limit": "500.00", "second_approver_above": None},
        content_type="application/json",
        **admin_api.auth,
    )
    assert put.status_code == 200 and put.json()["manager_limit"] == "500.00"
    over = api.post(f"{base}/invoices/{invoice.pk}/approve")
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount"
    ok = admin_api.post(f"{base}/invoices/{invoice.pk}/approve")
    body = ok.json()
    assert ok.status_code == 200 and body["status"] == "approved"
    assert body["approvals"][0]["approver_id"] == admin.pk
    assert (body["paid"], body["balance"], body["payment_state"]) == ("0.00", "900.00", "unpaid")
    other = submit(
        priya,
        org,
        hourly,
        number="L-2",
        **{"period_start": date(2026, 2, 1), "period_end": date(2026, 2, 28)},
    )
    bad = api.post(f"{base}/invoices/{other.pk}/reject", {"reason": ""})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "reason"
    assert (
        api.post(f"{base}/invoices/{other.pk}/reject", {"reason": "Period"}).json()[
            "rejection_reason"
        ]
        == "Period"
    )
    function = BusinessFunction.objects.filter(organization=org).first()
    created = admin_api.post(
        f"{base}/approval-rules", {"function_id": function.pk, "least_role": "admin"}
    )
    assert created.status_code == 201
    assert (
        api.post(
            f"{base}/approval-rules", {"function_id": function.pk, "least_role": "admin"}
        ).status_code
        == 403
    )
    assert len(api.get(f"{base}/approval-rules").json()) == 1
    deleted = admin_api.client.delete(
        f"{base}/approval-rules/{created.json()['id']}", **admin_api.auth
    )
    assert deleted.status_code == 204
    listing = api.get(f"{base}/invoices", payment_state="unpaid").json()
    assert [row["number"] for row in listing["results"]] == ["L-1"]


# --- Reminders --------------------------------------------------------------------------------
def test_reminders_once_per_invoice_per_stage(org, owner, manager, admin, priya, hourly):
    waiting = submit(priya, org, hourly, number="W-1")
    due = submit(
        priya,
        org,
        hourly,
        number="D-1",
        due_on=date.today() + timedelta(days=10),
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
    )
    approve(manager, org, due)
    now = timezone.now()
    assert jobs.invoice_reminders(now) == 0  # nothing has waited 3 days; D-1 not yet due
    Invoice.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=4))
    later = now + timedelta(days=12)
    sent = jobs.invoice_reminders(later)
    assert Notification.objects.filter(event="invoice_waiting", user=manager).exists()
    assert Notification.objects.filter(event="invoice_unpaid", user=owner).exists()
    assert not Notification.objects.filter(event="invoice_unpaid", user=manager).exists()
    assert sent > 0 and jobs.invoice_reminders(later) == 0  # once per invoice per stage
