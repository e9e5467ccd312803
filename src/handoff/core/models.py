from django.conf import settings
from django.db import models

from handoff.core.tenancy import TenantModel


class AuditEvent(TenantModel):
    """Who changed what, when: one row per change made through a service."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)
    # The client address, for the security events (log-ins, failures, lock-outs).
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="audit_org_created"),
            models.Index(
                fields=["organization", "object_type", "object_id"], name="audit_org_object"
            ),
        ]

    def __str__(self):
        return self.summary
