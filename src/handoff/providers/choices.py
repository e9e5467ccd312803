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


class Relationship(models.TextChoices):
    CURRENT_CLIENT = "current_client", "Current client"
    FORMER_CLIENT = "former_client", "Former client"
    PARTNER = "partner", "Partner"
    SUPPLIER = "supplier", "Supplier"
    OTHER = "other", "Other"


class WouldHireAgain(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Unsure"


class DueDiligenceStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RECEIVED = "received", "Received"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# Statuses that count as done when judging whether due diligence is complete.
DUE_DILIGENCE_DONE = {DueDiligenceStatus.VERIFIED, DueDiligenceStatus.NOT_APPLICABLE}

# The questions every reference check asks; the organization rewords them and adds its own.
DEFAULT_QUESTIONS = [
    ("understood_field", "How well did they understand their field?"),
    ("met_deadlines", "How reliably did they meet deadlines?"),
    ("missed_deadlines", "If they missed deadlines, what happened?"),
    ("communication", "How clear and timely was their communication?"),
    ("quality", "How good was the quality of their work?"),
    ("would_hire_again", "Would you hire them again?"),
    ("red_flags", "Anything that worried you?"),
]

# (title, needs a document, has an expiry date, has a coverage amount)
DEFAULT_DUE_DILIGENCE = [
    ("Certificate of insurance (general and professional liability)", True, True, True),
    ("Business licence", True, True, False),
    ("Data-security and confidentiality questionnaire", True, False, False),
    ("State business registration", True, False, False),
    ("Bank details verified by phone", False, False, False),
]
