"""Reputation counts the provider's own delivery record here, beside its reference checks."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.core.principal import Principal
from handoff.insights.reputation import Evidence, estimate
from handoff.insights.selectors import evidence_for
from tests.conftest import client_for
from tests.factories import ProviderFactory
from tests.insights.test_scorecards import NOW, build_world, engagement_for, local, task


def test_deliveries_and_ratings_at_acceptance_become_evidence(org, owner, manager):
    world = build_world(org, owner, manager)
    evidence = evidence_for(Principal.system(org), [world.provider.pk], now=NOW)[world.provider.pk]
    # On time: T1, T6, T7 (March) and T8 (April, delivered early) = 4; late: T2 and T3
    # delivered late, T4 still open past its due time = 3. Cancelled T5 is neither.
    assert (evidence.on_time, evidence.late) == (4, 3)
    # Accepted with a rating: T1 5, T2 3, T6 4 (T3 is delivered, not accepted).
    assert evidence.quality_ratings == (3, 4, 5)
    assert evidence.reference_checks == ()
    # 4 on time + (0.5 + 0.75 + 1) from the ratings = 6.25 good of 10 observations;
    # (2 + 6.25) / (4 + 10) = 0.589 → 1 + 4 × 0.589 = 3.36.
    assert round(estimate(evidence).score, 2) == 3.36


def test_a_provider_without_work_has_no_delivery_evidence(org):
    provider = ProviderFactory(organization=org)
    assert evidence_for(Principal.system(org), [provider.pk])[provider.pk] == Evidence()


def test_the_evidence_of_many_providers_costs_the_same_queries(org):
    providers = [ProviderFactory(organization=org) for _ in range(6)]
    for n, provider in enumerate(providers):
        task(
            engagement_for(org, provider),
            f"T{n}",
            local(3, 5),
            delivered=local(3, 4),
            quality_rating=4,
        )
    with CaptureQueriesContext(connection) as two:
        evidence_for(Principal.system(org), [p.pk for p in providers[:2]])
    with CaptureQueriesContext(connection) as six:
        evidence = evidence_for(Principal.system(org), [p.pk for p in providers])
    assert len(two) == len(six) == 3
    assert all(e.on_time == 1 and e.quality_ratings == (4,) for e in evidence.values())


def test_the_card_counts_the_deliveries(org, owner, manager, viewer):
    world = build_world(org, owner, manager)
    url = reverse("insights:provider_reputation", args=[org.slug, world.provider.pk])
    page = client_for(viewer).get(url).content.decode()
    assert "7 deliveries here" in page
