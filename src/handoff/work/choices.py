from django.db import models


class TaskStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned for rework"
    CANCELLED = "cancelled", "Cancelled"


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"


class Side(models.TextChoices):
    """Which side of the engagement a person acts for."""

    US = "us", "Our side"
    PROVIDER = "provider", "Provider"


class Recurrence(models.TextChoices):
    MONTHLY_DAY = "monthly_day", "Monthly on a day of the month"
    MONTHLY_LAST_BUSINESS_DAY = "monthly_lbd", "Monthly on the last business day"
    WEEKLY = "weekly", "Weekly on given weekdays"
    EVERY_N_DAYS = "every_n_days", "Every so many days"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESPONDED = "responded", "Responded"
    RESOLVED = "resolved", "Resolved"


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
