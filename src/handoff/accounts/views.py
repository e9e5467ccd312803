from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from handoff.accounts import selectors, services, throttle
from handoff.accounts.access import LAST_ORG_SESSION_KEY, principal_required
from handoff.accounts.forms import (
    ApiTokenForm,
    BackupForm,
    InvitationSignupForm,
    InviteForm,
    OrganizationForm,
    RoleForm,
    SignupFinishForm,
    SignupForm,
)
from handoff.accounts.models import ApiToken, Invitation, Membership, Organization, User
from handoff.core import csv_export
from handoff.core.forms import add_service_errors
from handoff.core.roles import ROLE_HELP, Role
from handoff.core.tenancy import get_visible_or_404

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def home(request):
    """Where a signed-in person lands: their last organization, else their first, else a new one."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    memberships = request.user.memberships.select_related("organization")
    last = request.session.get(LAST_ORG_SESSION_KEY)
    chosen = memberships.filter(organization__slug=last).first() or memberships.first()
    if chosen is None:
        # A provider contact with no membership lands on a portal they may use (the work app's
        # live accesses, read through the relation so accounts imports nothing from work).
        access = (
            request.user.portal_accesses.filter(
                revoked_at__isnull=True,
                accepted_at__isnull=False,
                contact__archived_at__isnull=True,
            )
            .select_related("organization")
            .order_by("organization__name")
            .first()
        )
        if access is not None:
            return redirect("portal:home", access.organization.slug)
        return redirect("accounts:organization_create")
    return redirect("insights:dashboard", chosen.organization.slug)


def signup(request):
    """Sign-up, first step: mail the address a link (or, if it has an account, a note), then
    say the same "check your e-mail" whoever asked."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.start_signup(**form.cleaned_data, address=throttle.client_address(request))
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


def signup_sent(request):
    console = settings.EMAIL_BACKEND.endswith("console.EmailBackend")
    return render(request, "accounts/signup_sent.html", {"mail_to_console": console})


