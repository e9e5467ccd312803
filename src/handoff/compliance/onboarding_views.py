"""W-9 by link: the member's side (send, follow, withdraw) and the contractor's pages behind
the e-mailed link (consent, fill and sign, download their copy).

Least roles: reading the links for viewers; sending and withdrawing them for managers. The
contractor's pages need only the link: its token is the credential."""

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.accounts.throttle import client_address
from handoff.compliance import onboarding, standing
from handoff.compliance.forms import (
    ConsentForm,
    SendLinkForm,
    SignW8benForm,
    SignW9Form,
    StatementForm,
    UploadW8beneForm,
)
from handoff.compliance.models import OnboardingLink
from handoff.core.forms import add_service_errors
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.models import Engagement
from handoff.providers.models import Provider

PER_PAGE = 50


# --- The organization's side --------------------------------------------------------------------
@principal_required(Role.VIEWER)
def link_list(request):
    """Every W-9 link and where its contractor stands, filtered by status."""
    rows = onboarding.links(request.principal)
    status = request.GET.get("status", "")
    if status in OnboardingLink.STATUSES:
        rows = onboarding.with_status(rows, status)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": OnboardingLink.STATUSES}
    return render(request, "compliance/onboarding_list.html", context)


@principal_required(Role.VIEWER)
def standing_list(request):
    """Where each contractor with an open engagement stands: tax form, agreement, what is
    missing; filtered by stage."""
    stage = request.GET.get("stage", "")
    if stage not in standing.STAGES:
        stage = ""
    rows = standing.standings(request.principal, stage)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "stage": stage, "stages": standing.STAGES}
    return render(request, "compliance/onboarding_standing.html", context)


