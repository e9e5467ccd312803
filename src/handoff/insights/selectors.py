"""The evidence behind reputations, read once for many providers."""

from collections import defaultdict

from handoff.insights.reputation import Evidence, check_observation
from handoff.providers.models import ReferenceCheck


def evidence_for(org, provider_ids) -> dict[int, Evidence]:
    """Evidence per provider in one query. Delivery counts (on time, late, quality at
    acceptance) join here once tasks run through Handoff; until then references carry it."""
    checks = defaultdict(list)
    rows = (
        ReferenceCheck.objects.for_org(org)
        .filter(reference__provider_id__in=list(provider_ids))
        .values_list(
            "reference__provider_id",
            "understood_field",
            "met_deadlines",
            "communication",
            "quality",
            "would_hire_again",
        )
    )
    for provider_id, *ratings, hire in rows:
        observation = check_observation([r for r in ratings if r], hire)
        if observation is not None:
            checks[provider_id].append(observation)
    return {pk: Evidence(reference_checks=tuple(checks.get(pk, ()))) for pk in provider_ids}
