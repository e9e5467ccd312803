"""Pages for the written agreement, the access register, the exit checklist and renewals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from handoff.accounts import selectors as accounts
from handoff.accounts.access import principal_required
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements import agreements, selectors, services
from handoff.engagements.forms import (
    AccessGrantForm,
    ClauseForm,
    ExitItemForm,
    SignatureRequestForm,
    SignedAgreementForm,
)
from handoff.engagements.models import (
    AccessGrant,
    AgreementClause,
    AgreementVersion,
    ExitItem,
    SignedAgreement,
)
from handoff.engagements.views import engagement_or_404


def _back(request, engagement, anchor=""):
    return redirect(engagement.get_absolute_url() + anchor)


@require_POST
@principal_required(Role.MANAGER)
def agreement_generate(request, pk):
    engagement = engagement_or_404(request, pk)
    version = agreements.generate(request.principal, engagement)
    messages.success(request, f"Agreement version {version.number} is ready to download.")
    return _back(request, engagement, "#agreement")


@require_POST
@principal_required(Role.MANAGER)
def agreement_sent(request, pk, version_pk):
    engagement = engagement_or_404(request, pk)
    version = get_visible_or_404(
        AgreementVersion.objects.filter(engagement=engagement), request.principal, pk=version_pk
    )
    agreements.mark_sent(request.principal, version)
    messages.success(request, f"Version {version.number} is marked as sent for signature.")
    return _back(request, engagement, "#agreement")


@principal_required(Role.MANAGER)
def agreement_send_for_signature(request, pk, version_pk):
    """Choose the two signers and their order, and send the version's PDF for signature."""
    engagement = engagement_or_404(request, pk)
    version = get_visible_or_404(
        AgreementVersion.objects.filter(engagement=engagement), request.principal, pk=version_pk
    )
    name, email = agreements.suggested_signer(request.principal, engagement)
    initial = {
        "provider_name": name,
        "provider_email": email,
        "our_signer": str(request.user.pk),
        "order": "provider",
        "valid_days": 14,
    }
    data = request.POST if request.method == "POST" else None
    form = SignatureRequestForm(data, initial=initial, members=accounts.members(request.principal))
    if data is not None and form.is_valid():
        try:
            agreements.send_for_signature(
                request.principal,
                version,
                provider_name=form.cleaned_data["provider_name"],
                provider_email=form.cleaned_data["provider_email"],
                our_signer=form.members.get(form.cleaned_data["our_signer"]),
                provider_first=form.cleaned_data["order"] == "provider",
                valid_days=form.cleaned_data["valid_days"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Version {version.number} is out for signature; the first signer has the link.",
            )
            return _back(request, engagement, "#agreement")
    context = {"engagement": engagement, "version": version, "form": form}
    return render(request, "engagements/signature_form.html", context)


@principal_required(Role.VIEWER)
def agreement_download(request, pk, version_pk):
    engagement = engagement_or_404(request, pk)
    version = get_visible_or_404(
        AgreementVersion.objects.filter(engagement=engagement), request.principal, pk=version_pk
    )
    filename = f"{request.org.slug}-agreement-{engagement.pk}-v{version.number}.pdf"
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )


@principal_required(Role.MANAGER)
def signed_upload(request, pk):
    engagement = engagement_or_404(request, pk)
    form = SignedAgreementForm(
        request.POST or None, request.FILES or None, initial={"signed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        latest = engagement.agreement_versions.order_by("-number").first()
        try:
            agreements.upload_signed(
                request.principal,
                engagement,
                upload=form.cleaned_data["file"],
                signed_on=form.cleaned_data["signed_on"],
                signers=form.cleaned_data["signers"],
                version_id=latest.pk if latest else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The signed agreement is on file.")
            return _back(request, engagement, "#agreement")
    return render(request, "engagements/signed_form.html", {"engagement": engagement, "form": form})


@principal_required(Role.VIEWER, providers=True)
def signed_download(request, pk, signed_pk):
    """A signed copy, for the members and, in the portal, the provider's own contacts."""
    engagement = engagement_or_404(request, pk)
    signed = get_visible_or_404(
        SignedAgreement.objects.filter(engagement=engagement), request.principal, pk=signed_pk
    )
    extension = signed.file.name.rsplit(".", 1)[-1]
    slug = engagement.organization.slug
    filename = f"{slug}-agreement-{engagement.pk}-signed.{extension}"
    return FileResponse(
        signed.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=signed.content_type,
    )


@principal_required(Role.VIEWER)
def clauses(request):
    """The standard clauses of the agreement template; admins edit them."""
    rows = agreements.clauses(request.principal)
    return render(request, "engagements/clauses.html", {"clauses": rows})


@principal_required(Role.ADMIN)
def clause_edit(request, clause_pk):
    clause = get_visible_or_404(AgreementClause.objects, request.principal, pk=clause_pk)
    form = ClauseForm(request.POST or None, instance=clause)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.update_clause(request.principal, clause, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{clause.title} was saved; new agreements use it.")
            return redirect("engagements:clauses", request.org.slug)
    return render(request, "engagements/clause_form.html", {"form": form, "clause": clause})


@principal_required(Role.MANAGER)
def access_add(request, pk):
    engagement = engagement_or_404(request, pk)
    form = AccessGrantForm(request.POST or None, initial={"granted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_access(request.principal, engagement, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The access is on the register.")
            return _back(request, engagement, "#access")
    return render(request, "engagements/access_form.html", {"engagement": engagement, "form": form})


@require_POST
@principal_required(Role.MANAGER)
def access_revoke(request, pk, grant_pk):
    engagement = engagement_or_404(request, pk)
    grant = get_visible_or_404(
        AccessGrant.objects.filter(engagement=engagement), request.principal, pk=grant_pk
    )
    services.revoke_access(request.principal, grant)
    messages.success(request, f"Access to {grant.system} is marked as revoked.")
    return _back(request, engagement, "#access")


@require_POST
@principal_required(Role.MANAGER)
def exit_start(request, pk):
    engagement = engagement_or_404(request, pk)
    try:
        services.start_exit(request.principal, engagement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, engagement, "#exit")


@require_POST
@principal_required(Role.MANAGER)
def exit_item_add(request, pk):
    engagement = engagement_or_404(request, pk)
    form = ExitItemForm(request.POST)
    if form.is_valid():
        try:
            services.add_exit_item(request.principal, engagement, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, "Describe the item to add (up to 200 characters).")
    return _back(request, engagement, "#exit")


@require_POST
@principal_required(Role.MANAGER)
def exit_item_done(request, pk, item_pk):
    engagement = engagement_or_404(request, pk)
    item = get_visible_or_404(
        ExitItem.objects.filter(engagement=engagement).select_related("access_grant"),
        request.principal,
        pk=item_pk,
    )
    try:
        services.complete_exit_item(request.principal, item, done=request.POST.get("done") != "0")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, engagement, "#exit")


@principal_required(Role.VIEWER)
def renewals(request):
    """Engagements whose term ends, renews or passes its notice deadline soon."""
    raw = request.GET.get("days", "60")
    days = int(raw) if raw.isdigit() and 1 <= int(raw) <= 730 else None
    if days is None:
        messages.error(request, "Choose a window of 1 to 730 days; showing 60.")
        days = 60
    rows = selectors.renewals_within(request.principal, days, timezone.localdate())
    return render(request, "engagements/renewals.html", {"rows": rows, "days": days})
