"""A request larger than the limit is refused with 413 before its body is read: the body here
is shorter than its declared length, so reading it at all would fail the test."""

import pytest
from django.urls import reverse

from handoff.compliance.models import W9
from tests.compliance.conftest import W9_DATA, pdf_upload
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory

DECLARED = str(120 * 1024 * 1024)  # 120 MB claimed; a few bytes sent


@pytest.mark.django_db
def test_a_page_upload_over_the_limit_is_refused_unread(org, manager):
    provider = ProviderFactory(organization=org)
    url = reverse("compliance:w9_create", args=[org.slug, provider.pk])
    response = client_for(manager).generic(
        "POST",
        url,
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=DECLARED,
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "This request is 120.0 MB" in text and "at most 25 MB" in text
    assert not W9.objects.exists()


@pytest.mark.django_db
def test_an_api_upload_over_the_limit_is_refused_unread(org, manager):
    api = api_client_for(manager, org)
    response = api.client.generic(
        "POST",
        "/api/v1/compliance/w9s",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=DECLARED,
        **api.auth,
    )
    assert response.status_code == 413
    assert "at most 25 MB" in response.json()["detail"]


@pytest.mark.django_db
def test_an_upload_within_the_limit_is_read(org, manager):
    provider = ProviderFactory(organization=org)
    url = reverse("compliance:w9_create", args=[org.slug, provider.pk])
    data = {**W9_DATA, "signed_on": "2025-01-10", "tin": "123-45-1234", "document": pdf_upload()}
    response = client_for(manager).post(url, data)
    assert response.status_code == 302
    assert W9.objects.filter(provider=provider).exists()
