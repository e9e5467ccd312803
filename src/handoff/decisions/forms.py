from decimal import Decimal, InvalidOperation

from django import forms

from handoff.core.templatetags.handoff import money
from handoff.decisions import costing
from handoff.decisions.choices import ChosenOption, FreedHours, PricingModel
from handoff.decisions.models import (
    SCORE_FIELDS,
    Analysis,
    BusinessFunction,
    InHouseOption,
    InHouseRole,
    PayrollTaxRates,
    Quote,
)
from handoff.decisions.selectors import FiguresInUse
from handoff.decisions.services import ANALYSIS_FIELDS, IN_HOUSE_FIELDS, QUOTE_FIELDS, ROLE_FIELDS
from handoff.providers.models import Provider

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BusinessFunctionForm(forms.ModelForm):
    class Meta:
        model = BusinessFunction
        fields = ["name", "description"]
        labels = {"name": "New business function"}


class AnalysisForm(forms.ModelForm):
    """The year, the volume of work and its unit; on a new analysis, whether to start from the
    previous one. ``version`` guards an edit against a newer save."""

    copy_previous = forms.BooleanField(
        label="Start from the previous analysis (its in-house option, roles and quotes)",
        required=False,
        initial=True,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Analysis
        fields = ANALYSIS_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, has_previous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if self.instance.pk or not has_previous:
            del self.fields["copy_previous"]
        years = sorted({row.year for row in PayrollTaxRates.objects.all()})
        if years:
            self.fields["year"].help_text = (
                f"Picks the year's payroll tax rates and wage bases. The table has "
                f"{years[0]}–{years[-1]}; for another year the nearest year's figures are used, "
                "and the analysis says which."
            )


def _percent_help(value: Decimal, source: str) -> str:
    return f"Default {value.normalize():f}%. {source}"


class InHouseForm(forms.ModelForm):
    class Meta:
        model = InHouseOption
        fields = IN_HOUSE_FIELDS
        widgets = {"mode": forms.RadioSelect}
        labels = {"manager_period": "Manager's hours per"}

    def __init__(self, *args, figures: FiguresInUse, **kwargs):
        super().__init__(*args, **kwargs)
        rates = figures.payroll
        self.fields["federal_unemployment_percent"].help_text = _percent_help(
            rates.federal_unemployment_percent,
            f"6.0% on the first ${rates.federal_unemployment_wage_base:,.0f} paid to each "
            "person, less the 5.4% credit (IRS Topic 759); employers in a credit-reduction state "
            "pay more.",
        )
        benefits = figures.benefits
        self.fields["payroll_taxes_in_load"].help_text = (
            f"Off (the default): each role's benefits load is benefits only — "
            f"{benefits.benefits_only_percent.normalize():f}% of wages by default — and Handoff "
            "adds Social Security, Medicare and unemployment taxes worked out from each person's "
            f"wages and the {figures.payroll_year} wage bases. On: the load is the BLS combined "
            f"figure, {benefits.combined_percent.normalize():f}% of wages at small firms, which "
            "already contains those taxes; they are then shown but not added. Either way they "
            "are counted once; switching moves every role still at the old default load to the "
            "new one."
        )

    def option_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in IN_HOUSE_FIELDS}

    def score_fields(self):
        return [self[field] for field in SCORE_FIELDS]


class RoleForm(forms.ModelForm):
    class Meta:
        model = InHouseRole
        fields = ROLE_FIELDS
        widgets = {"pay_basis": forms.RadioSelect, "freed": forms.RadioSelect}
        labels = {"freed_period": "Hours freed per"}

    def __init__(self, *args, figures: FiguresInUse, payroll_taxes_in_load: bool, **kwargs):
        super().__init__(*args, **kwargs)
        benefits = figures.benefits
        default = benefits.default_for(payroll_taxes_in_load=payroll_taxes_in_load)
        if not self.instance.pk:
            self.initial.setdefault("benefits_load_percent", default.normalize())
        if payroll_taxes_in_load:
            basis = (
                "This analysis's load includes payroll taxes (the BLS combined figure), so "
                "they are not added again."
            )
        else:
            basis = (
                "Benefits only: this analysis adds the employer's payroll taxes separately, so "
                "the load leaves them out."
            )
        self.fields["benefits_load_percent"].help_text = (
            f"Default {default.normalize():f}% of wages. {basis} Source: BLS Employer Costs for "
            f"Employee Compensation, {benefits.effective_from:%B %Y} — benefits are "
            f"{benefits.combined_percent.normalize():f}% of wages at employers with 1–49 "
            f"workers, {benefits.benefits_only_percent.normalize():f}% without the legally "
            "required ones. A sensible range is "
            f"{benefits.range_low_percent.normalize():f}%–"
            f"{benefits.range_high_percent.normalize():f}%."
        )
        self.fields["freed"].required = False
        self.fields["overhead_per_person"].help_text += (
            " Add workers' compensation insurance here: the benefits-only load leaves it out."
            if not payroll_taxes_in_load
            else ""
        )

    def clean_freed(self):
        # Nothing chosen is the default: the freed hours are worked out.
        return self.cleaned_data.get("freed") or FreedHours.DERIVED

    def role_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in ROLE_FIELDS}


