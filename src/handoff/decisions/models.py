from django.db import models
from django.db.models.functions import Lower

from handoff.core.tenancy import TenantModel

DEFAULT_BUSINESS_FUNCTIONS = [
    "Bookkeeping",
    "Billing",
    "Customer service",
    "Order handling",
    "IT support",
    "Payroll",
    "Marketing",
]


class BusinessFunction(TenantModel):
    """A part of the business that can be done in-house or outsourced (bookkeeping, billing…).

    Engagements name the functions they cover; the make-or-buy analysis is made per function.
    """

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="function_unique_name")
        ]

    def __str__(self):
        return self.name
