"""What every API router shares: role checks, pagination and the error shape.

Errors are JSON ``{"detail": "...", "errors": [{"field": "...", "message": "..."}]}``: 401
without a valid token, 403 for a role too low, 404 for a missing or foreign row, 409 for an
edit over a newer version, 422 for invalid input.
"""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI, Schema

from handoff.core.roles import Role, role_at_least

PUBLIC = "public"  # the least "role" of a token-less operation: a one-time link's own form


def api_access(least_role: str = Role.VIEWER, *, providers: bool = False):
    """Declare an operation's least role, and whether provider contacts may call it (seeing
    their own provider's rows only). :func:`guard_operations` checks it at the gate, before the
    request's input is read: a role below gets 403 whatever it sent. Every operation declares
    one; the permission matrix test fails on one that does not."""

    def decorator(handler):
        handler.least_role = least_role
        handler.providers = providers
        return handler

    return decorator


def public_operation(handler):
    """Declare a token-less operation (a one-time link's form): its token is in the path."""
    handler.least_role = PUBLIC
    handler.providers = False
    return handler


class _Gate:
    """An operation's authentication followed by its declared least role."""

    def __init__(self, authenticate, least_role: str, providers: bool):
        self.authenticate = authenticate
        self.least_role = least_role
        self.providers = providers

    def __call__(self, request):
        principal = self.authenticate(request)
        if not principal:
            return principal
        if principal.is_provider:
            if not self.providers:
                raise PermissionDenied("This is for the organization's members.")
        else:
            principal.require(self.least_role, "This")
        return principal


def operations(api):
    """Every operation of ``api`` as served, with its path: what the gate guards and the
    permission matrix walks. (Ninja binds a copy of each router's operations to the API when
    its URLs are built; these are the copies.)"""
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                parts = (part.strip("/") for part in (bound.prefix, path))
                yield "/".join(part for part in parts if part), operation


def guard_operations(api) -> None:
    """Put each operation's declared least role behind its authentication. An operation that
    declared none keeps its authentication alone; the permission matrix test names it."""
    for _path, operation in operations(api):
        least_role = getattr(operation.view_func, "least_role", None)
        if least_role in (None, PUBLIC) or getattr(operation, "guarded", False):
            continue
        providers = operation.view_func.providers
        operation.auth_callbacks = [
            _Gate(callback, least_role, providers) for callback in operation.auth_callbacks
        ]
        operation.guarded = True


class HandoffAPI(NinjaAPI):
    """The NinjaAPI whose operations check their declared least role at the gate."""

    @property
    def urls(self):
        urls = super().urls
        guard_operations(self)
        return urls


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
