from django import forms
from django.utils import timezone

from handoff.core.csv_import import CsvImportForm, read_rows
from handoff.decisions.models import BusinessFunction
from handoff.engagements.models import Engagement
from handoff.payables.choices import InvoiceStatus, LineKind, PaymentMethod
from handoff.payables.models import APPROVER_ROLES, Invoice
from handoff.payables.selectors import PAYMENT_FILTERS
from handoff.payables.services import IMPORT_COLUMNS, MAX_LINES, REQUIRED_COLUMNS
from handoff.providers.models import Provider
from handoff.work.forms import FILES_HELP, MultipleFileField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 12, "decimal_places": 2}
# The empty line rows the submit page shows, and how many more "Add rows" brings.
LINE_ROWS = 5


def _providers(principal):
    return Provider.objects.visible_to(principal).filter(archived_at__isnull=True).order_by("name")


class PaymentForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none())
    engagement = forms.ModelChoiceField(
        queryset=Engagement.objects.none(), required=False, help_text="The work it pays for."
    )
    invoice = forms.ModelChoiceField(queryset=Invoice.objects.none(), required=False)
    paid_on = forms.DateField(label="Date paid", widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    method = forms.ChoiceField(
        choices=PaymentMethod.choices,
        help_text="Card and payment-network payments are reported by the processor on "
        "Form 1099-K, not by you.",
    )
    reference = forms.CharField(required=False, max_length=100)
    confirm_date = forms.BooleanField(
        label="The date is right",
        required=False,
        help_text="Tick it for a payment scheduled ahead, one made before its engagement "
        "started (a deposit), or one more than two tax years back.",
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = _providers(principal)
        self.fields["engagement"].queryset = Engagement.objects.visible_to(
            principal
        ).select_related("provider")
        self.fields["invoice"].queryset = Invoice.objects.visible_to(principal).select_related(
            "provider"
        )
        self.fields["paid_on"].initial = timezone.localdate


class PaymentFilterForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    provider = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    paid_from = forms.DateField(
        label="Paid from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    paid_to = forms.DateField(
        label="Paid to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, principal, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "Every year")] + [(y, str(y)) for y in years]
        self.fields["provider"].choices = [("", "Every provider")] + list(
            Provider.objects.visible_to(principal).order_by("name").values_list("pk", "name")
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


class PaymentImportForm(CsvImportForm):
    """A CSV file with a header row: provider, paid_on, amount, method (required), reference,
    engagement, invoice (optional)."""

    help_text = (
        "UTF-8, at most 1 MB. Columns: " + ", ".join(IMPORT_COLUMNS) + " — the first "
        "four are needed. Dates as YYYY-MM-DD; method one of "
        + ", ".join(PaymentMethod.values)
        + "."
    )
    required_columns = REQUIRED_COLUMNS


def csv_rows(content: str) -> list[dict]:
    """The rows of a payments CSV (the API takes the text itself rather than a file)."""
    return read_rows(
        content,
        required=REQUIRED_COLUMNS,
        message=PaymentImportForm.missing_columns_message,
    )


class EngagementChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, show_provider: bool, **kwargs):
        self.show_provider = show_provider
        super().__init__(*args, **kwargs)

    def label_from_instance(self, engagement):
        return (
            f"{engagement.provider.name} — {engagement.title}"
            if self.show_provider
            else (engagement.title)
        )


class InvoiceSubmitForm(forms.Form):
    """An invoice's heading; its lines are :class:`LineForm` rows beside it."""

    engagement = EngagementChoiceField(queryset=Engagement.objects.none(), show_provider=True)
    number = forms.CharField(label="Invoice number", max_length=60)
    issued_on = forms.DateField(label="Invoice date", widget=DATE)
    due_on = forms.DateField(label="Due date", required=False, widget=DATE)
    period_start = forms.DateField(label="Period from", widget=DATE)
    period_end = forms.DateField(label="Period to", widget=DATE)
    amount = forms.DecimalField(
        label="Invoice total", **MONEY, help_text="The sum of the lines below, to the cent."
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    attachments = MultipleFileField(label="Files (timesheets, receipts)", help_text=FILES_HELP)
    replaces_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, engagements, show_provider: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = engagements
        self.fields["engagement"].show_provider = show_provider
        self.fields["issued_on"].initial = timezone.localdate


class LineForm(forms.Form):
    """One line; a row left empty is skipped, a row begun needs each of its numbers."""

    kind = forms.ChoiceField(choices=[("", "—"), *LineKind.choices], required=False)
    description = forms.CharField(required=False, max_length=300)
    quantity = forms.DecimalField(required=False, **MONEY, label="Hours or quantity")
    unit_price = forms.DecimalField(required=False, **MONEY, label="Rate or price")
    amount = forms.DecimalField(required=False, **MONEY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each row's fields say which line they are ("Line 2 amount"), for screen readers and
        # for a phone, where the rows stack.
        row = (self.prefix or "").rsplit("-", 1)[-1]
        if row.isdigit():
            for name, field in self.fields.items():
                label = field.label or name.replace("_", " ")
                field.label = f"Line {int(row) + 1} {label.lower()}"

    def clean(self):
        data = super().clean()
        if not any(data.get(name) not in (None, "") for name in self.fields):
            return data
        for name in ("kind", "quantity", "unit_price", "amount"):
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, "Fill this in, or clear the row.")
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in self.fields)


def line_formset(*, rows: int = LINE_ROWS):
    return forms.formset_factory(
        LineForm, extra=rows, max_num=MAX_LINES, absolute_max=MAX_LINES, validate_max=True
    )


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(required=False)
    provider = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    payment_state = forms.ChoiceField(
        label="Payment", required=False, choices=[("", "Any"), *PAYMENT_FILTERS]
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Every status"), *InvoiceStatus.choices]
        self.fields["provider"].choices = [("", "Every provider")] + list(
            Provider.objects.visible_to(principal).order_by("name").values_list("pk", "name")
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


# --- Approval ---------------------------------------------------------------------------------
class ApprovalSettingsForm(forms.Form):
    least_role = forms.ChoiceField(label="Least role that approves", choices=APPROVER_ROLES)
    manager_limit = forms.DecimalField(
        label="A manager approves up to",
        required=False,
        min_value=0.01,
        **MONEY,
        help_text="Empty: no limit.",
    )
    admin_limit = forms.DecimalField(
        label="An admin approves up to",
        required=False,
        min_value=0.01,
        **MONEY,
        help_text="Empty: no limit. Owners have none.",
    )
    second_approver_above = forms.DecimalField(
        label="A second approver above",
        required=False,
        min_value=0.01,
        **MONEY,
        help_text="Invoices above this need two approvals by two people. Empty: never.",
    )


class ApprovalRuleForm(forms.Form):
    engagement = forms.ModelChoiceField(queryset=Engagement.objects.none(), required=False)
    function = forms.ModelChoiceField(
        label="Or a business function", queryset=BusinessFunction.objects.none(), required=False
    )
    least_role = forms.ChoiceField(label="Least role that approves", choices=APPROVER_ROLES)

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = (
            Engagement.objects.visible_to(principal).select_related("provider").order_by("title")
        )
        self.fields["function"].queryset = BusinessFunction.objects.visible_to(principal).order_by(
            "name"
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The provider sees it and can answer with a corrected invoice.",
    )
