"""A response field read along a relation (``Field(alias="changed_by.name")``) answers None
when the relation is empty, and keeps its own name, and its place among the required fields,
in the OpenAPI document."""

from django.urls import get_resolver
from django.utils import timezone

from handoff.accounts.models import User
from handoff.engagements.api.schemas import StatusChangeOut
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import StatusChange


def _change(changed_by):
    return StatusChange(
        pk=7,
        from_status=EngagementStatus.DRAFT,
        to_status=EngagementStatus.ACTIVE,
        changed_by=changed_by,
        changed_at=timezone.now(),
    )


def _document():
    get_resolver().url_patterns  # noqa: B018 - building the URLs binds the routers' operations
    from handoff.api import api

    return api.get_openapi_schema()


def test_a_path_through_an_empty_relation_gives_none():
    out = StatusChangeOut.model_validate(_change(changed_by=None)).model_dump()

    assert out["changed_by_id"] is None
    assert out["changed_by_name"] is None


def test_a_path_through_a_relation_reads_its_field():
    out = StatusChangeOut.model_validate(_change(User(pk=3, name="Ana Ruiz"))).model_dump()

    assert out["changed_by_id"] == 3
    assert out["changed_by_name"] == "Ana Ruiz"


def test_the_field_keeps_its_name_and_stays_required():
    component = _document()["components"]["schemas"]["StatusChangeOut"]

    assert "changed_by_name" in component["properties"]
    assert "changed_by_name" in component["required"]


def test_no_property_in_the_document_is_named_by_its_path():
    components = _document()["components"]["schemas"]

    assert not [
        (name, prop)
        for name, component in components.items()
        for prop in component.get("properties", {})
        if "." in prop
    ]
