"""Reads shared by the pages and the API, their queries decided once."""

from django.db.models import Count, Q

from handoff.notifications.models import DeliveryStatus, Webhook


def webhooks_with_counts(principal):
    """The organization's webhooks with their pending and failed deliveries counted: one query."""
    return Webhook.objects.visible_to(principal).annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )
