from decimal import Decimal, InvalidOperation

from django import forms

from handoff.accounts.models import User
from handoff.decisions.models import BusinessFunction
from handoff.engagements import terms
from handoff.engagements.choices import (
    STATUS_MOVES,
    STATUS_VERBS,
    EngagementStatus,
    PricingModel,
    Severity,
    TargetUnit,
)
from handoff.engagements.models import (
    AccessGrant,
    AgreementClause,
    CommunicationPlan,
    Engagement,
    Holiday,
    ServiceLevel,
    WorkflowStep,
)
from handoff.engagements.services import ENGAGEMENT_FIELDS
from handoff.providers.models import Contact, Provider

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_tiers(text: str) -> list[tuple[Decimal, Decimal]]:
    """Lines of 'above units, unit price' → pairs; a bad line is named in the error."""
    tiers = []
    for number, line in enumerate(text.strip().splitlines(), 1):
        if not line.strip():
            continue
        parts = [part.strip().lstrip("$") for part in line.replace(";", ",").split(",")]
        try:
            above, price = (Decimal(part) for part in parts)
        except (ValueError, InvalidOperation):
            raise forms.ValidationError(
                f"Line {number} should read 'units, price', e.g. '1000, 4.50'."
            ) from None
        if above < 0 or price < 0:
            raise forms.ValidationError(f"Line {number}: units and price cannot be negative.")
        tiers.append((above, price))
    return tiers


class EngagementForm(forms.ModelForm):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none())
    functions = forms.ModelMultipleChoiceField(
        label="Business functions",
        queryset=BusinessFunction.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    tiers = forms.CharField(
        label="Volume tiers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "1000, 4.50\n5000, 3.75"}),
        help_text="One line per tier: the units a month above which the price applies, then "
        "the price. Units below the first tier cost the unit price.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Engagement
        fields = ["provider", "title", "functions", *ENGAGEMENT_FIELDS[1:]]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 4}),
            "start_date": DATE,
            "end_date": DATE,
            "pricing_model": forms.RadioSelect,
        }

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        org = principal.organization
        self.instance.organization = org  # so the model's own checks can compare organizations
        self.fields["provider"].queryset = Provider.objects.visible_to(principal).filter(
            archived_at__isnull=True
        )
        self.fields["functions"].queryset = BusinessFunction.objects.visible_to(principal)
        self.fields["amount"].label = f"Fee, rate or unit price ({org.currency})"
        if self.instance.pk:
            self.fields["provider"].disabled = True
            self.fields["functions"].initial = list(self.instance.functions.all())
            self.fields["version"].initial = self.instance.version
            self.fields["tiers"].initial = "\n".join(
                f"{tier.above.normalize():f}, {tier.unit_price}"
                for tier in self.instance.price_tiers.all()
            )

    def clean(self):
        """Read only the price terms of the chosen pricing model: the others are emptied (and a
        mistake in one of them is no error), so a flat fee never keeps volume tiers."""
        cleaned = super().clean()
        pricing_model = cleaned.get("pricing_model") or PricingModel.FLAT
        unused = terms.unused_terms(pricing_model)
        for name, value in unused.items():
            self._errors.pop(name, None)
            cleaned[name] = value
        if "tiers" not in unused:
            try:
                cleaned["tiers"] = parse_tiers(cleaned.get("tiers") or "")
            except forms.ValidationError as error:
                self.add_error("tiers", error)
        return cleaned

    def engagement_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ENGAGEMENT_FIELDS}


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(choices=EngagementStatus.choices)
    reason = forms.CharField(max_length=500, required=False)
    confirm_before_start = forms.BooleanField(
        required=False, label="Activate before the start date"
    )


def status_actions(engagement) -> list[tuple[str, str]]:
    """The moves offered as buttons for the engagement's current status."""
    order = [EngagementStatus.ACTIVE, EngagementStatus.PAUSED, EngagementStatus.ENDED]
    allowed = STATUS_MOVES[EngagementStatus(engagement.status)]
    return [(status.value, STATUS_VERBS[status]) for status in order if status in allowed]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.name} ({user.email})"


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, contact):
        return f"{contact.name}, {contact.title}" if contact.title else contact.name


