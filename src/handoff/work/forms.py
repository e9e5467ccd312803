"""Forms of the task, schedule, issue and portal pages; the services do the checking that
matters. Where our side and the provider's see the same form, ``side`` drops what the provider
does not get."""

from django import forms

from handoff.accounts.models import User
from handoff.engagements.choices import EngagementStatus, Severity
from handoff.engagements.models import Engagement, ServiceLevel
from handoff.providers.models import Contact, Provider
from handoff.work import status
from handoff.work.choices import WEEKDAYS, Priority, Side, TaskStatus
from handoff.work.models import Schedule
from handoff.work.selectors import Sort, Tab
from handoff.work.services import SCHEDULE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the services check each file's type and size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


FILES_HELP = "PDF, PNG, JPEG, XLSX, DOCX, CSV or text; up to 10 MB each."


def members(org):
    return User.objects.filter(memberships__organization=org).order_by("name")


class TaskFilterForm(forms.Form):
    # "all" (every status) is not a tab of its own; links from the scorecards use it.
    tab = forms.ChoiceField(choices=[*Tab.CHOICES, ("all", "All")], required=False)
    q = forms.CharField(label="Search", required=False)
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(), required=False, empty_label="Any provider"
    )
    engagement = forms.ModelChoiceField(
        queryset=Engagement.objects.none(), required=False, empty_label="Any engagement"
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *TaskStatus.choices], required=False)
    priority = forms.ChoiceField(choices=[("", "Any priority"), *Priority.choices], required=False)
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Anyone", label="Our assignee"
    )
    sort = forms.ChoiceField(choices=Sort.CHOICES, required=False, label="Sort by")
    due_from = forms.DateField(label="Due from", required=False, widget=DATE)
    due_to = forms.DateField(label="Due to", required=False, widget=DATE)

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = Engagement.objects.visible_to(
            principal
        ).select_related("provider")
        if principal.is_provider:
            # A provider's contact sees their own provider's work, never our people.
            del self.fields["provider"], self.fields["assignee"]
            return
        self.fields["provider"].queryset = Provider.objects.visible_to(principal).filter(
            archived_at__isnull=True
        )
        self.fields["assignee"].queryset = members(principal.organization)

    def filters(self) -> dict:
        """The filters for ``selectors.task_list``; no tab chosen is ``None``."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "tab": data.get("tab") or None,
            "q": data.get("q") or "",
            "provider": data["provider"].pk if data.get("provider") else None,
            "engagement": data["engagement"].pk if data.get("engagement") else None,
            "status_": data.get("status") or "",
            "priority": data.get("priority") or "",
            "assignee": data["assignee"].pk if data.get("assignee") else None,
            "sort": data.get("sort") or Sort.DUE,
            "due_from": data.get("due_from"),
            "due_to": data.get("due_to"),
        }


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(
        label="Task kind",
        required=False,
        help_text="One of the engagement's service levels; it suggests the due date.",
    )
    details = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Plain text; links and line breaks show as such.",
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    due_at = forms.DateTimeField(
        label="Due",
        widget=DATETIME,
        required=False,
        help_text="In the organization's time zone. Leave it empty to "
        "use the task kind's service level.",
    )
    our_assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Nobody", label="Our assignee"
    )
    their_assignee = forms.ModelChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        empty_label="Nobody",
        label="Their assignee",
    )
    files = MultipleFileField(label="Attachments", help_text=FILES_HELP)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, principal, engagement, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        org = engagement.organization
        kinds = ServiceLevel.objects.visible_to(principal).filter(engagement=engagement)
        self.fields["kind"].choices = [("", "—")] + [
            (level.task_kind, f"{level.task_kind} ({level.turnaround_display})") for level in kinds
        ]
        self.fields["our_assignee"].queryset = members(org)
        self.fields["their_assignee"].queryset = Contact.objects.visible_to(principal).filter(
            provider_id=engagement.provider_id, archived_at__isnull=True
        )
        if editing:
            del self.fields["files"]
            self.fields["due_at"].required = True
            self.fields["due_at"].help_text = "In the organization's time zone."
        else:
            del self.fields["version"]
            self.fields["our_assignee"].help_text = "Empty: our point person for new work."
            self.fields["their_assignee"].help_text = "Empty: their point person for new work."

    def task_data(self, *, editing=False) -> dict:
        data = self.cleaned_data
        values = {key: data[key] for key in ("title", "kind", "details", "priority")}
        our, theirs = data.get("our_assignee"), data.get("their_assignee")
        if editing or our:
            values["our_assignee_id"] = our.pk if our else None
        if editing or theirs:
            values["their_assignee_id"] = theirs.pk if theirs else None
        if data.get("due_at") or editing:
            values["due_at"] = data.get("due_at")
        return values


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=TaskStatus.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rating = forms.TypedChoiceField(
        label="Quality (1–5)",
        choices=[("", "No rating")] + [(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    files = MultipleFileField(label="Files", help_text=FILES_HELP)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    on_behalf_reason = forms.CharField(
        label="Why you record it for the provider",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args, side=Side.US, **kwargs):
        super().__init__(*args, **kwargs)
        if side == Side.PROVIDER:
            # The provider neither rates its own work nor records a step on its own behalf.
            del self.fields["rating"]
            del self.fields["on_behalf_reason"]


def move_actions(task, side) -> list[dict]:
    """The buttons a side sees on a task, with what each needs. ``on_behalf``: one of the
    provider's own steps, which our side records only on their behalf, with a reason."""
    return [
        {
            "to": target,
            "verb": status.VERBS[target],
            "note": target in (TaskStatus.RETURNED, TaskStatus.ACCEPTED, TaskStatus.CANCELLED),
            "note_required": target == TaskStatus.RETURNED,
            "rating": target == TaskStatus.ACCEPTED,
            "files": target in (TaskStatus.DELIVERED, TaskStatus.RETURNED),
            "on_behalf": side == Side.US and target in status.PROVIDER_STEPS,
        }
        for target in status.allowed_moves(task.status, side)
    ]


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(
        label="Internal note (the provider never sees it)", required=False
    )
    files = MultipleFileField(label="Files", help_text=FILES_HELP)

    def __init__(self, *args, side=Side.US, **kwargs):
        super().__init__(*args, **kwargs)
        if side == Side.PROVIDER:
            # Internal notes are ours alone; the portal's box is a line taller.
            del self.fields["internal"]
            self.fields["body"].widget.attrs["rows"] = 4


