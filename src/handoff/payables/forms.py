from django import forms
from django.utils import timezone

from handoff.core.csv_import import CsvImportForm, read_rows
from handoff.engagements.models import Engagement
from handoff.payables.choices import PaymentMethod
from handoff.payables.models import Invoice
from handoff.payables.services import IMPORT_COLUMNS, REQUIRED_COLUMNS
from handoff.providers.models import Provider


def _providers(principal):
    return Provider.objects.visible_to(principal).filter(archived_at__isnull=True).order_by("name")


class InvoiceForm(forms.ModelForm):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none())
    engagement = forms.ModelChoiceField(queryset=Engagement.objects.none(), required=False)

    class Meta:
        model = Invoice
        fields = [
            "provider",
            "engagement",
            "number",
            "issued_on",
            "due_on",
            "amount",
            "description",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "due_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = _providers(principal)
        self.fields["engagement"].queryset = Engagement.objects.visible_to(
            principal
        ).select_related("provider")

    def _post_clean(self):
        pass


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