class PlanForm(forms.ModelForm):
    our_point_person = MemberChoiceField(
        label="Our point person for new work", queryset=User.objects.none(), required=False
    )
    their_point_person = ContactChoiceField(
        label="Their point person for new work", queryset=Contact.objects.none(), required=False
    )
    issue_contact = ContactChoiceField(
        label="Their contact for issues", queryset=Contact.objects.none(), required=False
    )

    class Meta:
        model = CommunicationPlan
        fields = [
            "our_point_person",
            "their_point_person",
            "issue_contact",
            "preferred_channel",
            "meeting_cadence",
            "meeting_notes",
        ]

    def __init__(self, *args, principal, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        org = engagement.organization
        self.fields["our_point_person"].queryset = User.objects.filter(
            memberships__organization=org
        ).order_by("name")
        contacts = Contact.objects.visible_to(principal).filter(
            provider_id=engagement.provider_id, archived_at__isnull=True
        )
        self.fields["their_point_person"].queryset = contacts
        self.fields["issue_contact"].queryset = contacts


class EscalationLevelForm(forms.Form):
    our_person = MemberChoiceField(label="Our person", queryset=User.objects.none())
    their_contact = ContactChoiceField(label="Their contact", queryset=Contact.objects.none())
    amount = forms.IntegerField(label="Respond within", min_value=1, max_value=999)
    unit = forms.ChoiceField(choices=TargetUnit.choices)

    def __init__(self, *args, principal, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        org = engagement.organization
        self.fields["our_person"].queryset = User.objects.filter(
            memberships__organization=org
        ).order_by("name")
        self.fields["their_contact"].queryset = Contact.objects.visible_to(principal).filter(
            provider_id=engagement.provider_id, archived_at__isnull=True
        )


class ServiceLevelForm(forms.ModelForm):
    class Meta:
        model = ServiceLevel
        fields = ["task_kind", "rule", "business_days", "day_of_month"]
        labels = {"task_kind": "Kind of task"}
        widgets = {"rule": forms.RadioSelect}


class ResponseTargetsForm(forms.Form):
    """One row per severity: an amount and a unit; an empty amount clears the target."""

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        current = {target.severity: target for target in targets}
        for severity in Severity:
            target = current.get(severity)
            self.fields[f"{severity}_amount"] = forms.IntegerField(
                label=f"{severity.label} issues: respond within",
                min_value=1,
                max_value=999,
                required=False,
                initial=target.amount if target else None,
            )
            self.fields[f"{severity}_unit"] = forms.ChoiceField(
                label=f"{severity.label}: unit",
                choices=TargetUnit.choices,
                initial=target.unit if target else TargetUnit.HOURS,
            )

    def rows(self):
        for severity in Severity:
            yield severity, self[f"{severity}_amount"], self[f"{severity}_unit"]


class WorkflowStepForm(forms.ModelForm):
    class Meta:
        model = WorkflowStep
        fields = ["actor", "action", "recipient", "due"]


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": DATE}


class FederalHolidaysForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)


class AccessGrantForm(forms.ModelForm):
    class Meta:
        model = AccessGrant
        fields = ["system", "account", "level", "granted_on"]
        widgets = {"granted_on": DATE}


class ExitItemForm(forms.Form):
    text = forms.CharField(label="Another thing to close", max_length=200)


class SignedAgreementForm(forms.Form):
    file = forms.FileField(label="Signed copy", help_text="A PDF, PNG or JPEG of at most 10 MB.")
    signed_on = forms.DateField(label="Signed on", widget=DATE)
    signers = forms.CharField(
        max_length=300, help_text="Who signed, on both sides, e.g. 'Maria Chen; Priya Raman'."
    )


class SignatureRequestForm(forms.Form):
    provider_name = forms.CharField(label="Their signer's name", max_length=200)
    provider_email = forms.EmailField(label="Their signer's e-mail")
    our_signer = forms.ChoiceField(label="Who signs for us")
    order = forms.ChoiceField(
        label="Who signs first",
        choices=[("provider", "The provider, then us"), ("us", "We do, then the provider")],
        widget=forms.RadioSelect,
        initial="provider",
    )
    valid_days = forms.IntegerField(
        label="Links work for (days)", min_value=1, max_value=60, initial=14
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m.user for m in members if m.user.email}
        self.fields["our_signer"].choices = [
            (key, f"{user.name or user.email} ({user.email})") for key, user in self.members.items()
        ]


class ClauseForm(forms.ModelForm):
    class Meta:
        model = AgreementClause
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}
