"""Comply → Onboarding: where each contractor with an open engagement stands, from not invited
to done, and what is missing, in a fixed number of queries."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.compliance import onboarding, standing
from handoff.engagements import agreements
from handoff.engagements.models import SignedAgreement
from tests.compliance.conftest import record_w9
from tests.conftest import client_for
from tests.factories import ContactFactory, ProviderFactory, principal_for


def stage_of(org, actor, provider) -> str:
    rows = standing.standings(principal_for(actor, org))
    return next(row for row in rows if row.provider.pk == provider.pk).stage


def sign_on_paper(org, actor, engagement):
    signed = SignedAgreement(
        organization=org,
        engagement=engagement,
        content_type="application/pdf",
        signed_on="2025-01-02",
        signers="Jordan Lee; Olivia Owner",
    )
    signed.file.save("signed.pdf", ContentFile(b"%PDF-1.4 signed"), save=False)
    signed.save()


@pytest.mark.django_db
def test_a_contractor_moves_from_not_invited_to_done(
    org, owner, manager, jordan, jordan_engagement
):
    ContactFactory(organization=org, provider=jordan, name="Jordan Lee", email="jordan@jlee.test")
    assert stage_of(org, manager, jordan) == "not_invited"
    link, _ = onboarding.send_link(principal_for(manager, org), jordan)
    assert stage_of(org, manager, jordan) == "invited"
    link.opened_at = link.created_at
    link.save()
    assert stage_of(org, manager, jordan) == "opened"
    record_w9(jordan, owner)
    row = next(r for r in standing.standings(principal_for(manager, org)) if r.provider == jordan)
    assert row.stage == "tax_form_signed"
    assert [label for label, _ in row.missing] == ["Signed agreement: Front-desk IT support"]
    agreements.generate(principal_for(owner, org), jordan_engagement)
    sign_on_paper(org, owner, jordan_engagement)
    assert stage_of(org, manager, jordan) == "done"


@pytest.mark.django_db
def test_an_agreement_signed_before_the_w9(org, owner, viewer, jordan, jordan_engagement):
    sign_on_paper(org, owner, jordan_engagement)
    assert stage_of(org, viewer, jordan) == "agreement_signed"
    page = client_for(viewer).get(reverse("compliance:onboarding", args=[org.slug]))
    html = page.content.decode()
    assert "Jordan Lee IT" in html and "agreement signed" in html
    assert reverse("compliance:w9", args=[org.slug, jordan.pk]) in html  # the W-9 is missing


@pytest.mark.django_db
def test_every_stage_filters_and_the_tab_is_in_comply(org, viewer, jordan, jordan_engagement):
    client = client_for(viewer)
    overview = client.get(reverse("compliance:overview", args=[org.slug])).content.decode()
    assert reverse("compliance:onboarding", args=[org.slug]) in overview
    for key in standing.STAGES:
        page = client.get(reverse("compliance:onboarding", args=[org.slug]), {"stage": key})
        assert page.status_code == 200
        assert ("Jordan Lee IT" in page.content.decode()) == (key == "not_invited")


@pytest.mark.django_db
def test_another_organizations_contractors_are_not_listed(
    org, jordan, jordan_engagement, outsider, other_org
):
    assert standing.standings(principal_for(outsider, other_org)) == []
    page = client_for(outsider).get(reverse("compliance:onboarding", args=[other_org.slug]))
    assert "Jordan Lee IT" not in page.content.decode()
    assert (
        client_for(outsider).get(reverse("compliance:onboarding", args=[org.slug])).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_contractors(
    org, owner, viewer, jordan, jordan_engagement
):
    from handoff.decisions.models import BusinessFunction
    from handoff.engagements import services as engagements

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            standing.standings(principal_for(viewer, org))
        return len(queries)

    agreements.generate(principal_for(owner, org), jordan_engagement)
    record_w9(jordan, owner)
    few = count()
    function = BusinessFunction.objects.filter(organization=org).get(name="IT support")
    for index in range(4):
        provider = ProviderFactory(organization=org, name=f"Extra {index}", kind="individual")
        engagement = engagements.create_engagement(
            principal_for(owner, org),
            provider_id=provider.pk,
            function_ids=[function.pk],
            data={
                "title": f"Work {index}",
                "pricing_model": "flat",
                "amount": "10.00",
                "start_date": "2025-01-01",
            },
        )
        agreements.generate(principal_for(owner, org), engagement)
        record_w9(provider, owner)
    assert count() == few
