"""The provider portal's pages, and the organization's pages that manage who may use it.

Portal pages live under ``/portal/<org_slug>/`` and answer only to a provider contact's live
portal access: anything of another provider, or of an organization whose portal they may not
use, is a 404. They call the same services as the organization's pages, with
``side=Side.PROVIDER`` and the portal user as the actor.
"""

import functools

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from handoff.accounts import portal
from handoff.accounts.access import principal_required
from handoff.accounts.forms import InvitationSignupForm
from handoff.accounts.models import PortalAccess, User
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_for_org_or_404
from handoff.engagements.models import Engagement, EscalationLevel
from handoff.work.choices import IssueStatus
from handoff.work.forms import (
    PortalInviteForm,
    PortalSettingsForm,
)
from handoff.work.models import Issue, Task

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
PAGE_SIZE = 25


def portal_required(view):
    """The portal's own pages: a provider contact's principal, and nobody else's."""
    return principal_required(Role.VIEWER, providers=True)(_contacts_only(view))


def _contacts_only(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.principal.is_provider:
            raise Http404("No such portal.")
        return view(request, *args, **kwargs)

    return wrapper


def _render(request, template, context=None, status=200):
    context = {
        "portal_org": request.portal_org,
        "contact": request.contact,
        "provider": request.contact.provider,
        **(context or {}),
    }
    return render(request, template, context, status=status)


# --- Home and engagements ---------------------------------------------------------------------
@portal_required
def home(request):
    now = timezone.now()
    engagements = Engagement.objects.visible_to(request.principal).order_by("status", "title")
    tasks = Task.objects.visible_to(request.principal).open()
    return _render(
        request,
        "work/portal/home.html",
        {
            "engagements": engagements,
            "open_tasks": tasks.count(),
            "overdue_tasks": tasks.overdue(now).count(),
            "open_issues": Issue.objects.visible_to(request.principal)
            .exclude(status=IssueStatus.RESOLVED)
            .count(),
        },
    )


@portal_required
def engagement_detail(request, pk):
    engagement = get_for_org_or_404(
        Engagement.objects.visible_to(request.principal).select_related(
            "provider",
            "communication_plan__our_point_person",
            "communication_plan__their_point_person",
            "communication_plan__issue_contact",
        ),
        request.portal_org,
        pk=pk,
    )
    return _render(
        request,
        "work/portal/engagement.html",
        {
            "engagement": engagement,
            "plan": getattr(engagement, "communication_plan", None),
            "show_prices": portal.settings_for(request.portal_org).show_prices,
            "service_levels": list(engagement.service_levels.all()),
            "response_targets": list(engagement.response_targets.all()),
            "steps": list(engagement.workflow_steps.all()),
            "ladder": EscalationLevel.objects.for_org(request.portal_org)
            .filter(engagement=engagement)
            .select_related("our_person", "their_contact"),
        },
    )


# --- Accepting an invitation ------------------------------------------------------------------
def accept(request, token):
    access = portal.find_invitation(token)
    state = portal.invitation_state(access)
    if state != "invited":
        return render(
            request,
            "work/portal/invitation_invalid.html",
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
                return render(request, "work/portal/accept.html", context, status=422)
            messages.success(request, f"You can now work with {org.name} here.")
            return redirect("portal:home", org.slug)
        return render(request, "work/portal/accept.html", context)
    if User.objects.filter(email__iexact=access.contact.email).exists():
        context["login_url"] = f"/accounts/login/?next={request.path}"
        return render(request, "work/portal/accept.html", context)
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
    return render(request, "work/portal/accept.html", context)


# --- The organization's side: who may use the portal, what it shows ---------------------------
@principal_required(Role.VIEWER)
def access_list(request):
    org = request.org
    accesses = (
        PortalAccess.objects.for_org(org)
        .select_related("contact__provider", "user", "invited_by")
        .order_by("contact__provider__name", "contact__name", "-invited_at")
    )
    return render(
        request,
        "work/portal/access_list.html",
        {"accesses": accesses, "form": PortalInviteForm(org=org)},
    )


@require_POST
@principal_required(Role.MANAGER)
def access_invite(request):
    org = request.org
    form = PortalInviteForm(request.POST, org=org)
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
    return redirect("portal:access_list", org.slug)


@require_POST
@principal_required(Role.MANAGER)
def access_revoke(request, pk):
    access = get_for_org_or_404(PortalAccess.objects.select_related("contact"), request.org, pk=pk)
    try:
        portal.revoke(request.principal, access)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{access.contact.name} can no longer use the portal.")
    return redirect("portal:access_list", request.org.slug)


@principal_required(Role.ADMIN)
def portal_settings(request):
    org = request.org
    current = portal.settings_for(org)
    form = PortalSettingsForm(request.POST or None, initial={"show_prices": current.show_prices})
    if request.method == "POST" and form.is_valid():
        portal.update_settings(request.principal, **form.cleaned_data)
        messages.success(request, "Portal settings saved.")
        return redirect("portal:settings", org.slug)
    return render(request, "work/portal/settings.html", {"form": form})
