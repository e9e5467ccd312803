"""W-9 pages. The TIN is masked everywhere; owners and admins reveal it with a POST (never a
link, so it never sits in a URL or a browser history) and the reveal is recorded.

Least roles: reading (masked) for viewers; entering a W-9 for managers; revealing the TIN and
opening the signed form, which shows it, for admins and owners."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.compliance import foreign, onboarding, selectors, services, tin_matching
from handoff.compliance.forms import RecordW8Form, W9Form
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.providers.models import Provider


def _page(request, provider, *, revealed=None, form=None, status=200):
    rows = list(selectors.w9s(request.principal).filter(provider=provider))
    w8s = list(selectors.w8s(request.principal).filter(provider=provider))
    in_force = selectors.foreign_form(rows[0] if rows else None, w8s[0] if w8s else None)
    if in_force and not in_force.in_force_on(request.org.today()):
        in_force = None
    links = list(onboarding.links(request.principal).filter(provider=provider)[:10])
    context = {
        "links": links,
        "live_link": next((link for link in links if link.is_live), None),
        "link_email": onboarding.suggested_email(request.principal, provider),
        "agreements_to_send": onboarding.agreements_to_send(request.principal, provider),
        "checks": tin_matching.last_checks(request.principal, rows),
        "open_case": tin_matching.cases(request.principal)
        .filter(provider=provider, resolved_on=None)
        .first(),
        "provider": provider,
        "w9s": rows,
        "current": rows[0] if rows else None,
        "w8s": w8s,
        "foreign": in_force,
        "foreign_note": foreign.why_no_1099(in_force) if in_force else "",
        "today": request.org.today(),
        "duplicates": selectors.duplicate_tins(request.principal, rows),
        "revealed": revealed,
        "can_reveal": services.can_reveal(request.principal),
        "form": form,
    }
    return render(request, "compliance/w9.html", context, status=status)


@principal_required(Role.VIEWER)
def w9_detail(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    return _page(request, provider)


@sensitive_post_parameters("tin")
@principal_required(Role.MANAGER)
def w9_create(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    initial = {"legal_name": provider.legal_name or provider.name}
    form = W9Form(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_w9(
                request.principal,
                provider,
                data=form.data_for_service(),
                tin=form.cleaned_data["tin"],
                upload=form.cleaned_data["document"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The W-9 of {provider.name} is on file.")
            return redirect("compliance:w9", request.org.slug, provider.pk)
    return render(request, "compliance/w9_form.html", {"provider": provider, "form": form})


@never_cache
@require_POST
@principal_required(Role.ADMIN)
def w9_reveal(request, pk):
    """The page again, with this W-9's TIN in full; nothing is cached."""
    w9 = get_visible_or_404(selectors.w9s(request.principal), request.principal, pk=pk)
    tin = services.reveal_tin(request.principal, w9)
    return _page(request, w9.provider, revealed={"pk": w9.pk, "tin": tin})


@never_cache
@principal_required(Role.ADMIN)
def w9_document(request, pk):
    w9 = get_visible_or_404(selectors.w9s(request.principal), request.principal, pk=pk)
    handle = services.open_w9_document(request.principal, w9)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=w9.download_name,
        content_type=w9.document_type,
    )


@principal_required(Role.MANAGER)
def w8_create(request, provider_pk):
    """A W-8BEN or W-8BEN-E the payee gave on paper: the scan and the form's first lines."""
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    initial = {"name": provider.legal_name or provider.name}
    form = RecordW8Form(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            w8 = foreign.record_w8(
                request.principal,
                provider,
                data=form.data_for_service(),
                upload=form.cleaned_data["document"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The {w8.form_label} of {provider.name} is on file.")
            return redirect("compliance:w9", request.org.slug, provider.pk)
    return render(request, "compliance/w8_form.html", {"provider": provider, "form": form})


@never_cache
@principal_required(Role.ADMIN)
def w8_document(request, pk):
    w8 = get_visible_or_404(selectors.w8s(request.principal), request.principal, pk=pk)
    handle = foreign.open_w8_document(request.principal, w8)
    return FileResponse(
        handle, as_attachment=True, filename=w8.download_name, content_type=w8.document_type
    )


@principal_required(Role.VIEWER)
def missing_w9(request):
    rows = list(selectors.payees_without_w9(request.principal))
    latest = {}
    for link in onboarding.links(request.principal).filter(provider__in=[p.pk for p in rows]):
        latest.setdefault(link.provider_id, link)  # newest first
    return render(request, "compliance/missing_w9.html", {"rows": rows, "links": latest})
