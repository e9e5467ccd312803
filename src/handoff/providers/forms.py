from django import forms

from handoff.providers.choices import ProviderKind, ProviderSort, ProviderStatus
from handoff.providers.models import Contact, ExpertiseField, Provider
from handoff.providers.services import CONTACT_FIELDS, PROVIDER_FIELDS


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

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "Any field")] + [
            (field.pk, field.name) for field in ExpertiseField.objects.for_org(org)
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

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expertise"].queryset = ExpertiseField.objects.for_org(org)
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
