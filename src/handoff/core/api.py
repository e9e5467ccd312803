"""What every API router shares: role checks, pagination and the error shape.

Errors are JSON ``{"detail": "...", "errors": [{"field": "...", "message": "..."}]}``: 401
without a valid token, 403 for a role too low, 404 for a missing or foreign row, 409 for an
edit over a newer version, 422 for invalid input.
"""

import functools
from datetime import time
from typing import Annotated

import ninja.parser
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from ninja import Field, NinjaAPI, Schema
from pydantic import ConfigDict, WithJsonSchema

from handoff.core.roles import Role

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


def portal_operation(handler):
    """Declare an operation for a provider's contacts alone, under ``/portal/`` (their portal
    token; a member's token answers 401: it is not a credential here)."""
    handler.least_role = Role.VIEWER
    handler.providers = True
    handler.contacts_only = True
    return handler


def downloads(*media_types: str, description: str = "The file."):
    """Declare that an operation answers 200 with a file of these media types (beside or
    instead of JSON): the OpenAPI document lists them, so a client knows what comes back."""

    def decorator(handler):
        handler.media_types = media_types
        handler.download_description = description
        return handler

    return decorator


def public_operation(handler):
    """Declare a token-less operation (a one-time link's form): its token is in the path."""
    handler.least_role = PUBLIC
    handler.providers = False
    return handler


class _Gate:
    """An operation's authentication followed by its declared least role."""

    def __init__(self, authenticate, least_role: str, providers: bool, contacts_only=False):
        self.authenticate = authenticate
        self.least_role = least_role
        self.providers = providers
        self.contacts_only = contacts_only

    def __call__(self, request):
        principal = self.authenticate(request)
        if not principal:
            return principal
        if self.contacts_only and not principal.is_provider:
            return None  # 401: only a provider's contact's token opens the portal's operations
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
    """Put each operation's declared least role behind its authentication, and declare the
    errors every operation can answer with (the OpenAPI document lists them all). An
    operation that declared no least role keeps its authentication alone; the permission
    matrix test names it."""
    for _path, operation in operations(api):
        if getattr(operation, "guarded", False):
            continue
        operation.guarded = True
        least_role = getattr(operation.view_func, "least_role", None)
        errors = (404, 422) if least_role == PUBLIC else (401, 403, 404, 422)
        for status in errors:
            if status not in operation.response_models:
                operation.response_models[status] = operation._create_response_model(ErrorOut)
        if media_types := getattr(operation.view_func, "media_types", ()):
            binary = {"schema": {"type": "string", "format": "binary"}}
            ok = {
                "description": operation.view_func.download_description,
                "content": {media_type: binary for media_type in media_types},
            }
            operation.openapi_extra = {**(operation.openapi_extra or {}), "responses": {200: ok}}
        if least_role in (None, PUBLIC):
            continue
        providers = operation.view_func.providers
        contacts_only = getattr(operation.view_func, "contacts_only", False)
        operation.auth_callbacks = [
            _Gate(callback, least_role, providers, contacts_only)
            for callback in operation.auth_callbacks
        ]


class Parser(ninja.parser.Parser):
    """JSON bodies and query or form fields, refusing text with a NUL character: PostgreSQL
    cannot store one, and no field of ours means it (422 naming the field)."""

    def parse_body(self, request):
        try:
            data = super().parse_body(request)
        except ValueError:  # JSONDecodeError, or bytes that are not UTF-8
            raise ValidationError({"body": "The body is not valid JSON."}) from None
        refuse_nul(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        refuse_nul(result)
        return result


def refuse_nul(value, field: str = "body") -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError({field: "Text may not contain a NUL character (\\u0000)."})
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key, field)
            refuse_nul(item, key if field == "body" else f"{field}.{key}")
    elif isinstance(value, list):
        for item in value:
            refuse_nul(item, field)


class HandoffAPI(NinjaAPI):
    """The NinjaAPI whose operations check their declared least role at the gate, declare
    every error they answer with, and refuse text with a NUL character."""

    def __init__(self, **kwargs):
        super().__init__(parser=Parser(), **kwargs)

    @property
    def urls(self):
        urls = super().urls
        guard_operations(self)
        return urls


# A calendar or tax year in a path, query or body: a year outside it is refused with 422.
Year = Annotated[int, Field(ge=1900, le=2100, description="A year, 1900 to 2100.")]


# A time of day in the organization's zone: no offset, so not JSON Schema's "time" format.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
            "description": "A time of day in the organization's zone, HH:MM or HH:MM:SS.",
        }
    ),
]


class ResponseSchema(Schema):
    """A response with a field read along a relation that may be empty:
    ``Field(None, alias="changed_by.name")`` gives None when ``changed_by`` is None. Every
    field is in every response, so the OpenAPI document lists each as required, a field with
    a default too."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


# What an operation that saves or reads a file adds to its responses: the file store is down.
STORAGE_DOWN = {503: ErrorOut}


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


def patch_data(payload, model, *, exclude=()) -> dict:
    """The fields a PATCH sent (but ``exclude``); an explicit null only for a field of
    ``model`` that may be empty (None), otherwise 422 naming it, before any service sees it."""
    data = payload.dict(exclude_unset=True, exclude=set(exclude))
    for name, value in data.items():
        try:
            nullable = model._meta.get_field(name).null
        except FieldDoesNotExist:
            continue
        if value is None and not nullable:
            raise ValidationError({name: "This field cannot be null."})
    return data


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
