"""Portal identity's pages: a provider contact accepts their invitation, and an admin chooses
what the portal shows (``accounts.portal``)."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from handoff.accounts import portal
from handoff.accounts.access import principal_required
from handoff.accounts.forms import InvitationSignupForm, PortalSettingsForm
from handoff.accounts.models import User
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def accept(request, token):
    access = portal.find_invitation(token)
    state = portal.invitation_state(access)
    if state != "invited":
        return render(
            request,
            "accounts/portal_invitation_invalid.html",
            {"state": state},
            status=404 if access is None else 410,
        )
    org = access.organization
    context = {"access": access, "invited_org": org}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                portal.accept(access, user=request.user)
            except ValidationError as error:
                context["error"] = " ".join(error.messages)
                return render(request, "accounts/portal_accept.html", context, status=422)
            messages.success(request, f"You can now work with {org.name} here.")
            return redirect("portal:home", org.slug)
        return render(request, "accounts/portal_accept.html", context)
    if User.objects.filter(email__iexact=access.contact.email).exists():
        context["login_url"] = f"/accounts/login/?next={request.path}"
        return render(request, "accounts/portal_accept.html", context)
    form = InvitationSignupForm(request.POST or None, initial={"name": access.contact.name})
    if request.method == "POST" and form.is_valid():
        try:
            user = portal.accept_with_new_account(access, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(request, f"Welcome to {org.name}'s provider portal.")
            return redirect("portal:home", org.slug)
    context["form"] = form
    return render(request, "accounts/portal_accept.html", context)


@principal_required(Role.ADMIN)
def portal_settings(request):
    org = request.principal.organization
    current = portal.settings_for(org)
    form = PortalSettingsForm(request.POST or None, initial={"show_prices": current.show_prices})
    if request.method == "POST" and form.is_valid():
        portal.update_settings(request.principal, **form.cleaned_data)
        messages.success(request, "Portal settings saved.")
        return redirect("portal:settings", org.slug)
    return render(request, "accounts/portal_settings.html", {"form": form})