def signup_finish(request, token):
    """Sign-up, second step, from the link in the e-mail: choose a password; the account is
    made, logged in, and asked about its business."""
    signup_data = services.read_signup(token)
    if signup_data is None:
        return render(request, "accounts/signup_invalid.html", status=410)
    email = signup_data["email"]
    if User.objects.filter(email=email).exists():
        return render(request, "accounts/signup_finish.html", {"email": email, "taken": True})
    form = SignupFinishForm(request.POST or None, initial={"name": signup_data.get("name", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(email=email, **form.cleaned_data)
        except ValidationError as error:
            if "email" in error.message_dict:  # made by another click on the link meanwhile
                return render(
                    request, "accounts/signup_finish.html", {"email": email, "taken": True}
                )
            add_service_errors(form, error)
        else:
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(request, "Welcome to Handoff. Now tell us about your business.")
            return redirect("accounts:organization_create")
    return render(request, "accounts/signup_finish.html", {"form": form, "email": email})


class LoginView(auth_views.LoginView):
    """Django's log-in page; an account made to wait answers 429 Too Many Requests."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        return response


@login_required
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organization(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The dashboard opens on the getting-started list built from the new org's data.
            messages.success(request, f"{org.name} is ready. Here is where to begin.")
            return redirect("insights:dashboard", org.slug)
    return render(request, "accounts/organization_create.html", {"form": form})


@login_required
def organization_list(request):
    memberships = request.user.memberships.select_related("organization").order_by(
        "organization__name"
    )
    return render(request, "accounts/organization_list.html", {"memberships": memberships})


@principal_required(Role.ADMIN)
def organization_settings(request):
    org = request.org
    # The form edits its own copy, so a refused change never shows in the header.
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(request.principal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Organization settings saved.")
            return redirect("accounts:organization_settings", org.slug)
    return render(request, "accounts/organization_settings.html", {"form": form})


@principal_required(Role.OWNER)
def organization_backup(request):
    """Owners download the organization's archive (rows, people, files), optionally sealed."""
    form = BackupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            archive = services.backup_organization(
                request.principal, passphrase=form.cleaned_data["passphrase"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return FileResponse(
                archive.file,
                as_attachment=True,
                filename=archive.filename,
                content_type=archive.content_type,
            )
    return render(request, "accounts/organization_backup.html", {"form": form})


@principal_required(Role.VIEWER)
def members(request):
    return render(
        request,
        "accounts/members.html",
        {
            "memberships": selectors.members(request.principal),
            "invitations": selectors.pending_invitations(request.principal),
            "invite_form": InviteForm(),
            "roles": Role.choices,
            "role_help": {role.label: ROLE_HELP[role] for role in Role},
        },
    )


@principal_required(Role.ADMIN)
def invite(request):
    org = request.org
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, raw = services.invite(request.principal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error("role", str(error))
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works for "
                f"{(invitation.expires_at - invitation.created_at).days} days: "
                f"{services.invitation_url(raw)}",
            )
            return redirect("accounts:members", org.slug)
    return render(request, "accounts/invite.html", {"form": form})


@require_POST
@principal_required(Role.ADMIN)
def revoke_invitation(request, pk):
    invitation = get_visible_or_404(Invitation.objects, request.principal, pk=pk)
    services.revoke_invitation(request.principal, invitation)
    messages.success(request, f"The invitation of {invitation.email} no longer works.")
    return redirect("accounts:members", request.org.slug)


@require_POST
@principal_required(Role.ADMIN)
def change_role(request, pk):
    membership = get_visible_or_404(
        Membership.objects.select_related("user"), request.principal, pk=pk
    )
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(request.principal, membership, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{membership.user} is now {form.cleaned_data['role']}.")
    else:
        messages.error(request, "Choose one of the listed roles.")
    return redirect("accounts:members", request.org.slug)


@require_POST
@principal_required(Role.VIEWER)
def remove_member(request, pk):
    """Admins remove others; anyone may leave. The service enforces both."""
    membership = get_visible_or_404(
        Membership.objects.select_related("user"), request.principal, pk=pk
    )
    try:
        services.remove_member(request.principal, membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:members", request.org.slug)
    if membership.pk == request.membership.pk:
        messages.success(request, f"You left {request.org.name}.")
        request.session.pop(LAST_ORG_SESSION_KEY, None)
        return redirect("home")
    messages.success(request, f"{membership.user} was removed from {request.org.name}.")
    return redirect("accounts:members", request.org.slug)


def accept_invitation(request, token):
    invitation = services.find_invitation(token)
    if invitation is None or invitation.status != "pending":
        status = invitation.status if invitation else "unknown"
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"status": status},
            status=410 if invitation else 404,
        )
    context = {"invitation": invitation}
    if request.user.is_authenticated:
        if not services.for_address(invitation, request.user):
            context["someone_else"] = True
            status = 422 if request.method == "POST" else 200
            return render(request, "accounts/invitation_accept.html", context, status=status)
        if request.method == "POST":
            services.accept_invitation(invitation, user=request.user)
            messages.success(request, f"You joined {invitation.organization.name}.")
            return redirect("providers:list", invitation.organization.slug)
        return render(request, "accounts/invitation_accept.html", context)
    if User.objects.filter(email=invitation.email).exists():
        context["login_url"] = reverse("accounts:login") + f"?next={request.path}"
        return render(request, "accounts/invitation_accept.html", context)
    form = InvitationSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(email=invitation.email, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            services.accept_invitation(invitation, user=user)
            login(request, user, backend=LOGIN_BACKEND)
            messages.success(request, f"Welcome to {invitation.organization.name} on Handoff.")
            return redirect("providers:list", invitation.organization.slug)
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


def _api_tokens_url(principal) -> str:
    """The token page on the principal's side (the portal's address for a provider contact)."""
    name = "portal:api_tokens" if principal.is_provider else "accounts:api_tokens"
    return reverse(name, args=[principal.organization.slug])


@principal_required(Role.VIEWER, providers=True)
def api_tokens(request):
    """Each person's own tokens for this organization (members and provider contacts alike);
    the new key is shown once."""
    principal = request.principal
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.create_api_token(principal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.visible_to(principal).filter(user=request.user)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
    )


@require_POST
@principal_required(Role.VIEWER, providers=True)
def revoke_api_token(request, pk):
    principal = request.principal
    token = get_visible_or_404(ApiToken.objects.filter(user=request.user), principal, pk=pk)
    services.revoke_api_token(principal, token)
    messages.success(request, f"Token {token.name} is revoked; requests with it now fail.")
    return redirect(_api_tokens_url(principal))


@principal_required(Role.ADMIN)
def audit_log(request):
    events = selectors.audit_log(request.principal)
    return render(request, "accounts/audit_log.html", {"events": events})


AUDIT_COLUMNS = ["time_utc", "who", "action", "what", "address", "object_type", "object_id"]


@principal_required(Role.ADMIN)
def audit_log_csv(request):
    """The whole audit trail as CSV (times in UTC), through the app's safe CSV writer."""
    writer = csv_export.line_writer()
    events = selectors.audit_log(request.principal, rows=None)

    def rows():
        yield writer.writerow(AUDIT_COLUMNS)
        for event in events.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    event.created_at.isoformat(),
                    str(event.actor) if event.actor else "",
                    event.action,
                    event.summary,
                    event.address or "",
                    event.object_type,
                    event.object_id,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = f"audit-{request.org.slug}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
