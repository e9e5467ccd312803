"""The inbox and each person's notification preferences: open to members and portal users."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.notifications import services
from handoff.notifications.forms import EventChoicesForm, SettingsForm, event_field_names
from handoff.notifications.models import Notification

PAGE_SIZE = 25


def _render(request, template: str, context: dict):
    principal = request.principal
    # A provider contact sees the inbox without the organization's navigation (closed to them)
    # and goes back to the portal's home.
    home = (
        reverse("portal:home", args=[principal.organization.slug]) if principal.is_provider else ""
    )
    context = {"inbox_org": principal.organization, "inbox_home": home, **context}
    return render(request, template, context)


@principal_required(Role.VIEWER, providers=True)
def inbox(request):
    notifications = Notification.objects.visible_to(request.principal).inbox(request.user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notifications = notifications.unread()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "query": "unread=1" if unread_only else "",
        },
    )


def _back_to_inbox(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:inbox", request.principal.organization.slug)


@principal_required(Role.VIEWER, providers=True)
def open_notification(request, pk):
    """Follow a notification's link, marking it read on the way."""
    notification = get_visible_or_404(
        Notification.objects.filter(user=request.user, in_app=True), request.principal, pk=pk
    )
    services.mark_read(notification)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("notifications:inbox", request.principal.organization.slug)


@require_POST
@principal_required(Role.VIEWER, providers=True)
def mark(request, pk):
    notification = get_visible_or_404(
        Notification.objects.filter(user=request.user, in_app=True), request.principal, pk=pk
    )
    if request.POST.get("unread"):
        services.mark_unread(notification)
    else:
        services.mark_read(notification)
    return _back_to_inbox(request)


@require_POST
@principal_required(Role.VIEWER, providers=True)
def mark_all(request):
    count = services.mark_all_read(request.principal)
    messages.success(
        request,
        f"Marked {count} notification{'s' if count != 1 else ''} read."
        if count
        else "Nothing was unread.",
    )
    return _back_to_inbox(request)


@principal_required(Role.VIEWER, providers=True)
def preferences(request):
    current = services.preferences(request.principal)
    initial = {"due_soon_hours": current["due_soon_hours"], "daily_digest": current["daily_digest"]}
    for row in current["events"]:
        in_app, email = event_field_names(row["event"])
        initial[in_app] = row["in_app"]
        initial[email] = row["email"]
    data = request.POST if request.method == "POST" else None
    settings_form = SettingsForm(data, initial=initial)
    events_form = EventChoicesForm(data, initial=initial)
    if data is not None and settings_form.is_valid() and events_form.is_valid():
        try:
            services.update_preferences(
                request.principal, **settings_form.cleaned_data, events=events_form.choices()
            )
        except ValidationError as error:
            add_service_errors(settings_form, error)
        else:
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notifications:preferences", request.principal.organization.slug)
    return _render(
        request,
        "notifications/preferences.html",
        {"settings_form": settings_form, "events_form": events_form},
    )