@require_POST
@principal_required(Role.MANAGER)
def link_send(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    form = SendLinkForm(request.POST)
    engagement = None
    if request.POST.get("engagement"):
        engagement = get_visible_or_404(
            Engagement.objects, request.principal, pk=request.POST["engagement"]
        )
    if not form.is_valid():
        messages.error(request, "Give a valid e-mail address to send the link to.")
    else:
        try:
            link, _ = onboarding.send_link(
                request.principal, provider, email=form.cleaned_data["email"], engagement=engagement
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            then = (
                f", then to sign the agreement of “{engagement.title}” (you countersign after)"
                if engagement
                else ""
            )
            messages.success(
                request,
                f"The link is on its way to {link.sent_to}: for their tax form{then}. It works "
                f"for {onboarding.LINK_VALID_DAYS} days.",
            )
    return redirect("compliance:w9", request.org.slug, provider.pk)


@require_POST
@principal_required(Role.MANAGER)
def link_withdraw(request, pk):
    link = get_visible_or_404(onboarding.links(request.principal), request.principal, pk=pk)
    try:
        onboarding.withdraw(request.principal, link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The link sent to {link.sent_to} no longer works.")
    return redirect("compliance:w9", request.org.slug, link.provider_id)


# --- The contractor's side, behind the link -----------------------------------------------------
def _gone(request, link):
    return render(request, "compliance/onboarding/gone.html", {"link": link}, status=404)


def _browser(request) -> dict:
    return {
        "address": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


def _keep_draft(principal, data) -> None:
    """Keep the fields entered so far; a link that stopped working meanwhile keeps nothing
    (the page already says why)."""
    with contextlib.suppress(ValidationError):
        onboarding.save_draft(principal, data)


@never_cache
@sensitive_post_parameters("tin", "us_tin", "foreign_tin")
def onboarding_start(request, token):
    """The page behind the e-mailed link: consent first, then the tax form — a W-9 to fill
    and sign, a foreign individual's W-8BEN, or a foreign entity's W-8BEN-E to upload — then
    the signed copy. The step is the link's own state, so leaving and coming back resumes."""
    link = onboarding.find_link(token)
    if link is None:
        return _gone(request, None)
    principal = Principal.for_link(link)
    # Not "org": that would draw the organization's navigation for a visitor.
    context = {"link": link, "requester": link.organization, "provider": link.provider}
    if link.status == "signed":
        context["statement"] = link.statement if onboarding.has_statement(link) else None
        context["agreement"] = onboarding.agreement_step(link)
        return render(request, "compliance/onboarding/done.html", context)
    if not link.is_live:
        return _gone(request, link)
    onboarding.mark_opened(principal)
    data = request.POST if request.method == "POST" else None
    if link.consented_at is None:
        form = ConsentForm(data)
        if data is not None and form.is_valid():
            try:
                onboarding.consent(
                    principal, agreed=form.cleaned_data["agree"], **_browser(request)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("compliance:onboarding_start", token)
        context |= {"form": form, "version": onboarding.CONSENT_VERSION}
        return render(request, "compliance/onboarding/consent.html", context)
    kind = _tax_form(request, link)
    if data is not None and "save" in data:
        onboarding.save_draft(principal, data)
        messages.success(
            request,
            "Saved. Open the same link again to finish; your taxpayer identification number "
            "is not kept until you sign, so you will enter it then.",
        )
        return redirect(reverse("compliance:onboarding_start", args=[token]) + f"?form={kind}")
    context["kind"] = kind
    if kind == "w8ben":
        return _w8ben(request, principal, link, data, context)
    if kind == "w8bene":
        return _w8bene(request, principal, link, data, context)
    initial = {"legal_name": link.provider.legal_name or link.provider.name, **link.draft}
    form = SignW9Form(data, initial=initial)
    if data is not None and not form.is_valid():
        _keep_draft(principal, data)  # what was entered survives leaving the page
    if data is not None and form.is_valid():
        try:
            onboarding.sign_w9(
                principal,
                data=form.data_for_service(),
                tin=form.cleaned_data["tin"],
                signer_name=form.cleaned_data["signer_name"],
                certified=form.cleaned_data["certified"],
                **_browser(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            _keep_draft(principal, data)
        else:
            return redirect("compliance:onboarding_start", link_token(request))
    signature = ("item_2_crossed_out", "certified", "signer_name")
    context |= {
        "form": form,
        "form_fields": [field for field in form.visible_fields() if field.name not in signature],
        "signature_fields": [form[name] for name in signature],
    }
    return render(request, "compliance/onboarding/sign.html", context)


def link_token(request) -> str:
    return request.resolver_match.kwargs["token"]


def _tax_form(request, link) -> str:
    """Which form the contractor fills: their choice on the page (``?form=``, or the form's
    own field when posted), else the one their saved draft was, else the W-9."""
    for chosen in (request.POST.get("form"), request.GET.get("form"), link.draft.get("form")):
        if chosen in onboarding.TAX_FORMS:
            return chosen
    return "w9"


def _w8ben(request, principal, link, data, context):
    """A foreign individual's Form W-8BEN, filled and signed."""
    initial = {"name": link.provider.legal_name or link.provider.name, **link.draft}
    form = SignW8benForm(data, initial=initial)
    if data is not None and form.is_valid():
        try:
            onboarding.sign_w8ben(
                principal,
                data=form.data_for_service(),
                us_tin=form.cleaned_data["us_tin"],
                foreign_tin=form.cleaned_data["foreign_tin"],
                certified=form.cleaned_data["certified"],
                **_browser(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("compliance:onboarding_start", link_token(request))
    if data is not None:
        _keep_draft(principal, data)
    context |= {
        "form": form,
        "form_fields": [f for f in form.visible_fields() if f.name not in form.SIGNATURE],
        "signature_fields": [form[name] for name in form.SIGNATURE],
    }
    return render(request, "compliance/onboarding/sign_w8ben.html", context)


def _w8bene(request, principal, link, data, context):
    """A foreign entity's own Form W-8BEN-E, uploaded."""
    initial = {"name": link.provider.legal_name or link.provider.name, **link.draft}
    form = UploadW8beneForm(data, request.FILES or None, initial=initial)
    if data is not None and form.is_valid():
        try:
            onboarding.upload_w8bene(
                principal,
                data=form.data_for_service(),
                upload=form.cleaned_data["document"],
                **_browser(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("compliance:onboarding_start", link_token(request))
    if data is not None:
        _keep_draft(principal, data)
    context["form"] = form
    return render(request, "compliance/onboarding/upload_w8bene.html", context)


@never_cache
def onboarding_facts(request, token):
    """After the W-9: the contractor's side of the facts about how they work, signed."""
    link = onboarding.find_link(token)
    if link is None or link.status != "signed":
        return _gone(request, link)
    if onboarding.has_statement(link):
        return redirect("compliance:onboarding_start", token)  # answered: the end page
    principal = Principal.for_link(link)
    data = request.POST if request.method == "POST" else None
    form = StatementForm(data, questions=onboarding.questions_for(link.organization))
    if data is not None and form.is_valid():
        try:
            onboarding.give_statement(
                principal,
                answers=form.answers(),
                note=form.cleaned_data["note"],
                signer_name=form.cleaned_data["signer_name"],
                certified=form.cleaned_data["certified"],
                **_browser(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("compliance:onboarding_start", token)
    context = {"link": link, "requester": link.organization, "provider": link.provider}
    context["form"] = form
    return render(request, "compliance/onboarding/facts.html", context)


@require_POST
def onboarding_agreement(request, token):
    """After the tax form: open the agreement sent with the link on its signing page."""
    link = onboarding.find_link(token)
    if link is None or link.status != "signed":
        return _gone(request, link)
    try:
        raw = onboarding.open_agreement(Principal.for_link(link))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("compliance:onboarding_start", token)
    return redirect("signatures:sign", raw)


@never_cache
def onboarding_pdf(request, token):
    """The contractor's copy of the tax form they gave, while their link lasts."""
    link = onboarding.find_link(token)
    handle = onboarding.open_signed_pdf(Principal.for_link(link)) if link else None
    if handle is None:
        return _gone(request, link)
    if link.w8_id:  # a W-8BEN-E is the entity's own upload: a PDF or an image
        name, kind = link.w8.download_name, link.w8.document_type
    else:
        name, kind = "w9-signed.pdf", "application/pdf"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=kind)
