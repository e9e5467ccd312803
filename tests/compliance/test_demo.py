"""Comply's demo data: an assessed individual contractor, W-9s with fake TINs, a year of
payments, a 1099-NEC list, and one payee without a W-9."""

import re

import pytest
from django.utils import timezone

from handoff import demo
from handoff.accounts.models import Organization
from handoff.compliance import selectors, tins
from handoff.compliance.models import W9, ClassificationAssessment, OnboardingLink
from handoff.core.principal import Principal
from handoff.payables.models import Payment


@pytest.mark.django_db
def test_the_demo_has_comply_data_with_only_fake_tins():
    assert demo.load() is True
    org = Organization.objects.get(slug=demo.ORG_SLUG)
    assessment = ClassificationAssessment.objects.filter(organization=org).get()
    assert assessment.provider.name == "Jordan Lee IT" and assessment.provider.kind == "individual"
    assert assessment.outcome == "contractor"
    assert assessment.engagement_links.count() == 1
    # Jordan's hours changed after the assessment: it no longer describes the arrangement.
    [(stale, reasons)] = selectors.stale_assessments(Principal.system(org))
    assert stale == assessment and reasons
    for w9 in W9.objects.filter(organization=org):
        digits = tins.decrypt(w9.tin_encrypted)
        # SSNs from area 900-999 with group 00; EINs with the unused prefix 00.
        assert (w9.tin_type == "ssn" and re.fullmatch(r"9\d\d00\d{4}", digits)) or (
            w9.tin_type == "ein" and digits.startswith("00")
        )
    payments = Payment.objects.filter(organization=org)
    assert payments.count() >= 20 and payments.filter(processor_reported=True).exists()
    year = timezone.localdate().year
    reports = [selectors.nec_report(Principal.system(org), y) for y in (year, year - 1)]
    assert any(report.needing_forms for report in reports)
    assert [p.name for p in selectors.payees_without_w9(Principal.system(org))] == [
        "Pixel & Pine Marketing"
    ]
    # Asked for it by link: agreed to sign electronically, not signed yet.
    link = OnboardingLink.objects.get(organization=org)
    assert link.provider.name == "Pixel & Pine Marketing" and link.status == "consented"
    assert link.sent_to == "sam@pixelandpine.example"
    assert link.created_at < link.consented_at < timezone.now() < link.expires_at
    # A designer abroad gave a W-8BEN: paid, with no 1099-NEC, and the list says why.
    foreign_rows = [
        row for report in reports for row in report.rows if row.reason == "foreign_person"
    ]
    assert foreign_rows and foreign_rows[0].provider.name == "Lumen Studio"
    assert "Form 1042-S" in foreign_rows[0].foreign_note
    assert demo.load() is False  # a second run adds nothing
    assert Payment.objects.filter(organization=org).count() == payments.count()


@pytest.mark.django_db
def test_the_demo_practice_is_ready_to_file_through_iris():
    """The demo's payer details are complete (a test EIN), so its IRIS page offers a file."""
    from handoff.compliance import iris_returns

    assert demo.load() is True
    org = Organization.objects.get(slug=demo.ORG_SLUG)
    state = iris_returns.iris_year(Principal.system(org), timezone.localdate().year - 1)
    assert state.payer_problems == []
    assert tins.decrypt(selectors.settings_for(Principal.system(org)).payer_tin_encrypted) == (
        "003318406"
    )
