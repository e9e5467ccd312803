"""Operations on the organization's list of business functions."""

from django.core.exceptions import ValidationError
from django.db import transaction

from handoff.core import audit
from handoff.decisions.models import DEFAULT_BUSINESS_FUNCTIONS, BusinessFunction


def seed_business_functions(sender=None, *, organization, **kwargs) -> None:
    """Give a new organization the usual functions to start from."""
    BusinessFunction.objects.bulk_create(
        [
            BusinessFunction(organization=organization, name=name)
            for name in DEFAULT_BUSINESS_FUNCTIONS
        ]
    )


@transaction.atomic
def add_business_function(org, *, actor, name: str, description: str = "") -> BusinessFunction:
    name = " ".join(name.split())
    function = BusinessFunction(organization=org, name=name, description=description.strip())
    function.full_clean(validate_constraints=False)
    if BusinessFunction.objects.for_org(org).filter(name__iexact=name).exists():
        raise ValidationError({"name": f"{name} is already on the list."})
    function.save()
    audit.record(org, actor, "business_function.created", function, f"Added function {name}")
    return function
