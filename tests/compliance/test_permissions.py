"""Every Comply page and endpoint: another organization's member gets 404, a role below the
least gets 403, the least role gets through."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from handoff.compliance import services
from handoff.compliance.models import Filing1099
from handoff.core.principal import Principal
from handoff.payables import services as payables
from handoff.payables.models import Payment
from tests.compliance.conftest import pay, pdf_upload, record_w9
from tests.compliance.test_assessments import assess
from tests.conftest import api_client_for, client_for
from tests.factories import principal_for

PAGES = [
    # (name, method, least role, needs)
    ("overview", "get", "viewer", ""),
    ("settings", "get", "admin", ""),
    ("settings", "post", "admin", ""),
    ("assessments", "get", "viewer", ""),
    ("assessment", "get", "viewer", "assessment"),
    ("assessment_create", "get", "manager", "provider"),
    ("assessment_create", "post", "manager", "provider"),
    ("provider_card", "get", "viewer", "provider"),
    ("engagement_status", "get", "viewer", "engagement"),
    ("w9", "get", "viewer", "provider"),
    ("w9_create", "get", "manager", "provider"),
    ("w9_create", "post", "manager", "provider"),
    ("w9_reveal", "post", "admin", "w9"),
    ("w9_document", "get", "admin", "w9"),
    ("missing_w9", "get", "viewer", ""),
    ("nec_index", "get", "viewer", ""),
    ("nec", "get", "viewer", "year"),
    ("nec_export", "get", "admin", "year"),
    ("nec_filing", "post", "admin", "year"),
]
BELOW = {"manager": "member", "admin": "manager"}


@pytest.fixture
def rows(org, owner, jordan, jordan_engagement):
    w9 = record_w9(jordan, owner)
    pay(org, owner, jordan, D("700"), date(2025, 3, 1))
    return {
        "provider": jordan,
        "engagement": jordan_engagement,
        "assessment": assess(jordan, owner),
        "w9": w9,
        "year": 2025,
    }


def path_for(org, name, needs, rows):
    args = [] if not needs else [rows[needs] if needs == "year" else rows[needs].pk]
    return reverse(f"compliance:{name}", args=[org.slug, *args])


def call(user, org, name, method, needs, rows):
    client = client_for(user)
    path = path_for(org, name, needs, rows)
    return client.get(path) if method == "get" else client.post(path, {})


IDS = [f"{method} {name}" for name, method, _, _ in PAGES]
RESTRICTED = [page for page in PAGES if page[2] in BELOW]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_outsiders_get_404(org, outsider, other_org, rows, name, method, least, needs):
    assert call(outsider, org, name, method, needs, rows).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "least", "needs"), RESTRICTED, ids=[f"{m} {n}" for n, m, _, _ in RESTRICTED]
)
def test_a_role_below_the_least_gets_403(org, member, manager, rows, name, method, least, needs):
    user = {"member": member, "manager": manager}[BELOW[least]]
    assert call(user, org, name, method, needs, rows).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_the_least_role_gets_through(org, viewer, manager, admin, rows, name, method, least, needs):
    user = {"viewer": viewer, "manager": manager, "admin": admin}[least]
    assert call(user, org, name, method, needs, rows).status_code in (200, 302)


@pytest.mark.django_db
def test_a_row_of_another_organization_is_404_to_a_member(org, other_org, outsider, manager):
    """The ids of another organization's rows are 404 even to a member of this one."""
    from tests.factories import ProviderFactory

    foreign = ProviderFactory(organization=other_org, kind="individual")
    foreign_w9 = record_w9(foreign, outsider)
    foreign_assessment = services.create_assessment(
        principal_for(outsider, foreign.organization), foreign, answers={}
    )
    client = client_for(manager)
    for name, pk in [
        ("w9", foreign.pk),
        ("assessment_create", foreign.pk),
        ("provider_card", foreign.pk),
        ("assessment", foreign_assessment.pk),
        ("w9_document", foreign_w9.pk),
    ]:
        assert client.get(reverse(f"compliance:{name}", args=[org.slug, pk])).status_code in (
            404,
            403,  # w9_document is admin-only: a manager is refused before the lookup
        )
    admin_client = client_for(org_admin(org))
    assert (
        admin_client.post(
            reverse("compliance:w9_reveal", args=[org.slug, foreign_w9.pk])
        ).status_code
        == 404
    )


def org_admin(org):
    from handoff.accounts.models import Membership
    from tests.factories import UserFactory

    user = UserFactory()
    Membership.objects.create(organization=org, user=user, role="admin")
    return user


