"""The payee's tax form in the provider portal: a contact sees their business's W-9s (masked
TIN, each signed copy downloadable) and W-8s, answers a request the organization sent, or
signs a new version when their name, address or TIN changes. Signing itself is the link's
pages."""

from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from handoff.compliance import foreign, onboarding, selectors
from handoff.core.tenancy import get_visible_or_404
from handoff.work.portal_views import portal_required


@portal_required
def portal_w9(request):
    principal = request.principal
    w9s = list(selectors.w9s(principal))
    w8s = list(selectors.w8s(principal))
    live = [link for link in onboarding.links(principal)[:5] if link.is_live]
    context = {"w9s": w9s, "w8s": w8s, "asked": live[0] if live else None}
    return render(request, "compliance/portal_w9.html", context)


@require_POST
@portal_required
def portal_w9_start(request):
    raw = onboarding.start_from_portal(request.principal)
    return redirect("compliance:onboarding_start", raw)


@never_cache
@portal_required
def portal_w9_document(request, pk):
    w9 = get_visible_or_404(selectors.w9s(request.principal), request.principal, pk=pk)
    handle = onboarding.open_own_w9(request.principal, w9)
    return FileResponse(
        handle, as_attachment=True, filename=w9.download_name, content_type=w9.document_type
    )


@never_cache
@portal_required
def portal_w8_document(request, pk):
    w8 = get_visible_or_404(selectors.w8s(request.principal), request.principal, pk=pk)
    handle = foreign.open_w8_document(request.principal, w8)
    return FileResponse(
        handle, as_attachment=True, filename=w8.download_name, content_type=w8.document_type
    )
