"""The demo's history carries the times it would have had, spread over its months, in order —
not the minute it was loaded (handoff.core.backdating)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from handoff import demo
from handoff.accounts.models import Organization, User
from handoff.core.models import AuditEvent
from handoff.engagements.models import Engagement, StatusChange
from handoff.payables.models import Payment
from handoff.providers.models import Provider
from handoff.work.models import Task, TaskComment


@pytest.fixture
def org(db):
    assert demo.load() is True
    return Organization.objects.get(slug=demo.ORG_SLUG)


def _span(values) -> timedelta:
    values = list(values)
    return max(values) - min(values)


@pytest.mark.django_db
def test_the_demo_history_spans_months_in_order(org):
    now = timezone.now()
    began = org.created_at
    assert now - timedelta(days=366) < began < now - timedelta(days=180)
    owner = User.objects.get(email=demo.LOGIN_EMAIL)
    assert owner.date_joined <= began

    # Most of what the services stamped is dated in the past, over months.
    audit = list(AuditEvent.objects.filter(organization=org).values_list("created_at", flat=True))
    assert _span(audit) > timedelta(days=300)
    loaded_now = [at for at in audit if at > now - timedelta(hours=1)]
    assert len(loaded_now) < len(audit) * 0.15, (len(loaded_now), len(audit))
    assert all(began <= at <= now for at in audit)

    providers = list(Provider.objects.filter(organization=org).values_list("created_at", flat=True))
    assert all(began < at < began + timedelta(days=30) for at in providers)
    assert len({at.date() for at in providers}) >= 5

    # Each engagement drafted, then moved, in order; the moves months apart.
    engagements = {e.pk: e for e in Engagement.objects.filter(organization=org)}
    changes = StatusChange.objects.filter(organization=org).order_by("changed_at", "pk")
    assert _span(change.changed_at for change in changes) > timedelta(days=200)
    for change in changes:
        assert engagements[change.engagement_id].created_at < change.changed_at <= now
    assert _span(e.created_at for e in engagements.values()) > timedelta(days=250)

    # Tasks: six months of history; each task's moves in order after it was sent, and its
    # last change no earlier than its last move.
    tasks = list(Task.objects.filter(organization=org).prefetch_related("moves"))
    assert _span(task.created_at for task in tasks) > timedelta(days=170)
    for task in tasks:
        moments = [move.at for move in task.moves.all()]
        assert moments == sorted(moments), task.title
        assert task.created_at <= moments[0] and moments[-1] <= now
        assert task.updated_at >= moments[-1] - timedelta(seconds=1), task.title
    for comment in TaskComment.objects.filter(organization=org).select_related("task"):
        assert comment.task.created_at < comment.created_at <= comment.task.updated_at

    # Payments recorded on (or, for those before the practice used Handoff, after) their day.
    payments = list(Payment.objects.filter(organization=org))
    assert _span(p.created_at for p in payments) > timedelta(days=250)
    for payment in payments:
        assert began <= payment.created_at and payment.created_at.date() >= payment.paid_on

    # Nothing the organization created is dated before it, and no "created" time is ahead.
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if not model.__module__.startswith("handoff.") or not {"organization", "created_at"} <= (
            names
        ):
            continue
        field = model._meta.get_field("created_at")
        if not isinstance(field, models.DateTimeField):
            continue
        rows = model._default_manager.filter(organization=org)
        if rows.exists():
            bounds = rows.aggregate(lo=models.Min("created_at"), hi=models.Max("created_at"))
            assert began <= bounds["lo"] and bounds["hi"] <= now, model._meta.label

    assert demo.load() is False  # a second run adds nothing
    assert AuditEvent.objects.filter(organization=org).count() == len(audit)
