"""What every API router shares: role checks, pagination and the error shape.

Errors are JSON ``{"detail": "...", "errors": [{"field": "...", "message": "..."}]}``: 401
without a valid token, 403 for a role too low, 404 for a missing or foreign row, 409 for an
edit over a newer version, 422 for invalid input.
"""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Schema

from handoff.core.roles import Role, role_at_least


def api_access(least_role: str = Role.VIEWER, *, providers: bool = False):
    """Declare an operation's least role (and whether provider contacts may call it, seeing
    their own provider's rows only); every operation has one, checked by the permission
    matrix test. A role below gets 403 before the handler runs."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(request, *args, **kwargs):
            principal = request.principal
            if principal.is_provider and not providers:
                raise PermissionDenied("This is for the organization's members.")
            if not principal.is_provider:
                principal.require(least_role, "This")
            return handler(request, *args, **kwargs)

        wrapper.least_role = least_role
        wrapper.providers = providers
        return wrapper

    return decorator


def require_api_role(request, min_role: str) -> None:
    """Being replaced by :func:`api_access` and the services' own checks."""
    if not role_at_least(request.membership.role, min_role):
        raise PermissionDenied(
            f"This needs the {Role(min_role).label.lower()} role or higher; "
            f"the token's owner is {Role(request.membership.role).label.lower()} here."
        )


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


def paginate(queryset, page: int, per_page: int) -> dict:
    """One page of ``queryset``: a count query and a slice, whatever the page size."""
    if page < 1:
        raise ValidationError({"page": "Pages start at 1."})
    if not 1 <= per_page <= 200:
        raise ValidationError({"per_page": "Ask for 1 to 200 rows a page."})
    start = (page - 1) * per_page
    return {
        "count": queryset.count(),
        "page": page,
        "per_page": per_page,
        "results": list(queryset[start : start + per_page]),
    }


def fields_named(**renames):
    """Report a service's field errors under the names the endpoint's body uses
    (``provider`` → ``provider_id``): services speak the forms' names, shared with the pages."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(*args, **kwargs):
            try:
                return handler(*args, **kwargs)
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise
                raise ValidationError(
                    {
                        renames.get(field, field): errors
                        for field, errors in error.error_dict.items()
                    }
                ) from None

        return wrapper

    return decorator