def parse_tier_table(text: str) -> list[costing.TierRow]:
    """Lines of 'from, to, price' (the last line's 'to' left empty) → tier rows; a line that
    does not read is named in the error. Gaps and overlaps are the service's to refuse."""
    rows = []
    for number, line in enumerate(text.strip().splitlines(), 1):
        if not line.strip():
            continue
        parts = [part.strip().lstrip("$").replace(",", "") for part in line.split(";")]
        if len(parts) == 1:
            parts = [part.strip().lstrip("$") for part in line.split(",")]
        if len(parts) != 3:
            raise forms.ValidationError(
                f"Line {number} should read 'from, to, price', e.g. '1000, 5000, 3.75' "
                "(leave 'to' empty on the last line: '5000, , 3.25')."
            )
        try:
            start = Decimal(parts[0])
            end = Decimal(parts[1]) if parts[1] else None
            price = Decimal(parts[2])
        except InvalidOperation:
            raise forms.ValidationError(
                f"Line {number} should read 'from, to, price', e.g. '1000, 5000, 3.75'."
            ) from None
        if start < 0 or price < 0 or (end is not None and end < 0):
            raise forms.ValidationError(f"Line {number}: units and prices cannot be negative.")
        rows.append(costing.TierRow(start, end, price))
    return rows


def tier_table_text(tiers) -> str:
    return "\n".join(
        f"{tier.from_units.normalize():f}, "
        f"{'' if tier.to_units is None else format(tier.to_units.normalize(), 'f')}, "
        f"{tier.unit_price}"
        for tier in tiers
    )


class QuoteForm(forms.ModelForm):
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(),
        required=False,
        help_text="Optional: the provider in your directory who quoted.",
    )
    tiers = forms.CharField(
        label="Volume tiers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "1000, 5000, 3.75\n5000, , 3.25"}),
        help_text="Per-unit prices only. One line per tier: from units, to units, price per "
        "unit — e.g. '1000, 5000, 3.75'; leave 'to' empty on the last line. Units below the "
        "first tier cost the unit price above. Tiers must follow on without gaps or overlaps.",
    )

    class Meta:
        model = Quote
        fields = ["provider", *QUOTE_FIELDS]
        widgets = {"pricing_model": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"oversight_period": "Oversight hours per"}

    def __init__(self, *args, principal, analysis: Analysis, **kwargs):
        super().__init__(*args, **kwargs)
        org = analysis.organization
        self.instance.organization = org  # so the model's own checks compare organizations
        self.instance.analysis = analysis
        self.fields["provider"].queryset = Provider.objects.visible_to(principal).filter(
            archived_at__isnull=True
        )
        self.fields["amount"].label = f"Fee, rate or unit price ({org.currency})"
        self.fields["monthly_quantity"].help_text = (
            f"At {analysis.monthly_volume.normalize():,f} {analysis.volume_unit_plural} a month: "
            "the hours an hourly quote bills, or the units a per-unit quote prices. Both scale "
            "with the volume."
        )
        if self.instance.pk:
            self.fields["tiers"].initial = tier_table_text(self.instance.tiers.all())
        else:
            self.initial.setdefault("monthly_quantity", analysis.monthly_volume)

    def clean_tiers(self):
        return parse_tier_table(self.cleaned_data.get("tiers", ""))

    def quote_data(self) -> dict:
        provider = self.cleaned_data["provider"]
        data = {field: self.cleaned_data[field] for field in QUOTE_FIELDS}
        if data["pricing_model"] == PricingModel.FLAT:
            data["monthly_quantity"] = None  # prefilled with the volume, meaningless for a fee
        return {**data, "provider_id": provider.pk if provider else None}


class DecisionForm(forms.Form):
    option = forms.ChoiceField(label="Chosen option", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The money, and what else weighed: control, quality, confidentiality…",
    )
    plan_starts_on = forms.DateField(
        label="Plan starts on",
        widget=DATE,
        help_text="From when realised spend is compared against this plan.",
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        currency = report.currency
        choices = [
            (ChosenOption.IN_HOUSE.value, f"In-house — {money(report.in_house.total, currency)}")
        ]
        choices += [
            (
                str(line.quote.pk),
                f"{line.quote.display_name} — {money(line.result.annual_cost, currency)}",
            )
            for line in report.quotes
        ]
        self.fields["option"].choices = choices

    def chosen_quote_id(self) -> int | None:
        option = self.cleaned_data["option"]
        return None if option == ChosenOption.IN_HOUSE else int(option)
