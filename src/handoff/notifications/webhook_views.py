"""The organization's webhooks (admins and owners): add, edit, test, see and retry deliveries."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.notifications import selectors, services
from handoff.notifications.forms import WebhookForm
from handoff.notifications.models import DeliveryStatus, Webhook, WebhookDelivery

DELIVERIES_PAGE_SIZE = 25


@principal_required(Role.ADMIN)
def webhook_list(request):
    webhooks = selectors.webhooks_with_counts(request.principal)
    return render(request, "notifications/webhooks.html", {"webhooks": webhooks})


@principal_required(Role.ADMIN)
def webhook_create(request):
    form = WebhookForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            webhook = services.create_webhook(request.principal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Webhook {webhook.name} added. Send it a test message.")
            return redirect(webhook.get_absolute_url())
    return render(request, "notifications/webhook_form.html", {"form": form, "webhook": None})


@principal_required(Role.ADMIN)
def webhook_detail(request, pk):
    webhook = get_visible_or_404(Webhook.objects, request.principal, pk=pk)
    deliveries = WebhookDelivery.objects.visible_to(request.principal).filter(webhook=webhook)
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, DELIVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/webhook.html",
        {
            "webhook": webhook,
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "query": f"status={status}" if status else "",
        },
    )


@principal_required(Role.ADMIN)
def webhook_edit(request, pk):
    webhook = get_visible_or_404(Webhook.objects, request.principal, pk=pk)
    form = WebhookForm(
        request.POST or None, instance=get_visible_or_404(Webhook.objects, request.principal, pk=pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_webhook(request.principal, webhook, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Webhook {webhook.name} saved.")
            return redirect(webhook.get_absolute_url())
    return render(request, "notifications/webhook_form.html", {"form": form, "webhook": webhook})


@require_POST
@principal_required(Role.ADMIN)
def webhook_delete(request, pk):
    webhook = get_visible_or_404(Webhook.objects, request.principal, pk=pk)
    services.delete_webhook(request.principal, webhook)
    messages.success(request, f"Webhook {webhook.name} removed.")
    return redirect("notifications:webhooks", request.org.slug)


@require_POST
@principal_required(Role.ADMIN)
def webhook_test(request, pk):
    webhook = get_visible_or_404(Webhook.objects, request.principal, pk=pk)
    result = services.send_test(request.principal, webhook)
    if result.status == DeliveryStatus.SENT:
        messages.success(request, "The test message was delivered. Look for it in the channel.")
    else:
        messages.error(request, f"The test message failed: {result.last_error}")
    return redirect(webhook.get_absolute_url())


@require_POST
@principal_required(Role.ADMIN)
def delivery_retry(request, pk, delivery_pk):
    webhook = get_visible_or_404(Webhook.objects, request.principal, pk=pk)
    row = get_visible_or_404(
        WebhookDelivery.objects.filter(webhook=webhook), request.principal, pk=delivery_pk
    )
    try:
        row = services.retry_delivery(request.principal, row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if row.status == DeliveryStatus.SENT:
            messages.success(request, "Delivered.")
        else:
            messages.error(request, f"Still failing: {row.last_error}")
    return redirect(webhook.get_absolute_url())
