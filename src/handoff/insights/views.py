from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions import services as decisions
from handoff.decisions.models import BusinessFunction, ShortlistCandidate
from handoff.insights import shortlist as shortlists
from handoff.insights.reputation import estimate
from handoff.insights.selectors import addable_to_shortlist, evidence_for
from handoff.providers.models import Provider


@principal_required(Role.VIEWER)
def provider_reputation(request, provider_pk):
    """The reputation card on a provider's page (an htmx fragment)."""
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    evidence = evidence_for(request.principal, [provider.pk])[provider.pk]
    context = {"provider": provider, "evidence": evidence, "reputation": estimate(evidence)}
    return render(request, "insights/_reputation.html", context)


@principal_required(Role.VIEWER, writes=Role.MANAGER)
def shortlist(request, function_pk):
    """Candidates for a business function side by side; managers add, remove and choose."""
    function = get_visible_or_404(BusinessFunction.objects, request.principal, pk=function_pk)
    if request.method == "POST":
        try:
            decisions.add_candidate(
                request.principal,
                function,
                provider_id=request.POST.get("provider") or None,
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("insights:shortlist", request.org.slug, function.pk)
    rows = shortlists.comparison(request.principal, function)
    listed = {row.provider.pk for row in rows}
    context = {
        "function": function,
        "rows": rows,
        "addable": addable_to_shortlist(request.principal, listed),
    }
    return render(request, "insights/shortlist.html", context)


def _candidate(request, function_pk, pk):
    return get_visible_or_404(
        ShortlistCandidate.objects.filter(function_id=function_pk).select_related(
            "provider", "function"
        ),
        request.principal,
        pk=pk,
    )


@require_POST
@principal_required(Role.MANAGER)
def shortlist_remove(request, function_pk, pk):
    candidate = _candidate(request, function_pk, pk)
    decisions.remove_candidate(request.principal, candidate)
    messages.success(request, f"{candidate.provider} is off the shortlist.")
    return redirect("insights:shortlist", request.org.slug, function_pk)


@require_POST
@principal_required(Role.MANAGER)
def shortlist_choose(request, function_pk, pk):
    candidate = _candidate(request, function_pk, pk)
    engagement = shortlists.choose(request.principal, candidate)
    messages.success(
        request,
        f"{candidate.provider} is chosen. Here is the draft engagement, priced from their "
        "quote: check the terms and fill in the communication plan.",
    )
    return redirect(engagement.get_absolute_url())
