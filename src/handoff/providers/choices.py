from django.db import models


class ProviderKind(models.TextChoices):
    FIRM = "firm", "Firm"
    INDIVIDUAL = "individual", "Individual"


class EntityType(models.TextChoices):
    """The tax entity; 1099-NEC reporting later depends on it (corporations are mostly exempt)."""

    SOLE_PROPRIETOR = "sole_proprietor", "Sole proprietor"
    SINGLE_MEMBER_LLC = "single_member_llc", "Single-member LLC"
    PARTNERSHIP = "partnership", "Partnership"
    C_CORPORATION = "c_corporation", "C corporation"
    S_CORPORATION = "s_corporation", "S corporation"
    OTHER = "other", "Other"


class ProviderStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    FORMER = "former", "Former"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Portal"
    CHAT = "chat", "Chat"


class ProviderSort(models.TextChoices):
    NAME = "name", "Name"
    NAME_DESC = "-name", "Name, Z to A"
    UPDATED = "-updated", "Recently updated"
    CREATED = "-created", "Recently added"
    STATUS = "status", "Status"


DEFAULT_EXPERTISE_FIELDS = [
    "Bookkeeping",
    "Billing",
    "Customer service",
    "Order handling",
    "IT support",
    "Payroll",
    "Marketing",
]
