"""Notifications as JSON: my inbox and preferences (any member), the organization's chat
webhooks and their deliveries (admins and owners). The same services as the pages."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status

from handoff.core.api import ErrorOut, api_access, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.notifications import selectors, services
from handoff.notifications.events import Event
from handoff.notifications.models import (
    DeliveryStatus,
    EmailState,
    Notification,
    Webhook,
    WebhookDelivery,
    WebhookFormat,
)

router = Router(tags=["notifications"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- Schemas ----------------------------------------------------------------------------------
class NotificationOut(Schema):
    id: int
    event: str = Field(description="One of the events listed in the preferences.")
    event_label: str
    subject: str
    body: str
    url: str = Field(description="A path in the web app; empty when there is nothing to open.")
    created_at: datetime
    read_at: datetime | None
    email_state: EmailState


class NotificationPage(Schema):
    count: int
    unread: int = Field(description="Unread notifications in the whole inbox.")
    page: int
    per_page: int
    results: list[NotificationOut]


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only the unread ones.")
    page: int = 1
    per_page: int = 50


class MarkedOut(Schema):
    marked: int


class EventChoice(Schema):
    event: Event
    label: str = ""
    in_app: bool
    email: bool


class PreferencesOut(Schema):
    due_soon_hours: int
    daily_digest: bool
    events: list[EventChoice]


class EventChoiceIn(Schema):
    event: Event
    in_app: bool | None = None
    email: bool | None = None


class PreferencesIn(Schema):
    due_soon_hours: int | None = Field(None, description="1 to 720 hours.")
    daily_digest: bool | None = None
    events: list[EventChoiceIn] = Field([], description="Only the events to change.")


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    format: WebhookFormat
    events: list[Event]
    active: bool
    created_at: datetime
    pending_count: int = 0
    failed_count: int = 0


class WebhookIn(Schema):
    name: str
    url: str = Field(description="https:// (http:// only for localhost).")
    format: WebhookFormat
    events: list[Event] = Field(description="At least one.")
    active: bool = True


class WebhookPatch(Schema):
    name: str | None = None
    url: str | None = None
    format: WebhookFormat | None = None
    events: list[Event] | None = None
    active: bool | None = None


class DeliveryOut(Schema):
    id: int
    webhook_id: int
    event: str = Field(description="Empty for a test message.")
    payload: dict
    status: DeliveryStatus
    attempts: int
    last_error: str
    response_status: int | None
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None


class DeliveryPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[DeliveryOut]


class DeliveryFilters(Schema):
    status: DeliveryStatus | None = None
    page: int = 1
    per_page: int = 50


# --- My inbox ---------------------------------------------------------------------------------
def _mine(request):
    return Notification.objects.visible_to(request.principal).inbox(request.user)


@router.get(
    "/notifications",
    response={200: NotificationPage, **ERRORS},
    summary="List my notifications, newest first",
)
@api_access()
def list_notifications(request, filters: Query[NotificationFilters]):
    rows = _mine(request)
    if filters.unread:
        rows = rows.unread()
    result = paginate(rows, filters.page, filters.per_page)
    result["unread"] = services.unread_count(request.principal)
    return result


@router.post(
    "/notifications/read-all",
    response={200: MarkedOut, **ERRORS},
    summary="Mark all my notifications read",
)
@api_access()
def read_all(request):
    return {"marked": services.mark_all_read(request.principal)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark one of my notifications read",
)
@api_access()
def read_one(request, notification_id: int):
    return services.mark_read(
        get_visible_or_404(_mine(request), request.principal, pk=notification_id)
    )


@router.post(
    "/notifications/{notification_id}/unread",
    response={200: NotificationOut, **ERRORS},
    summary="Mark one of my notifications unread",
)
@api_access()
def unread_one(request, notification_id: int):
    return services.mark_unread(
        get_visible_or_404(_mine(request), request.principal, pk=notification_id)
    )


# --- My preferences ---------------------------------------------------------------------------
@router.get(
    "/notifications/preferences",
    response={200: PreferencesOut, **ERRORS},
    summary="My notification preferences in this organization",
)
@api_access()
def get_preferences(request):
    return services.preferences(request.principal)


@router.patch(
    "/notifications/preferences",
    response={200: PreferencesOut, **ERRORS},
    summary="Change my notification preferences (only what is sent)",
)
@api_access()
def update_preferences(request, payload: PreferencesIn):
    events = {}
    for choice in payload.events:
        events.setdefault(choice.event.value, {}).update(
            choice.dict(exclude={"event"}, exclude_none=True)
        )
    return services.update_preferences(
        request.principal,
        due_soon_hours=payload.due_soon_hours,
        daily_digest=payload.daily_digest,
        events=events,
    )


# --- Webhooks (admin) -------------------------------------------------------------------------
def _webhook(request, webhook_id: int) -> Webhook:
    return get_visible_or_404(Webhook.objects, request.principal, pk=webhook_id)


def _webhook_out(request, webhook_id: int) -> Webhook:
    return get_visible_or_404(
        selectors.webhooks_with_counts(request.principal), request.principal, pk=webhook_id
    )


@router.get(
    "/webhooks", response={200: list[WebhookOut], **ERRORS}, summary="List the chat webhooks"
)
@api_access(Role.ADMIN)
def list_webhooks(request):
    return list(selectors.webhooks_with_counts(request.principal))


@router.post("/webhooks", response={201: WebhookOut, **ERRORS}, summary="Add a chat webhook")
@api_access(Role.ADMIN)
def create_webhook(request, payload: WebhookIn):
    data = payload.dict()
    data["events"] = [event.value for event in payload.events]
    webhook = services.create_webhook(request.principal, **data)
    return Status(201, _webhook_out(request, webhook.pk))


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS})
@api_access(Role.ADMIN)
def get_webhook(request, webhook_id: int):
    _webhook(request, webhook_id)
    return _webhook_out(request, webhook_id)


@router.patch(
    "/webhooks/{webhook_id}",
    response={200: WebhookOut, **ERRORS},
    summary="Change a webhook (only the fields sent)",
)
@api_access(Role.ADMIN)
def update_webhook(request, webhook_id: int, payload: WebhookPatch):
    webhook = _webhook(request, webhook_id)
    data = payload.dict(exclude_unset=True)
    for field, value in data.items():
        if value is None:
            raise ValidationError({field: "This field cannot be null."})
    if "events" in data:
        data["events"] = [event.value for event in payload.events]
    services.update_webhook(request.principal, webhook, **data)
    return _webhook_out(request, webhook_id)


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS})
@api_access(Role.ADMIN)
def delete_webhook(request, webhook_id: int):
    services.delete_webhook(request.principal, _webhook(request, webhook_id))
    return Status(204, None)


@router.post(
    "/webhooks/{webhook_id}/test",
    response={200: DeliveryOut, **ERRORS},
    summary="Post a test message now; the delivery says whether it arrived",
)
@api_access(Role.ADMIN)
def test_webhook(request, webhook_id: int):
    return services.send_test(request.principal, _webhook(request, webhook_id))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: DeliveryPage, **ERRORS},
    summary="A webhook's deliveries, newest first",
)
@api_access(Role.ADMIN)
def list_deliveries(request, webhook_id: int, filters: Query[DeliveryFilters]):
    webhook = _webhook(request, webhook_id)
    rows = WebhookDelivery.objects.visible_to(request.principal).filter(webhook=webhook)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return paginate(rows, filters.page, filters.per_page)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    response={200: DeliveryOut, **ERRORS},
    summary="Attempt a pending or failed delivery now",
)
@api_access(Role.ADMIN)
def retry_delivery(request, webhook_id: int, delivery_id: int):
    webhook = _webhook(request, webhook_id)
    row = get_visible_or_404(
        WebhookDelivery.objects.filter(webhook=webhook), request.principal, pk=delivery_id
    )
    return services.retry_delivery(request.principal, row)
