"""Signature requests: the organization's list and record of each, the signer's pages behind
the e-mailed link (read, consent, sign or decline, download), and the verify page.

Least roles: reading requests for viewers; cancelling for managers. The signer's pages need only
the link (its token is the credential); the verify page is open to anyone holding a PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.accounts.throttle import client_address
from handoff.core.forms import add_service_errors
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.signatures import hooks, services
from handoff.signatures.forms import ConsentForm, DeclineForm, SignForm, VerifyForm
from handoff.signatures.models import SignatureRequest

PER_PAGE = 50


def _pdf(handle, filename: str, *, inline: bool = False) -> FileResponse:
    return FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type="application/pdf"
    )


# --- The organization's side --------------------------------------------------------------------
@principal_required(Role.VIEWER)
def request_list(request):
    """Every signature request and where it stands, filtered by status."""
    rows = services.requests(request.principal)
    status = request.GET.get("status", "")
    if status in SignatureRequest.STATUSES:
        rows = services.with_status(rows, status)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": SignatureRequest.STATUSES}
    return render(request, "signatures/list.html", context)


@principal_required(Role.VIEWER)
def request_detail(request, pk):
    row = get_visible_or_404(services.requests(request.principal), request.principal, pk=pk)
    context = {
        "row": row,
        "signers": list(row.signers.all()),
        "subject_url": hooks.subject_url(row),
    }
    return render(request, "signatures/detail.html", context)


@principal_required(Role.VIEWER)
def request_document(request, pk):
    row = get_visible_or_404(SignatureRequest.objects, request.principal, pk=pk)
    return _pdf(row.document.open("rb"), f"{row.kind}-{row.pk}-as-sent.pdf")


@principal_required(Role.VIEWER)
def request_signed(request, pk):
    row = get_visible_or_404(SignatureRequest.objects, request.principal, pk=pk)
    if not row.completed_at:
        messages.error(request, "It is not signed by everyone yet.")
        return redirect("signatures:detail", request.org.slug, row.pk)
    return _pdf(row.sealed.open("rb"), f"{row.kind}-{row.pk}-signed.pdf")


@require_POST
@principal_required(Role.MANAGER)
def request_cancel(request, pk):
    row = get_visible_or_404(SignatureRequest.objects, request.principal, pk=pk)
    try:
        services.cancel(request.principal, row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The request is cancelled; its links no longer work.")
    return redirect("signatures:detail", request.org.slug, row.pk)


# --- The signer's side, behind the link ---------------------------------------------------------
def _browser(request) -> dict:
    return {
        "address": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


def _context(signer) -> dict:
    # Not "org": that would draw the organization's navigation for a visitor.
    row = signer.request
    return {"signer": signer, "row": row, "requester": row.organization}


def _gone(request, signer) -> HttpResponse:
    context = _context(signer) if signer else {}
    return render(request, "signatures/gone.html", context, status=404)


@never_cache
def sign(request, token):
    """The page behind the e-mailed link: consent, then the document to read and sign (or
    decline), then the signed copy. The step is the signer's own state, so coming back
    resumes."""
    signer = services.find_signer(token)
    if signer is None:
        return _gone(request, None)
    row = signer.request
    context = _context(signer) | {"token": token}
    if signer.signed_at or row.completed_at:
        return render(request, "signatures/done.html", context)
    if not row.is_live or signer.declined_at:
        return _gone(request, signer)
    principal = Principal.for_link(signer)
    services.mark_opened(principal)
    data = request.POST if request.method == "POST" else None
    if signer.consented_at is None:
        form = ConsentForm(data)
        if data is not None and form.is_valid():
            try:
                services.consent(principal, agreed=form.cleaned_data["agree"], **_browser(request))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("signatures:sign", token)
        context |= {"form": form, "version": services.CONSENT_VERSION}
        return render(request, "signatures/consent.html", context)
    form = SignForm(data, initial={"shown_sha256": row.document_sha256, "typed_name": signer.name})
    if data is not None and form.is_valid():
        try:
            services.sign(
                principal,
                typed_name=form.cleaned_data["typed_name"],
                shown_sha256=form.cleaned_data["shown_sha256"],
                agreed=form.cleaned_data["agree"],
                drawn=form.cleaned_data["drawn_signature"],
                **_browser(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("signatures:sign", token)
    context |= {"form": form, "decline_form": DeclineForm()}
    return render(request, "signatures/sign.html", context)


@never_cache
@require_POST
def decline(request, token):
    signer = services.find_signer(token)
    if signer is None or not signer.request.is_live or signer.signed_at or signer.declined_at:
        return _gone(request, signer)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.decline(
                Principal.for_link(signer), reason=form.cleaned_data["reason"], **_browser(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "signatures/declined.html", _context(signer))
    context = _context(signer) | {
        "token": token,
        "form": SignForm(
            initial={"shown_sha256": signer.request.document_sha256, "typed_name": signer.name}
        ),
        "decline_form": form,
    }
    return render(request, "signatures/sign.html", context, status=422)


@never_cache
def document(request, token):
    """The exact PDF the signer is asked to sign, shown in the browser."""
    signer = services.find_signer(token)
    if signer is None:
        return _gone(request, None)
    return _pdf(signer.request.document.open("rb"), "document-to-sign.pdf", inline=True)


@never_cache
def signed_copy(request, token):
    """The signed and sealed PDF, for each of its signers."""
    signer = services.find_signer(token)
    if signer is None or not signer.request.completed_at:
        return _gone(request, signer)
    return _pdf(signer.request.sealed.open("rb"), "signed.pdf")


@never_cache
def verify(request):
    """Anyone holding a PDF sealed here checks it: ours, intact, who signed and when."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        result, record = services.verify(form.cleaned_data["file"].read())
        context |= {"result": result, "record": record}
        if record is not None:
            context["signers"] = list(record.signers.all())
    return render(request, "signatures/verify.html", context)
