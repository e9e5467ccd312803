"""The signatures API: follow requests, cancel, download, verify; and sending an agreement."""

import io
import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements, services
from handoff.signatures.models import SignatureRequest
from tests.conftest import api_client_for
from tests.factories import ProviderFactory, principal_for

API = "/api/v1"
LINK = re.compile(r"https?://\S+/sign/([\w-]+)/")


@pytest.fixture
def version(org, owner):
    provider = ProviderFactory(organization=org, name="Ledgerline", kind="individual")
    engagement = services.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk],
        data={
            "title": "Monthly books",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
        },
    )
    return agreements.generate(principal_for(owner, org), engagement)


def send_path(version):
    return (
        f"{API}/engagements/{version.engagement_id}/agreement/versions/{version.pk}"
        "/signature-request"
    )


BODY = {"provider_name": "Lee Ledger", "provider_email": "lee@ledger.test"}


@pytest.mark.django_db(transaction=True)
def test_send_follow_sign_download_and_verify(org, manager, viewer, version):
    api = api_client_for(manager, org)
    mail.outbox.clear()
    response = api.post(send_path(version), BODY | {"our_signer_id": manager.pk})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "out"
    assert [s["status"] for s in created["signers"]] == ["sent", "waiting"]
    agreement = api.get(f"{API}/engagements/{version.engagement_id}/agreement").json()
    assert agreement["versions"][0]["signature_request_id"] == created["id"]

    for _ in range(2):
        token = LINK.search(mail.outbox[-1].body).group(1)
        page = reverse("signatures:sign", args=[token])
        client = Client()
        client.post(page, {"agree": "on"})
        sha = created["document_sha256"]
        client.post(page, {"shown_sha256": sha, "typed_name": "Signer", "agree": "on"})

    reader = api_client_for(viewer, org)
    one = reader.get(f"{API}/signature-requests/{created['id']}").json()
    assert one["status"] == "signed" and one["sealed_sha256"]
    assert [s["status"] for s in one["signers"]] == ["signed", "signed"]
    listed = reader.get(f"{API}/signature-requests", status="signed").json()
    assert [row["id"] for row in listed["results"]] == [created["id"]]
    signed = reader.get(f"{API}/signature-requests/{created['id']}/signed")
    assert signed.status_code == 200
    sealed = b"".join(signed.streaming_content)

    verdict = reader.client.post(
        f"{API}/signatures/verify",
        {"file": io.BytesIO(sealed)},
        **reader.auth,
    ).json()
    assert verdict["verified"] is True
    assert [s["side"] for s in verdict["signers"]] == ["provider", "us"]
    broken = reader.client.post(
        f"{API}/signatures/verify",
        {"file": io.BytesIO(sealed.replace(b"/Producer", b"/Producex", 1))},
        **reader.auth,
    ).json()
    assert broken["verified"] is False and broken["problem"]


@pytest.mark.django_db
def test_bad_input_names_the_field_and_saves_nothing(org, manager, version):
    api = api_client_for(manager, org)
    bad = api.post(
        send_path(version), BODY | {"provider_email": "nope", "our_signer_id": manager.pk}
    )
    assert bad.status_code == 422 and "provider_email" in bad.content.decode()
    stranger = api.post(send_path(version), BODY | {"our_signer_id": 999999})
    assert stranger.status_code == 422 and "our_signer_id" in stranger.content.decode()
    days = api.post(send_path(version), BODY | {"our_signer_id": manager.pk, "valid_days": 0})
    assert days.status_code == 422 and "valid_days" in days.content.decode()
    assert not SignatureRequest.objects.exists()


@pytest.mark.django_db
def test_cancel_and_the_other_organization(org, manager, version, outsider, other_org):
    api = api_client_for(manager, org)
    created = api.post(send_path(version), BODY | {"our_signer_id": manager.pk}).json()
    foreign = api_client_for(outsider, other_org)
    assert foreign.get(f"{API}/signature-requests/{created['id']}").status_code == 404
    assert foreign.post(f"{API}/signature-requests/{created['id']}/cancel").status_code == 404
    assert foreign.get(f"{API}/signature-requests").json()["count"] == 0
    cancelled = api.post(f"{API}/signature-requests/{created['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    again = api.post(f"{API}/signature-requests/{created['id']}/cancel")
    assert again.status_code == 422
    assert api.get(f"{API}/signature-requests/{created['id']}/signed").status_code == 404
