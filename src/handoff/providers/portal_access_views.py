"""Who of the providers' contacts may use the organization's portal: the list, invitations and
revoking (the identity itself is ``accounts.portal``'s)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from handoff.accounts import portal
from handoff.accounts.access import principal_required
from handoff.accounts.models import PortalAccess
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.providers.forms import PortalInviteForm


@principal_required(Role.VIEWER)
def access_list(request):
    accesses = (
        PortalAccess.objects.visible_to(request.principal)
        .select_related("contact__provider", "user", "invited_by")
        .order_by("contact__provider__name", "contact__name", "-invited_at")
    )
    return render(
        request,
        "providers/portal_access.html",
        {"accesses": accesses, "form": PortalInviteForm(principal=request.principal)},
    )


@require_POST
@principal_required(Role.MANAGER)
def access_invite(request):
    form = PortalInviteForm(request.POST, principal=request.principal)
    if form.is_valid():
        try:
            access, raw = portal.invite(request.principal, form.cleaned_data["contact"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Invitation sent to {access.contact.email}; the link works until "
                f"{timezone.localtime(access.expires_at):%b %-d}: {portal.invitation_url(raw)}",
            )
    else:
        messages.error(request, "Choose a contact with an e-mail address; nothing was sent.")
    return redirect("portal:access_list", request.principal.organization.slug)


@require_POST
@principal_required(Role.MANAGER)
def access_revoke(request, pk):
    access = get_visible_or_404(
        PortalAccess.objects.select_related("contact"), request.principal, pk=pk
    )
    try:
        portal.revoke(request.principal, access)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{access.contact.name} can no longer use the portal.")
    return redirect("portal:access_list", request.principal.organization.slug)
