"""Backdating for the demo loader: make what a block of service calls wrote look as if it
happened at a chosen past moment.

The services stamp their rows with the present (``auto_now_add``, ``auto_now``,
``default=timezone.now``, the audit trail, notifications). The demo's history must not all
carry the minute it was loaded, so ``handoff.demo`` runs each part of its story inside
``backdated(org, moment)``: on leaving the block, every date-and-time column of the
organization's rows whose value falls between the moment the block began and its end (the
present the services stamped) is moved back by the same interval, so the block's writes keep
their order and land at ``moment``. Times set on purpose — a history row's own past time, a
due date or an expiry ahead — are outside that window and stay as they are.

Only the demo loader uses this, in one process before the server starts; never in a request.
Blocks may nest; a block whose moment is not in the past changes nothing.
"""

from contextlib import contextmanager
from datetime import datetime

from django.apps import apps
from django.db import models
from django.db.models import F
from django.utils import timezone

HANDOFF = "handoff."


def _stamped_columns():
    """(model, [date-and-time field names]) of the organization's tables and its own row."""
    for model in apps.get_models():
        if not model.__module__.startswith(HANDOFF) or model._meta.proxy:
            continue
        names = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateTimeField)
        ]
        if not names:
            continue
        if model._meta.label == "accounts.Organization" or any(
            field.name == "organization" for field in model._meta.concrete_fields
        ):
            yield model, names


def _rows(model, org):
    if model._meta.label == "accounts.Organization":
        return model._default_manager.filter(pk=org.pk)
    # The demo's own back-dating, table by table, including tables with no tenant queryset.
    return model._default_manager.filter(organization=org)


def shift(org, since: datetime, to: datetime) -> None:
    """Move ``org``'s stamps written between ``since`` and now back so that ``since`` becomes
    ``to``. Times set on purpose — in the past (a history row's own time) or ahead (a due
    date, an expiry) — are outside that window and stay as they are."""
    until = timezone.now()
    delta = since - to
    if delta.total_seconds() <= 0:
        return  # a moment not in the past: the present stamps are already right
    for model, names in _stamped_columns():
        rows = _rows(model, org)
        for name in names:
            rows.filter(**{f"{name}__gte": since, f"{name}__lte": until}).update(
                **{name: F(name) - delta}
            )


@contextmanager
def backdated(org, moment: datetime):
    """What the block stamps with the present for ``org`` is dated from ``moment`` on."""
    since = timezone.now()
    yield
    shift(org, since, moment)
