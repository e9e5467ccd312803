from django import forms
from django.utils import timezone

from handoff.compliance import classification
from handoff.compliance.choices import (
    Answer,
    Category,
    FilingMethod,
    MismatchSource,
    TinType,
)
from handoff.compliance.foreign import W8_FIELDS
from handoff.compliance.models import W8, W9, ComplianceSettings, Filing1099
from handoff.compliance.selectors import current_w9_rows
from handoff.compliance.services import W9_FIELDS
from handoff.engagements.models import Engagement

ANSWER_CHOICES = [(Answer.YES, "Yes"), (Answer.NO, "No"), (Answer.UNSURE, "Not sure")]


def _evidence(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssessmentForm(forms.Form):
    """One question per factor of the rules in force, each with its evidence; then the ABC
    prongs and exemptions of the organization's states."""

    engagements = forms.ModelMultipleChoiceField(
        label="Made for the engagements",
        queryset=Engagement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The assessment goes stale when their hours, pay basis, length or scope change.",
    )
    annual_payments = forms.DecimalField(
        label="A year of payments",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="The basis of the reclassification estimate. Leave empty to use the last "
        "365 days of payments, or the open engagements' yearly cost.",
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, rules: classification.Rules, engagements, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.fields["engagements"].queryset = engagements
        self.groups = {}
        for factor in rules.factors:
            self.fields[f"factor_{factor.key}"] = forms.ChoiceField(
                label=factor.question,
                choices=ANSWER_CHOICES,
                initial=Answer.UNSURE,
                required=False,
                widget=forms.RadioSelect,
                help_text=factor.help_text,
            )
            self.fields[f"evidence_{factor.key}"] = _evidence("Evidence")
            self.groups.setdefault(factor.category, []).append(factor.key)
        for test in rules.state_tests:
            for prong in test.prongs:
                name = f"state_{test.state}_{prong.key}"
                self.fields[name] = forms.ChoiceField(
                    label=f"{prong.label}: {prong.question}",
                    choices=ANSWER_CHOICES,
                    initial=Answer.UNSURE,
                    required=False,
                    widget=forms.RadioSelect,
                )
                self.fields[f"{name}_evidence"] = _evidence("Evidence")
            if test.exemptions:
                self.fields[f"state_{test.state}_exemption"] = forms.ChoiceField(
                    label="Exemption claimed",
                    required=False,
                    choices=[("", "None")] + [(e.key, e.name) for e in test.exemptions],
                )
                self.fields[f"state_{test.state}_exemption_evidence"] = _evidence(
                    "How each condition of the exemption is met"
                )

    def factor_rows(self):
        """(category label, [(answer field, evidence field)]) for the template."""
        return [
            (
                Category(category).label,
                [(self[f"factor_{key}"], self[f"evidence_{key}"]) for key in keys],
            )
            for category, keys in self.groups.items()
        ]

    def state_rows(self):
        rows = []
        for test in self.rules.state_tests:
            prongs = [
                (self[f"state_{test.state}_{p.key}"], self[f"state_{test.state}_{p.key}_evidence"])
                for p in test.prongs
            ]
            exemption = (
                (
                    self[f"state_{test.state}_exemption"],
                    self[f"state_{test.state}_exemption_evidence"],
                )
                if test.exemptions
                else None
            )
            rows.append((test, prongs, exemption))
        return rows

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            f.key: {
                "answer": data[f"factor_{f.key}"] or Answer.UNSURE,
                "evidence": data[f"evidence_{f.key}"],
            }
            for f in self.rules.factors
        }

    def state_answers(self) -> dict:
        data = self.cleaned_data
        result = {}
        for test in self.rules.state_tests:
            base = f"state_{test.state}"
            result[test.state] = {
                "prongs": {
                    p.key: {
                        "answer": data[f"{base}_{p.key}"] or Answer.UNSURE,
                        "evidence": data[f"{base}_{p.key}_evidence"],
                    }
                    for p in test.prongs
                },
                "exemption": data.get(f"{base}_exemption", ""),
                "exemption_evidence": data.get(f"{base}_exemption_evidence", ""),
            }
        return result

    def add_service_error(self, field: str, messages) -> None:
        """A service error on ``factor_x`` shows on the factor's evidence, where it is fixed."""
        if field.startswith("factor_"):
            field = "evidence_" + field.removeprefix("factor_")
        elif (
            field.startswith("state_")
            and not field.endswith("_exemption")
            or field.startswith("state_")
            and field.endswith("_exemption")
        ):
            field = field + "_evidence"
        self.add_error(field if field in self.fields else None, messages)


class TinInput(forms.TextInput):
    """A TIN is never written back into the page, even when the form is shown again with
    errors: it is typed again."""

    def format_value(self, value):
        return None


class W9Form(forms.ModelForm):
    tin = forms.CharField(
        label="TIN",
        max_length=20,
        widget=TinInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
        help_text="Nine digits, with or without dashes. Stored encrypted; shown as its last "
        "four digits.",
    )
    document = forms.FileField(label="Signed W-9", help_text="PDF, PNG or JPEG, at most 10 MB.")

    class Meta:
        model = W9
        fields = W9_FIELDS
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "tin_type": forms.RadioSelect,
        }

    field_order = [
        "legal_name",
        "business_name",
        "tax_classification",
        "llc_classification",
        "exempt_payee_code",
        "is_attorney",
        "tin_type",
        "tin",
        "street",
        "city",
        "state",
        "postal_code",
        "item_2_crossed_out",
        "signed_on",
        "document",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tin_type"].choices = TinType.choices
        self.fields["state"].help_text = "Two letters, e.g. OH."

    def _post_clean(self):
        pass  # the service validates the row (and encrypts the TIN), not the model form

    def data_for_service(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in W9_FIELDS}


SIGNED_FIELDS = [name for name in W9_FIELDS if name != "signed_on"]


class SignW9Form(W9Form):
    """The W-9 a contractor fills and signs through their link: the form's fields, the
    certification and a typed signature; no upload (the signed PDF is made from it)."""

    document = None
    item_2_crossed_out = forms.BooleanField(
        required=False,
        label="Cross out item 2: the IRS has notified me that I am currently subject to backup "
        "withholding because I failed to report all interest and dividends on my tax return.",
    )
    certified = forms.BooleanField(
        required=False,
        label="Under penalties of perjury, I certify the statements above.",
    )
    signer_name = forms.CharField(
        label="Your signature: type your full name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="Typing your name here is your electronic signature.",
    )

    class Meta(W9Form.Meta):
        fields = SIGNED_FIELDS

    field_order = [*W9Form.field_order[:-3], "item_2_crossed_out", "certified", "signer_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("document", None)
        self.fields[
            "tin"
        ].help_text = "Nine digits, with or without dashes. Sent and kept encrypted."
        self.fields[
            "legal_name"
        ].help_text = (
            "Line 1: the name on your income tax return (for a sole proprietor, your own name)."
        )

    def data_for_service(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in SIGNED_FIELDS}


class SignW8benForm(forms.ModelForm):
    """The Form W-8BEN a foreign individual fills and signs through their link: lines 1–10,
    the Part III certification and a typed signature; the signed PDF is made from it."""

    us_tin = forms.CharField(
        label="5 U.S. taxpayer identification number (SSN or ITIN), if you have one",
        max_length=20,
        required=False,
        widget=TinInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Leave empty unless you have one. Sent and kept encrypted.",
    )
    foreign_tin = forms.CharField(
        label="6a Foreign tax identifying number",
        max_length=40,
        required=False,
        widget=TinInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Your tax number in your country of residence. Sent and kept encrypted.",
    )
    certified = forms.BooleanField(
        required=False,
        label="Under penalties of perjury, I certify the statements above, and that I have the "
        "capacity to sign for the person on line 1.",
    )

    class Meta:
        model = W8
        # The lines the individual fills; the form's kind and date are the link's to set.
        fields = [name for name in W8_FIELDS if name not in ("form", "signed_on")]
        labels = {
            "name": "1 Your name (the individual who is paid)",
            "country": "2 Country of citizenship",
            "street": "3 Permanent residence address (street, apt. or suite no.)",
            "city": "City or town, state or province, postal code",
            "address_country": "Country",
            "us_tin_type": "Kind of U.S. TIN",
            "foreign_tin_not_required": "6b My country of residence does not issue or require a "
            "foreign tax identifying number",
            "date_of_birth": "8 Date of birth",
            "treaty_country": "9 Treaty country (only to claim tax treaty benefits)",
            "treaty_article": "10 Article and paragraph",
            "treaty_rate": "Rate of withholding claimed (%)",
            "treaty_income": "Type of income",
            "treaty_conditions": "Additional conditions you meet",
            "signer_name": "Your signature: type your full name",
            "signer_capacity": "Capacity, if you sign for the person on line 1 (e.g. agent)",
        }
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "treaty_conditions": forms.Textarea(attrs={"rows": 2}),
            "signer_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    field_order = [
        "name",
        "country",
        "street",
        "city",
        "address_country",
        "us_tin_type",
        "us_tin",
        "foreign_tin",
        "foreign_tin_not_required",
        "date_of_birth",
        "treaty_country",
        "treaty_article",
        "treaty_rate",
        "treaty_income",
        "treaty_conditions",
        "certified",
        "signer_name",
        "signer_capacity",
    ]
    SIGNATURE = ("certified", "signer_name", "signer_capacity")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["us_tin_type"].choices = [("", "None"), ("ssn", "SSN"), ("itin", "ITIN")]
        self.fields["us_tin_type"].required = False
        for name in (
            "name",
            "country",
            "street",
            "city",
            "address_country",
            "date_of_birth",
            "signer_name",
        ):
            self.fields[name].required = False  # the service says what is missing, by field

    def data_for_service(self) -> dict:
        data = {key: self.cleaned_data.get(key) for key in self.Meta.fields}
        data["form"] = "w8ben"
        return data


class UploadW8beneForm(forms.ModelForm):
    """A foreign entity's own Form W-8BEN-E, uploaded through its link (or by a manager)."""

    document = forms.FileField(
        label="The signed Form W-8BEN-E", help_text="PDF, PNG or JPEG, at most 10 MB."
    )

    class Meta:
        model = W8
        fields = ["name", "country", "signed_on", "signer_name"]
        labels = {
            "name": "1 Name of the organization",
            "country": "2 Country of incorporation or organization",
            "signed_on": "Date signed on the form",
            "signer_name": "Name of the person who signed it",
        }
        widgets = {"signed_on": forms.DateInput(attrs={"type": "date"})}

    def data_for_service(self) -> dict:
        return {**{key: self.cleaned_data.get(key) for key in self.Meta.fields}, "form": "w8bene"}


class RecordW8Form(UploadW8beneForm):
    """A W-8BEN or W-8BEN-E a manager received on paper."""

    form = forms.ChoiceField(label="Form", choices=W8._meta.get_field("form").choices)
    document = forms.FileField(
        label="The signed form", help_text="PDF, PNG or JPEG, at most 10 MB."
    )

    field_order = ["form", "name", "country", "signed_on", "signer_name", "document"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = "1 Name (individual or organization)"
        self.fields["country"].label = "2 Country of citizenship or organization"

    def data_for_service(self) -> dict:
        return {**super().data_for_service(), "form": self.cleaned_data["form"]}


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        required=False,
        label="I have read the notice above and agree to receive, sign and keep these records "
        "electronically.",
    )


class StatementForm(forms.Form):
    """The contractor's answers to the questions of ``onboarding.CONTRACTOR_QUESTIONS``."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for key, text in questions:
            self.fields[key] = forms.ChoiceField(
                label=text,
                choices=[("yes", "Yes"), ("no", "No"), ("unsure", "Not sure")],
                widget=forms.RadioSelect,
                required=False,
            )
        self.fields["note"] = forms.CharField(
            label="Anything to add (optional)",
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=2000,
            required=False,
        )
        self.fields["certified"] = forms.BooleanField(
            label="These answers are true to the best of my knowledge.", required=False
        )
        self.fields["signer_name"] = forms.CharField(
            label="Your signature: type your full name",
            max_length=200,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
        )
        self.question_keys = [key for key, _ in questions]

    def answers(self) -> dict:
        return {key: self.cleaned_data.get(key) or "" for key in self.question_keys}


class SendLinkForm(forms.Form):
    email = forms.EmailField(label="Send to", max_length=254)


class SettingsForm(forms.ModelForm):
    payer_tin = forms.CharField(
        label="Payer's TIN",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text="The EIN (or the owner's SSN) on the 1099 returns. Leave empty to keep the "
        "one on file.",
    )

    class Meta:
        model = ComplianceSettings
        fields = [
            "refuse_payments_without_w9",
            "benefits_cost_percent",
            "payer_name",
            "payer_name_2",
            "payer_tin_type",
            "payer_tin",
            "payer_address",
            "payer_address_2",
            "payer_city",
            "payer_state",
            "payer_postal_code",
            "payer_country",
            "payer_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.payer_tin_last4:
            self.fields["payer_tin"].help_text = (
                f"On file: {self.instance.masked_payer_tin}. Leave empty to keep it; type a "
                "new one to replace it."
            )

    def _post_clean(self):
        pass


class FilingForm(forms.ModelForm):
    """That a tax year's 1099-NEC forms were filed: when, how, and the confirmation."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Filing1099
        fields = ["filed_on", "method", "service_name", "confirmation"]
        widgets = {
            "filed_on": forms.DateInput(attrs={"type": "date"}),
            "method": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = FilingMethod.choices  # no empty radio button
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self):
        """The service checks the filing's rules (one place for the page and the API)."""


# --- TIN Matching and B notices ---------------------------------------------------------------
RESULT_FILE_LIMIT = 10 * 1024 * 1024  # 100,000 lines of at most ~100 characters


class TinResultsForm(forms.Form):
    file = forms.FileField(
        label="The IRS's result file",
        help_text="The .txt file e-Services returned for Handoff's request (at most 10 MB).",
    )
    checked_on = forms.DateField(
        label="Date of the result",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > RESULT_FILE_LIMIT:
            raise forms.ValidationError("The file is larger than 10 MB: it is not a result file.")
        return upload


class IrsNoticeForm(forms.Form):
    w9 = forms.ModelChoiceField(
        label="Payee",
        queryset=W9.objects.none(),
        help_text="The payee the IRS's notice lists, with the W-9 in force.",
    )
    source = forms.ChoiceField(
        label="IRS notice",
        choices=[
            (value, label)
            for value, label in MismatchSource.choices
            if value != MismatchSource.TIN_MATCHING
        ],
    )
    received_on = forms.DateField(
        label="Date received",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    second = forms.BooleanField(
        label="The second notice for this payee within three calendar years",
        required=False,
    )

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["w9"].queryset = current_w9_rows(principal).order_by("legal_name")
        self.fields["w9"].label_from_instance = lambda w9: f"{w9.provider.name} ({w9.legal_name})"


class BNoticeSentForm(forms.Form):
    sent_on = forms.DateField(
        label="Sent on",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class BNoticeResolveForm(forms.Form):
    resolved_on = forms.DateField(
        label="Closed on",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    resolution = forms.CharField(
        label="What ended it", max_length=300, help_text="E.g. the SSA's validation letter."
    )


class StateReportForm(forms.Form):
    provider = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.CharField(max_length=2, widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)
    filed_on = forms.DateField(
        label="Reported on",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(label="Confirmation", max_length=100, required=False)
