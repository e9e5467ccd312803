"""The invoice endpoints: members read every provider's and enter them; a contact's token
reads and submits their own provider's; 422 names the line's field; other providers' and
organizations' invoices are 404; the list's query count does not grow."""

import pytest

from handoff.accounts import services as accounts
from handoff.payables.models import Invoice
from tests.conftest import ApiClient, api_client_for
from tests.factories import principal_for

# The fixtures are shared with test_invoices (imported, then named as arguments).
# ruff: noqa: F811
from tests.payables.test_invoices import (  # noqa: F401 (fixtures)
    foreign_engagement,
    hourly,
    priya,
    provider,
    rita,
    rival,
    rival_engagement,
    submit,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/payables/invoices"


def token_for(user, org) -> ApiClient:
    _, raw = accounts.create_api_token(principal_for(user, org), name="tests")
    return ApiClient(raw)


def body(engagement, lines, total, number="API-1", **extra):
    return {
        "engagement_id": engagement.pk,
        "number": number,
        "issued_on": "2026-02-02",
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "amount": total,
        "lines": lines,
        **extra,
    }


HOURS = {
    "kind": "hours",
    "description": "Books",
    "quantity": "10",
    "unit_price": "95.00",
    "amount": "950.00",
}


def test_a_contact_submits_and_reads_their_invoice(org, priya, hourly):
    api = token_for(priya, org)
    response = api.post(URL, body(hourly, [HOURS], "950.00"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["entered_by_member"] is False
    assert data["flags"][0]["code"] == "rate_differs" and data["flags"][0]["difference"] == "50.00"
    assert [line["amount"] for line in data["lines"]] == ["950.00"]
    assert api.get(f"{URL}/{data['id']}").json()["number"] == "API-1"
    assert api.get(URL).json()["count"] == 1


def test_a_bad_line_is_422_naming_it(org, priya, hourly):
    api = token_for(priya, org)
    lines = [HOURS, HOURS, {**HOURS, "amount": "951.00"}]
    response = api.post(URL, body(hourly, lines, "2851.00"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["lines[2].amount"]
    response = api.post(URL, body(hourly, [{**HOURS, "quantity": "ten"}], "950.00"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines[0].quantity"
    response = api.post(URL, body(hourly, [HOURS], "900.00"))
    assert [e["field"] for e in response.json()["errors"]] == ["amount"]
    assert not Invoice.objects.filter(organization=org).exists()


def test_a_contact_cannot_submit_or_read_another_providers(
    org, priya, rita, hourly, rival_engagement
):
    theirs = submit(rita, org, rival_engagement, number="N-1")
    api = token_for(priya, org)
    response = api.post(URL, body(rival_engagement, [HOURS], "950.00"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "engagement_id"
    assert api.get(f"{URL}/{theirs.pk}").status_code == 404
    assert api.get(URL).json()["count"] == 0


def test_a_manager_enters_one_and_members_read_and_filter(org, manager, viewer, member, hourly):
    response = api_client_for(manager, org).post(URL, body(hourly, [HOURS], "950.00"))
    assert response.status_code == 201 and response.json()["entered_by_member"] is True
    assert (
        api_client_for(member, org)
        .post(URL, body(hourly, [HOURS], "950.00", number="API-2"))
        .status_code
        == 403
    )
    reader = api_client_for(viewer, org)
    assert reader.get(URL, status="submitted").json()["count"] == 1
    assert reader.get(URL, status="approved").json()["count"] == 0


def test_another_organization_gets_404(org, outsider, other_org, priya, hourly):
    invoice = submit(priya, org, hourly)
    api = api_client_for(outsider, other_org)
    assert api.get(f"{URL}/{invoice.pk}").status_code == 404
    assert api.get(URL).json()["count"] == 0
    response = api.post(URL, body(hourly, [HOURS], "950.00", number="X"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "engagement_id"


def test_the_list_does_not_grow_in_queries(
    org, viewer, priya, hourly, django_assert_max_num_queries
):
    api = api_client_for(viewer, org)
    submit(priya, org, hourly, number="A-0")
    with django_assert_max_num_queries(30) as few:
        api.get(URL)
    for index in range(20):
        submit(priya, org, hourly, number=f"B-{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL).json()["count"] == 21
