from django.shortcuts import render

from handoff.core.access import org_member_required
from handoff.core.roles import Role
from handoff.core.tenancy import get_for_org_or_404
from handoff.insights.reputation import estimate
from handoff.insights.selectors import evidence_for
from handoff.providers.models import Provider


@org_member_required(Role.VIEWER)
def provider_reputation(request, provider_pk):
    """The reputation card on a provider's page (an htmx fragment)."""
    provider = get_for_org_or_404(Provider.objects, request.org, pk=provider_pk)
    evidence = evidence_for(request.org, [provider.pk])[provider.pk]
    context = {"provider": provider, "evidence": evidence, "reputation": estimate(evidence)}
    return render(request, "insights/_reputation.html", context)
