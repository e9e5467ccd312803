"""The events Handoff tells people about. Each app sends its own through ``services.notify``;
a person chooses, per event, whether it reaches the inbox, e-mail, both or neither."""

from django.db import models


class Event(models.TextChoices):
    # Run: tasks
    TASK_NEW = "task_new", "New task"
    TASK_ACKNOWLEDGED = "task_acknowledged", "Task acknowledged"
    TASK_DUE_SOON = "task_due_soon", "Task due soon"
    TASK_OVERDUE = "task_overdue", "Task overdue"
    TASK_DELIVERED = "task_delivered", "Task delivered"
    TASK_RETURNED = "task_returned", "Task returned for rework"
    TASK_ACCEPTED = "task_accepted", "Task accepted"
    TASK_CANCELLED = "task_cancelled", "Task cancelled"
    TASK_COMMENT = "task_comment", "Comment on a task"
    TASK_REMINDER = "task_reminder", "Reminder about a task from the client"
    # Run: issues and escalations
    ISSUE_RAISED = "issue_raised", "Issue raised"
    ISSUE_MESSAGE = "issue_message", "New message on an issue"
    ISSUE_ESCALATED = "issue_escalated", "Issue escalated"
    ISSUE_RESOLVED = "issue_resolved", "Issue resolved"
    # Engage
    RENEWAL_DUE = "renewal_due", "Engagement renewing soon"
    NOTICE_DEADLINE = "notice_deadline", "Last day to give notice approaching"
    # Vet
    DOCUMENT_EXPIRING = "document_expiring", "Due-diligence document expiring"
    # Pay
    INVOICE_SUBMITTED = "invoice_submitted", "Invoice submitted for approval"
    INVOICE_APPROVED = "invoice_approved", "Invoice approved"
    INVOICE_REJECTED = "invoice_rejected", "Invoice rejected"
    INVOICE_WAITING = "invoice_waiting", "Invoice still waiting for approval"
    INVOICE_UNPAID = "invoice_unpaid", "Approved invoice unpaid past its due date"
    # Comply
    FILING_1099_DUE = "filing_1099_due", "1099-NEC filing deadline approaching"
    RECIPIENT_COPIES_DUE = "recipient_copies_due", "1099-NEC recipient copies not furnished yet"
    TIN_MISMATCH = "tin_mismatch", "A payee's name and TIN do not match the IRS's records"
    STATE_REPORT_DUE = "state_report_due", "A contractor to report to a state's new-hire registry"
    # Evaluate
    CHECKIN_REQUESTED = "checkin_requested", "Relationship check-in"