class AttachForm(forms.Form):
    files = MultipleFileField(label="Files", help_text=FILES_HELP, required=True)


class ScheduleForm(forms.ModelForm):
    kind = forms.ChoiceField(label="Task kind", required=False)
    weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAYS)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For weekly work.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Schedule
        fields = list(SCHEDULE_FIELDS)
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "due_time": TIME,
            "details": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, principal, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = ServiceLevel.objects.visible_to(principal).filter(engagement=engagement)
        self.fields["kind"].choices = [("", "—")] + [(k.task_kind, k.task_kind) for k in kinds]
        self.fields["day_of_month"].help_text = "For monthly work; 31 means the month's last day."
        self.fields["interval_days"].help_text = "For work every so many days."
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def _post_clean(self):
        # The service cleans the schedule (it needs the engagement); skip the instance here.
        pass

    def schedule_data(self) -> dict:
        data = {key: self.cleaned_data[key] for key in self.Meta.fields}
        data["kind"] = data["kind"] or ""
        data["weekdays"] = list(data["weekdays"] or [])
        return data


class EngagementLabel(forms.ModelChoiceField):
    def label_from_instance(self, engagement):
        return f"{engagement.provider.name} — {engagement.title}"


class ChooseEngagementForm(forms.Form):
    """ "New task" from the Tasks page: which active engagement the task goes under."""

    engagement = EngagementLabel(
        queryset=Engagement.objects.none(),
        empty_label="Choose an engagement",
        help_text="Tasks are sent under an active engagement; the next page is the task form.",
        error_messages={
            "required": "Choose the engagement the task belongs to.",
            "invalid_choice": "Choose one of the active engagements.",
        },
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = (
            Engagement.objects.visible_to(principal)
            .filter(status=EngagementStatus.ACTIVE)
            .select_related("provider")
            .order_by("provider__name", "title", "id")
        )


# --- Issues -----------------------------------------------------------------------------------
class IssueForm(forms.Form):
    title = forms.CharField(max_length=200)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.NORMAL)
    task_id = forms.TypedChoiceField(
        label="Task", required=False, coerce=int, empty_value=None, choices=()
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What is wrong, and what you need.",
    )

    def __init__(self, *args, tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_id"].choices = [("", "The engagement as a whole")] + [
            (task.pk, task.title) for task in tasks
        ]


class PortalIssueForm(IssueForm):
    """The provider raises an issue from the portal, so it names the engagement too."""

    engagement_id = forms.TypedChoiceField(label="Engagement", coerce=int, choices=())
    field_order = ["engagement_id", "task_id", "title", "severity", "description"]

    def __init__(self, *args, engagements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement_id"].choices = [(e.pk, e.title) for e in engagements]


class MessageForm(forms.Form):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 4}))


class ResolveForm(forms.Form):
    note = forms.CharField(label="How it was resolved", widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why reopen it", widget=forms.Textarea(attrs={"rows": 3}))
