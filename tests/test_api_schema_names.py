"""Every schema the API serves has a name of its own.

The OpenAPI document keys each component by its class's ``__name__``, so two classes called
``CommentOut`` in two apps silently become one: the document describes one of them for both
endpoints and client generators build the wrong type. Ninja wraps each operation's input in
``...Params`` models and its response in ``NinjaResponseSchema``; those wrappers never become
components, so the walk starts at their fields.
"""

import enum
import typing
from collections import defaultdict

import pydantic
from django.urls import get_resolver

from handoff.core.api import operations


def _api():
    get_resolver().url_patterns  # noqa: B018 - building the URLs binds the routers' operations
    from handoff.api import api

    return api


def _named_types(annotation):
    """The models and enums an annotation names, through list[...], dict[...], Optional and
    Union, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel | enum.Enum):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _named_types(argument)


def _fields_types(model):
    for field in model.model_fields.values():
        yield from _named_types(field.annotation)


def served_schemas(api) -> set[type]:
    """Every model and enum an operation reads or answers with, and those their fields name."""
    found: set[type] = set()
    pending = []
    for _path, operation in operations(api):
        for wrapper in operation.models:
            pending.extend(_fields_types(wrapper))
        for wrapper in operation.response_models.values():
            if isinstance(wrapper, type) and issubclass(wrapper, pydantic.BaseModel):
                pending.extend(_fields_types(wrapper))
    while pending:
        schema = pending.pop()
        if schema in found:
            continue
        found.add(schema)
        if issubclass(schema, pydantic.BaseModel):
            pending.extend(_fields_types(schema))
    return found


def test_no_two_served_schemas_share_a_name():
    by_name = defaultdict(set)
    for schema in served_schemas(_api()):
        by_name[schema.__name__].add(f"{schema.__module__}.{schema.__qualname__}")
    clashes = {name: sorted(owners) for name, owners in by_name.items() if len(owners) > 1}
    assert not clashes, "Schema names used by more than one class:\n" + "\n".join(
        f"  {name}: {', '.join(owners)}" for name, owners in sorted(clashes.items())
    )


def test_the_openapi_document_has_a_component_for_every_served_schema():
    api = _api()
    schemas = served_schemas(api)
    components = api.get_openapi_schema()["components"]["schemas"]
    assert len(components) >= len(schemas), (
        f"{len(schemas)} models and enums are served but the document describes {len(components)}"
    )