# --- The API -----------------------------------------------------------------------------------
ENDPOINTS = [
    # (method, path, least role, body)
    ("get", "/api/v1/compliance/rules", "viewer", None),
    ("get", "/api/v1/compliance/settings", "viewer", None),
    ("patch", "/api/v1/compliance/settings", "admin", {"refuse_payments_without_w9": True}),
    ("get", "/api/v1/compliance/assessments", "viewer", None),
    ("get", "/api/v1/compliance/assessments/{assessment}", "viewer", None),
    ("post", "/api/v1/compliance/assessments", "manager", "assessment_body"),
    ("get", "/api/v1/compliance/w9s", "viewer", None),
    ("get", "/api/v1/compliance/w9s/{w9}", "viewer", None),
    ("upload", "/api/v1/compliance/w9s", "manager", "w9_body"),
    ("post", "/api/v1/compliance/w9s/{w9}/reveal", "admin", None),
    ("get", "/api/v1/compliance/w9s/{w9}/file", "admin", None),
    ("get", "/api/v1/compliance/payees-without-w9", "viewer", None),
    ("get", "/api/v1/payables/invoices", "viewer", None),
    ("post", "/api/v1/payables/invoices", "manager", "invoice_body"),
    ("get", "/api/v1/payables/payments", "viewer", None),
    ("post", "/api/v1/payables/payments", "manager", "payment_body"),
    ("post", "/api/v1/payables/payments/import", "manager", "import_body"),
    ("get", "/api/v1/compliance/1099", "viewer", None),
    ("get", "/api/v1/compliance/1099/2025", "viewer", None),
    ("get", "/api/v1/compliance/1099/2025/export", "admin", None),
    ("post", "/api/v1/compliance/1099/2025/filing", "admin", "filing_body"),
]
API_IDS = [f"{m} {p}" for m, p, _, _ in ENDPOINTS]


def bodies(rows) -> dict:
    provider = rows["provider"].pk
    return {
        "assessment_body": {"provider_id": provider, "answers": {}},
        "w9_body": {
            "provider_id": provider,
            "legal_name": "Jordan Lee",
            "tax_classification": "individual",
            "tin_type": "ssn",
            "tin": "900-00-4321",
            "street": "1 A St",
            "city": "B",
            "state": "IL",
            "postal_code": "62701",
            "signed_on": "2025-01-01",
            "file": pdf_upload(),
        },
        "invoice_body": {
            "provider_id": provider,
            "number": "X-9",
            "issued_on": "2025-01-01",
            "amount": "10",
        },
        "payment_body": {
            "provider_id": provider,
            "paid_on": "2025-01-01",
            "amount": "10",
            "method": "ach",
        },
        "import_body": {"csv": "provider,paid_on,amount,method\nJordan Lee IT,2025-01-01,5,ach\n"},
        "filing_body": {"filed_on": "2026-01-20", "method": "iris", "confirmation": "R-1"},
    }


def send(api, method, path, body):
    if method == "get":
        return api.get(path)
    if method == "post":
        return api.post(path, body)
    if method == "upload":
        return api.client.post(path, body, **api.auth)
    return api.patch(path, body)


def api_call(user, org, method, path, body, rows):
    path = path.format(assessment=rows["assessment"].pk, w9=rows["w9"].pk)
    body = bodies(rows)[body] if isinstance(body, str) else body
    return send(api_client_for(user, org), method, path, body)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "least", "body"), ENDPOINTS, ids=API_IDS)
def test_the_api_lets_the_least_role_through(
    org, viewer, manager, admin, rows, method, path, least, body
):
    user = {"viewer": viewer, "manager": manager, "admin": admin}[least]
    response = api_call(user, org, method, path, body, rows)
    assert response.status_code in (200, 201), response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "least", "body"),
    [e for e in ENDPOINTS if e[2] in BELOW],
    ids=[f"{m} {p}" for m, p, least, _ in ENDPOINTS if least in BELOW],
)
def test_the_api_gives_403_below_the_least_role(
    org, member, manager, rows, method, path, least, body
):
    user = {"member": member, "manager": manager}[BELOW[least]]
    assert api_call(user, org, method, path, body, rows).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/compliance/assessments/{assessment}",
        "/api/v1/compliance/w9s/{w9}",
        "/api/v1/compliance/w9s/{w9}/reveal",
        "/api/v1/compliance/w9s/{w9}/file",
    ],
)
def test_the_api_gives_404_for_another_organizations_rows(org, other_org, outsider, rows, path):
    method = "post" if path.endswith("reveal") else "get"
    assert api_call(outsider, other_org, method, path, None, rows).status_code == 404


def test_the_comply_services_check_the_role_themselves(org, owner, manager, member, jordan):
    """A manager records payments, invoices and W-9s; only an admin changes the settings,
    sees a TIN or records a filing — checked in the service, whoever calls it."""
    as_member, as_manager = principal_for(member, org), principal_for(manager, org)
    day = {"paid_on": date(2025, 3, 1), "amount": D("10"), "method": "ach"}
    with pytest.raises(PermissionDenied, match="manager role"):
        payables.record_payment(as_member, provider_id=jordan.pk, data=day)
    with pytest.raises(PermissionDenied, match="manager role"):
        services.create_assessment(as_member, jordan, answers={})
    w9 = record_w9(jordan, manager)
    with pytest.raises(PermissionDenied, match="admin role"):
        services.reveal_tin(as_manager, w9)
    with pytest.raises(PermissionDenied, match="admin role"):
        services.update_settings(as_manager, data={"refuse_payments_without_w9": True})
    with pytest.raises(PermissionDenied, match="admin role"):
        services.record_filing(as_manager, tax_year=2025, data={"method": "paper"})
    assert not Payment.objects.exists() and not Filing1099.objects.exists()
    assert not services.selectors.settings_for(Principal.system(org)).refuse_payments_without_w9
    assert services.reveal_tin(principal_for(owner, org), w9).endswith("1234")
