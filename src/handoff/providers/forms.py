from django import forms

from handoff.core.csv_import import CsvImportForm
from handoff.providers.choices import ProviderKind, ProviderSort, ProviderStatus, WouldHireAgain
from handoff.providers.models import (
    Contact,
    DueDiligenceItem,
    DueDiligenceTemplateItem,
    ExpertiseField,
    Provider,
    Reference,
)
from handoff.providers.services import CONTACT_FIELDS, PROVIDER_FIELDS
from handoff.providers.vetting import CHECK_FIELDS, REFERENCE_FIELDS


class ProviderFilterForm(forms.Form):
    """The list's search, filters and sort, from the query string; bad values are ignored."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *ProviderStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        choices=[("", "Firms and individuals"), *ProviderKind.choices], required=False
    )
    field = forms.TypedChoiceField(label="Field", coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(choices=ProviderSort.choices, required=False)
    archived = forms.BooleanField(label="Show archived", required=False)

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "Any field")] + [
            (field.pk, field.name) for field in ExpertiseField.objects.visible_to(principal)
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = {key: value for key, value in self.cleaned_data.items() if value}
        data.setdefault("sort", ProviderSort.NAME)
        return data


class ProviderForm(forms.ModelForm):
    expertise = forms.ModelMultipleChoiceField(
        label="Fields of expertise",
        queryset=ExpertiseField.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_fields = forms.CharField(
        label="Other fields",
        required=False,
        max_length=300,
        help_text="Comma-separated; each is added to your organization's list.",
    )
    website = forms.URLField(
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Provider
        fields = PROVIDER_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expertise"].queryset = ExpertiseField.objects.visible_to(principal)
        if self.instance.pk:
            self.fields["expertise"].initial = list(self.instance.fields.all())
            self.fields["version"].initial = self.instance.version

    def new_field_names(self) -> list[str]:
        return [name for name in self.cleaned_data.get("new_fields", "").split(",") if name.strip()]

    def provider_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROVIDER_FIELDS}


class ContactForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def contact_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}


class ExpertiseFieldForm(forms.Form):
    name = forms.CharField(label="New field of expertise", max_length=60)


RATING_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReferenceForm(forms.ModelForm):
    class Meta:
        model = Reference
        fields = REFERENCE_FIELDS
        widgets = {
            "worked_from": DATE,
            "worked_to": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }


class ReferenceCheckForm(forms.Form):
    """The interview: the standard questions in the organization's wording, then its own."""

    understood_field = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, required=False, empty_value=None
    )
    met_deadlines = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, required=False, empty_value=None
    )
    missed_deadlines = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    communication = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, required=False, empty_value=None
    )
    quality = forms.TypedChoiceField(
        choices=RATING_CHOICES, coerce=int, required=False, empty_value=None
    )
    would_hire_again = forms.ChoiceField(
        choices=[("", "—"), *WouldHireAgain.choices], required=False, widget=forms.RadioSelect
    )
    red_flags = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    notes = forms.CharField(
        label="Other notes", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, wording: dict, custom: list, **kwargs):
        super().__init__(*args, **kwargs)
        for key, text in wording.items():
            if key in self.fields:
                self.fields[key].label = text
        for name in ("understood_field", "met_deadlines", "communication", "quality"):
            self.fields[name].help_text = "1 poor · 3 adequate · 5 excellent"
            self.fields[name].widget = forms.RadioSelect(choices=RATING_CHOICES[1:])
        self.custom = custom
        for question in custom:
            self.fields[f"q{question.pk}"] = forms.CharField(
                label=question.text,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def check_data(self) -> dict:
        data = {key: self.cleaned_data.get(key) for key in CHECK_FIELDS}
        data["answers"] = {
            str(q.pk): self.cleaned_data.get(f"q{q.pk}", "")
            for q in self.custom
            if self.cleaned_data.get(f"q{q.pk}")
        }
        return data


class ReferenceRequestForm(forms.Form):
    email = forms.EmailField(label="Send the questions to", required=False)


class QuestionForm(forms.Form):
    text = forms.CharField(label="Question", max_length=300)


class DueDiligenceItemForm(forms.ModelForm):
    document = forms.FileField(required=False, help_text="A PDF, PNG or JPEG of at most 10 MB.")

    class Meta:
        model = DueDiligenceItem
        fields = ["status", "expires_on", "amount", "notes"]
        widgets = {"expires_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.has_expiry:
            self.fields["expires_on"].help_text = "If it has one."
        if not self.instance.has_amount:
            del self.fields["amount"]


class TemplateItemForm(forms.ModelForm):
    class Meta:
        model = DueDiligenceTemplateItem
        fields = ["title", "needs_document", "has_expiry", "has_amount"]


class ProviderImportForm(CsvImportForm):
    """A CSV file with a header row, the columns of the export (name is the only one needed)."""

    help_text = (
        "UTF-8, at most 1 MB. Columns as in the export: name (required), legal_name, "
        "kind, entity_type, is_attorney (yes or no), status, fields (separated by ;), website, "
        "street, city, region, postal_code, country, notes."
    )
    required_columns = ("name",)
    missing_columns_message = "The first row must name the columns, with a 'name' column."


class PortalInviteForm(forms.Form):
    """Which of the providers' contacts (with an e-mail address) to invite to the portal."""

    contact = forms.ModelChoiceField(queryset=Contact.objects.none())

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            Contact.objects.visible_to(principal)
            .filter(archived_at__isnull=True, provider__archived_at__isnull=True)
            .exclude(email="")
            .select_related("provider")
            .order_by("provider__name", "name")
        )
        self.fields["contact"].label_from_instance = lambda c: f"{c.provider.name}: {c.name}"
