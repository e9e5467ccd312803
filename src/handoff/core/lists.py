"""The organization's own short lists (fields of expertise, business functions): one name
each, compared without regard to case or extra spaces."""

from django.core.exceptions import ValidationError
from django.db import transaction

from handoff.core import audit


@transaction.atomic
def add_named(model, principal, *, name: str, **extra):
    """Add ``name`` to the principal's organization's list in ``model``; a name already there
    is refused."""
    org, actor = principal.organization, principal.user
    name = " ".join(name.split())
    row = model(organization=org, name=name, **extra)
    row.full_clean(validate_constraints=False)
    if model.objects.visible_to(principal).filter(name__iexact=name).exists():
        raise ValidationError({"name": f"{name} is already on the list."})
    row.save()
    audit.record(
        org,
        actor,
        f"{model._meta.model_name}.created",
        row,
        f"Added {model._meta.verbose_name} {name}",
    )
    return row
