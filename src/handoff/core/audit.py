from handoff.core.models import AuditEvent


def record(
    org,
    actor,
    action: str,
    obj,
    summary: str,
    changes: dict | None = None,
    *,
    address: str | None = None,
) -> AuditEvent:
    """Keep one line of the audit trail; called by services inside their transaction."""
    return AuditEvent.objects.create(
        organization=org,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk or ""),
        summary=summary[:300],
        changes=changes or {},
        address=address or None,
    )


def diff(before: dict, after: dict) -> dict:
    """The fields that changed, as {field: [old, new]} with values made JSON-safe."""
    return {
        key: [_plain(before.get(key)), _plain(value)]
        for key, value in after.items()
        if before.get(key) != value
    }


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set)):
        return sorted(str(item) for item in value)
    return str(value)
