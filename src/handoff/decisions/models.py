from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from handoff.core.tenancy import TenantModel
from handoff.decisions.choices import (
    FACTOR_HELP,
    MOST_HOURS_IN,
    SCORE_CHOICES,
    ChosenOption,
    Factor,
    FeePeriod,
    FreedHours,
    HoursPeriod,
    InHouseMode,
    PayBasis,
    PricingModel,
)
from handoff.decisions.costing import hours_a_year

DEFAULT_BUSINESS_FUNCTIONS = [
    "Bookkeeping",
    "Billing",
    "Customer service",
    "Order handling",
    "IT support",
    "Payroll",
    "Marketing",
]


class BusinessFunction(TenantModel):
    """A part of the business that can be done in-house or outsourced (bookkeeping, billing…).

    Engagements name the functions they cover; the make-or-buy analysis is made per function.
    """

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="function_unique_name")
        ]

    def __str__(self):
        return self.name


# --- Dated reference figures (not an organization's data: one table for every organization) ---
percent = {"max_digits": 6, "decimal_places": 3}
dollars = {"max_digits": 12, "decimal_places": 2}


class DatedFigures(models.Model):
    """A row of figures in force from ``effective_from`` to ``effective_to`` (open when empty),
    with the source it was read in. Next year's change is a new row, not a code change."""

    effective_from = models.DateField(unique=True)
    effective_to = models.DateField(null=True, blank=True)
    source = models.TextField()

    class Meta:
        abstract = True
        ordering = ["-effective_from"]

    @property
    def year(self) -> int:
        return self.effective_from.year


class PayrollTaxRates(DatedFigures):
    """Employer payroll tax rates and wage bases of one calendar year (taxes-and-reporting.md):
    Social Security and Medicare (IRS Topic 751), the wage base (SSA), FUTA net of the usual
    5.4% credit (IRS Topic 759). Percents are stored as percents (6.2 for 6.2%)."""

    social_security_percent = models.DecimalField(**percent)
    social_security_wage_base = models.DecimalField(**dollars)
    medicare_percent = models.DecimalField(**percent)
    federal_unemployment_percent = models.DecimalField(**percent)
    federal_unemployment_wage_base = models.DecimalField(**dollars)

    class Meta(DatedFigures.Meta):
        verbose_name_plural = "payroll tax rates"

    def __str__(self):
        return f"Payroll tax rates from {self.effective_from:%Y-%m-%d}"


class BenefitsLoadDefault(DatedFigures):
    """The default benefits load as a percent of wages, in two forms (cost-model.md):

    - ``combined_percent``: benefits *including* the legally required ones — Social Security,
      Medicare, unemployment insurance, workers' compensation — the BLS figure of 35% of wages
      for employers with 1–49 workers;
    - ``benefits_only_percent``: the same without the legally required benefits, 24.3%, for
      use when Handoff adds the employer's payroll taxes itself.

    A role uses one or the other according to its in-house option's ``payroll_taxes_in_load``,
    so payroll taxes are never counted twice.
    """

    combined_percent = models.DecimalField(**percent)
    benefits_only_percent = models.DecimalField(**percent)
    range_low_percent = models.DecimalField(**percent)
    range_high_percent = models.DecimalField(**percent)

    def __str__(self):
        return f"Benefits load default from {self.effective_from:%Y-%m-%d}"

    def default_for(self, *, payroll_taxes_in_load: bool) -> Decimal:
        return self.combined_percent if payroll_taxes_in_load else self.benefits_only_percent


# --- The make-or-buy analysis (an organization's data) ------------------------------------------
NOT_NEGATIVE = MinValueValidator(Decimal(0), "This cannot be negative.")
MORE_THAN_ZERO = MinValueValidator(Decimal("0.01"), "Enter more than zero.")
# 366 days × 24 hours: no one is paid for more hours than a leap year has.
MAX_PAID_HOURS = 8784
PAID_HOURS_MAX = MaxValueValidator(
    Decimal(MAX_PAID_HOURS),
    "A year has at most 8,784 hours (366 days × 24); enter the hours paid to one person.",
)
HOURS_IN_WORDS = {
    HoursPeriod.WEEK: "A week has at most 168 hours (7 × 24).",
    HoursPeriod.MONTH: "A month has at most 744 hours (31 × 24).",
    HoursPeriod.YEAR: "A year has at most 8,784 hours (366 × 24).",
}
BENEFITS_LOAD_MAX = MaxValueValidator(
    Decimal(200),
    "A benefits load above 200%% of wages is not plausible; enter a percent of wages, e.g. 24.3.",
)
PERCENT_MAX = MaxValueValidator(Decimal(100), "Enter a percent of 100 or less.")
money = {"max_digits": 12, "decimal_places": 2, "validators": [NOT_NEGATIVE]}
hours = {"max_digits": 7, "decimal_places": 2, "default": Decimal(0), "validators": [NOT_NEGATIVE]}


def period_field(verbose_name: str, default=HoursPeriod.WEEK) -> models.CharField:
    return models.CharField(
        verbose_name, max_length=5, choices=HoursPeriod.choices, default=default
    )


def hours_problem(amount: Decimal | None, period: str) -> str | None:
    """Why ``amount`` hours per ``period`` cannot be one person's time, if it cannot."""
    if amount is None or period not in HoursPeriod.values:
        return None
    if amount > MOST_HOURS_IN[HoursPeriod(period)]:
        return HOURS_IN_WORDS[HoursPeriod(period)]
    return None


def hours_text(amount: Decimal, period: str) -> str:
    """Hours as entered, the way the pages show them: '2 h/week'."""
    return f"{amount.normalize():,f} h/{period}"


def current_year() -> int:
    return timezone.localdate().year


class Analysis(TenantModel):
    """One make-or-buy analysis of a business function: the in-house option against the
    outsourced quotes, at a monthly volume of work and with one year's payroll tax figures.

    A function has one current analysis at a time; starting a new one archives it, so the
    older ones stay as history. Once decided, an analysis is the plan and no longer changes:
    to revisit the question, start a new analysis.
    """

    function = models.ForeignKey(
        BusinessFunction, on_delete=models.PROTECT, related_name="analyses"
    )
    year = models.PositiveSmallIntegerField(
        default=current_year,
        validators=[
            MinValueValidator(2000, "Choose a year from 2000."),
            MaxValueValidator(2100, "Choose a year up to 2100."),
        ],
        help_text="Picks the year's payroll tax rates and wage bases.",
    )
    volume_unit = models.CharField(
        "unit of work",
        max_length=40,
        help_text="What the work is counted in, e.g. 'invoice', 'claim', 'call'.",
    )
    monthly_volume = models.DecimalField(
        "volume a month",
        max_digits=12,
        decimal_places=2,
        validators=[MORE_THAN_ZERO],
        help_text="Units of work in a typical month. The in-house cost is taken as fixed for "
        "it; hourly and per-unit quotes scale with it.",
    )
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "analyses"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "function", "-created_at"], name="analysis_org_function"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "function"],
                condition=Q(archived_at__isnull=True),
                name="analysis_one_current_per_function",
            )
        ]

    def __str__(self):
        return f"{self.function.name}, {self.year}" if self.function_id else str(self.year)

    def get_absolute_url(self):
        return reverse("decisions:analysis", args=[self.organization.slug, self.pk])

    def _only(self, related_name: str):
        """The one row behind a reverse foreign key, read through ``.all()`` so that a prefetch
        serves it; each is unique per analysis by a constraint that includes the organization."""
        rows = list(getattr(self, related_name).all())
        return rows[0] if rows else None

    @cached_property
    def in_house(self) -> "InHouseOption":
        return self._only("in_house_options")

    @cached_property
    def decision(self) -> "Decision | None":
        return self._only("decisions")

    @property
    def is_current(self) -> bool:
        return self.archived_at is None

    @property
    def is_editable(self) -> bool:
        return self.is_current and self.decision is None

    @property
    def volume_unit_plural(self) -> str:
        unit = self.volume_unit
        if not unit or unit.endswith("s"):
            return unit
        return (
            unit[:-1] + "ies" if unit.endswith("y") and unit[-2:-1] not in "aeiou" else unit + "s"
        )


def _score(factor: Factor) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        factor.label, null=True, blank=True, choices=SCORE_CHOICES, help_text=FACTOR_HELP[factor]
    )


class Scored(models.Model):
    """Qualitative scores of an option, 1–5 per factor where 5 is best for the business. They
    stand beside the money and are never converted into it."""

    control = _score(Factor.CONTROL)
    quality_risk = _score(Factor.QUALITY_RISK)
    confidentiality = _score(Factor.CONFIDENTIALITY)
    availability = _score(Factor.AVAILABILITY)
    dependence = _score(Factor.DEPENDENCE)

    class Meta:
        abstract = True


SCORE_FIELDS = [factor.value for factor in Factor]


class InHouseOption(Scored, TenantModel):
    """Doing the function with our own people: either the actual annual cost as known, or a
    build-up from roles plus the supervising manager's time.

    ``payroll_taxes_in_load`` says which benefits load the roles carry. Off (the default), the
    load is benefits only — health, retirement, paid leave — and Handoff adds the employer's
    payroll taxes worked out from each person's wages against the year's wage bases. On, the load
    is the BLS combined figure, which already includes Social Security, Medicare, unemployment
    insurance and workers' compensation, so the taxes are shown but not added. Either way they
    are counted once.
    """

    analysis = models.ForeignKey(
        Analysis, on_delete=models.CASCADE, related_name="in_house_options"
    )
    mode = models.CharField(
        "how to count the in-house cost",
        max_length=10,
        choices=InHouseMode.choices,
        default=InHouseMode.BUILD_UP,
    )
    actual_annual_cost = models.DecimalField(
        "current actual annual cost",
        **money,
        null=True,
        blank=True,
        help_text="Everything it costs you now in a year: pay, benefits, taxes, space, tools.",
    )
    actual_hours_per_year = models.DecimalField(
        "staff hours a year on it",
        **money,
        null=True,
        blank=True,
        help_text="For the hours that outsourcing would free.",
    )
    payroll_taxes_in_load = models.BooleanField(
        "the benefits load already includes payroll taxes",
        default=False,
        help_text="Leave off to enter benefits only and have Handoff add Social Security, "
        "Medicare and unemployment taxes from the year's rates and wage bases. Tick it to use "
        "the BLS combined load (35% of wages at small firms), which already contains them; "
        "the taxes are then shown but not added, so nothing is counted twice.",
    )
    federal_unemployment_percent = models.DecimalField(
        "federal unemployment (FUTA) rate, %",
        **percent,
        validators=[NOT_NEGATIVE, PERCENT_MAX],
        help_text="6.0% less the 5.4% credit is 0.6% (IRS Topic 759); employers in a "
        "credit-reduction state pay more.",
    )
    state_unemployment_percent = models.DecimalField(
        "state unemployment rate, %",
        **percent,
        default=Decimal(0),
        validators=[NOT_NEGATIVE, PERCENT_MAX],
        help_text="Your own rate, from your state's notice; it varies by state and employer.",
    )
    state_unemployment_wage_base = models.DecimalField(
        "state unemployment wage base",
        **money,
        null=True,
        blank=True,
        help_text="The wages per person the state rate applies to (Ohio: $9,000). Leave empty "
        "if your state taxes all wages.",
    )
    manager_hours = models.DecimalField(
        "manager's supervising hours",
        **hours,
        help_text="The manager's time supervising the people who do this work. Outsourcing "
        "frees it, valued at the manager's hourly cost.",
    )
    manager_period = period_field("per")
    manager_hourly_rate = models.DecimalField(
        "manager's hourly cost",
        **money,
        default=Decimal(0),
        help_text="Their loaded cost of an hour.",
    )
    value_per_freed_hour = models.DecimalField(
        "one value for every freed staff hour",
        **money,
        null=True,
        blank=True,
        help_text="Leave empty to value each role's freed hours at that role's own loaded cost "
        "of an hour (and, with the current actual cost, at that cost over its hours). Give a "
        "figure to value every freed staff hour at it instead — what an hour earns at more "
        "profitable work. The manager's hours are always at the manager's cost. Shown beside "
        "the savings, never added to them.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "analysis"], name="in_house_option_one_per_analysis"
            )
        ]

    def __str__(self):
        return f"In-house: {self.analysis}"

    def clean(self):
        errors = {}
        if self.mode == InHouseMode.ACTUAL and self.actual_annual_cost is None:
            errors["actual_annual_cost"] = (
                "Give the current annual cost, or build it up from roles."
            )
        problem = hours_problem(self.manager_hours, self.manager_period)
        if problem:
            errors["manager_hours"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def manager_hours_text(self) -> str:
        return hours_text(self.manager_hours, self.manager_period)


class InHouseRole(TenantModel):
    """People of one role doing the function in-house, with what each of them costs."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="roles")
    title = models.CharField(max_length=100, help_text="e.g. 'Bookkeeper'.")
    headcount = models.PositiveSmallIntegerField(
        "people",
        default=1,
        validators=[
            MinValueValidator(1, "At least one person."),
            MaxValueValidator(999, "At most 999 people in one role."),
        ],
    )
    pay_basis = models.CharField(max_length=10, choices=PayBasis.choices, default=PayBasis.SALARY)
    annual_salary = models.DecimalField(**money, null=True, blank=True)
    hourly_wage = models.DecimalField(**money, null=True, blank=True)
    paid_hours_per_year = models.DecimalField(
        "paid hours a year, per person",
        max_digits=7,
        decimal_places=2,
        default=Decimal(2080),
        validators=[NOT_NEGATIVE, PAID_HOURS_MAX],
        help_text="2,080 is full time (40 hours × 52 weeks). For a salary, the hours it pays for.",
    )
    benefits_load_percent = models.DecimalField(
        "benefits load, % of wages",
        **percent,
        validators=[NOT_NEGATIVE, BENEFITS_LOAD_MAX],
    )
    overhead_per_person = models.DecimalField(
        "overhead a year, per person",
        **money,
        default=Decimal(0),
        help_text="Space, equipment and software. A rule of thumb, not data: 10–25% of salary.",
    )
    recruiting_cost = models.DecimalField("recruiting cost per hire", **money, default=Decimal(0))
    training_cost = models.DecimalField("training cost per hire", **money, default=Decimal(0))
    expected_tenure_years = models.DecimalField(
        "expected tenure, years",
        max_digits=4,
        decimal_places=1,
        default=Decimal(3),
        validators=[
            MinValueValidator(Decimal("0.1"), "Enter a tenure of at least 0.1 years."),
            MaxValueValidator(Decimal(50), "Enter a tenure of at most 50 years."),
        ],
        help_text="Recruiting and training are spread over it: a new hire every so many years.",
    )
    freed = models.CharField(
        "hours outsourcing frees",
        max_length=10,
        choices=FreedHours.choices,
        default=FreedHours.DERIVED,
        help_text="Whether outsourcing frees the whole role or only some of its hours. Each "
        "freed hour is valued at this role's loaded cost of an hour, unless the in-house option "
        "gives one value for every freed staff hour.",
    )
    freed_hours = models.DecimalField(
        "hours freed",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[NOT_NEGATIVE],
        help_text="With 'some hours of it': the hours freed, for all the role's people together.",
    )
    freed_period = period_field("per")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organization", "analysis"], name="role_org_analysis")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.pay_basis == PayBasis.SALARY and self.annual_salary is None:
            raise ValidationError({"annual_salary": "Give the annual salary."})
        if self.pay_basis == PayBasis.HOURLY and self.hourly_wage is None:
            raise ValidationError({"hourly_wage": "Give the hourly wage."})
        if self.freed == FreedHours.HOURS:
            self._check_freed_hours()

    def _check_freed_hours(self) -> None:
        if self.freed_hours is None:
            raise ValidationError(
                {"freed_hours": "Give the hours freed, e.g. 10 a week, or choose the whole role."}
            )
        if self.freed_period not in HoursPeriod.values or self.paid_hours_per_year is None:
            return
        paid = self.paid_hours_per_year * (self.headcount or 1)
        if hours_a_year(self.freed_hours, self.freed_period) > paid:
            raise ValidationError(
                {
                    "freed_hours": f"{hours_text(self.freed_hours, self.freed_period)} is "
                    f"{hours_a_year(self.freed_hours, self.freed_period).normalize():,f} hours a "
                    f"year, more than the {paid.normalize():,f} hours the role is paid for."
                }
            )

    @property
    def freed_hours_text(self) -> str:
        return hours_text(self.freed_hours or Decimal(0), self.freed_period)


class Quote(Scored, TenantModel):
    """An outsourced option: a provider's price for doing the function, and what it asks of us."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="quotes")
    provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
        help_text="Optional: the provider in your directory who quoted.",
    )
    name = models.CharField(
        "who quoted",
        max_length=150,
        blank=True,
        help_text="Leave empty to use the provider's name.",
    )
    pricing_model = models.CharField(
        max_length=10, choices=PricingModel.choices, default=PricingModel.FLAT
    )
    amount = models.DecimalField(
        "fee, rate or unit price",
        **money,
        help_text="The flat fee, the hourly rate, or the price of one unit.",
    )
    fee_period = models.CharField(
        max_length=10,
        choices=FeePeriod.choices,
        default=FeePeriod.MONTH,
        help_text="For a flat fee: how often it is charged.",
    )
    unit_name = models.CharField(
        max_length=40, blank=True, help_text="For a per-unit price, e.g. 'claim' or 'call'."
    )
    monthly_quantity = models.DecimalField(
        "hours or units a month",
        **money,
        null=True,
        blank=True,
        help_text="At the analysis's volume: the hours an hourly quote bills, or the units a "
        "per-unit quote prices. Both scale with the volume.",
    )
    transition_cost = models.DecimalField(
        "one-time transition cost",
        **money,
        default=Decimal(0),
        help_text="Set-up, onboarding, data migration: paid once.",
    )
    oversight_hours = models.DecimalField(
        "our oversight hours",
        **hours,
        help_text="Our own time managing the provider: handing over work, checking, meetings.",
    )
    oversight_period = period_field("per")
    oversight_hourly_rate = models.DecimalField(
        "cost of an oversight hour", **money, default=Decimal(0)
    )
    turnaround = models.CharField(
        "turnaround promised",
        max_length=150,
        blank=True,
        help_text="e.g. 'monthly close by the 10th', 'claims within 1 business day'.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["organization", "analysis"], name="quote_org_analysis"),
            models.Index(fields=["organization", "provider"], name="quote_org_provider"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def oversight_hours_text(self) -> str:
        return hours_text(self.oversight_hours, self.oversight_period)

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        return self.provider.name if self.provider_id else "Quote"

    def clean(self):
        errors = {}
        if self.provider_id:
            try:
                self.ensure_same_org("provider")
            except ValidationError as error:
                errors.update(error.message_dict)
        elif not self.name.strip():
            errors["name"] = ["Name who quoted, or choose the provider."]
        problem = hours_problem(self.oversight_hours, self.oversight_period)
        if problem:
            errors["oversight_hours"] = [problem]
        if self.pricing_model == PricingModel.HOURLY and not self.monthly_quantity:
            errors["monthly_quantity"] = ["An hourly quote needs the hours a month it bills."]
        if self.pricing_model == PricingModel.PER_UNIT:
            if not self.unit_name.strip():
                errors["unit_name"] = ["Name the unit you pay for, e.g. 'claim'."]
            if not self.monthly_quantity:
                errors["monthly_quantity"] = [
                    "A per-unit quote needs a volume above zero: the units a month it prices."
                ]
        if errors:
            raise ValidationError(errors)


class QuoteTier(TenantModel):
    """A volume band of a per-unit quote: units a month from ``from_units`` up to ``to_units``
    (open-ended when empty) cost ``unit_price`` each; units below the first band cost the
    quote's own unit price."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="tiers")
    from_units = models.DecimalField("from (units a month)", **money)
    to_units = models.DecimalField("to (units a month)", **money, null=True, blank=True)
    unit_price = models.DecimalField(**money)

    class Meta:
        ordering = ["from_units"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "quote", "from_units"], name="quote_tier_unique_start"
            )
        ]

    def __str__(self):
        end = f"{self.to_units:f}" if self.to_units is not None else "…"
        return f"{self.from_units:f}–{end}: {self.unit_price}"


class Decision(TenantModel):
    """The choice made on an analysis — who, when, why — and the plan it sets.

    The plan is what the later stages compare realised spend against, so its figures are kept
    as they were at the decision (``planned_annual_cost``, ``in_house_annual_cost`` as the
    baseline, ``transition_cost``) rather than recomputed when rates change.

    Link to what comes after. Engagements and payments come later in the dependency order, so
    this model points at nothing of theirs; it carries the keys they join on instead:
    ``function`` (copied from the analysis) and ``provider`` (the chosen quote's, when it named
    one). An engagement covers functions and has a provider, so the plan for an engagement's
    function is the latest decision for that function, and for that provider when the decision
    names one — see ``selectors.plans_for``. Payments, recorded per engagement, are summed per
    function and set against that plan from ``plan_starts_on``. A later decision for the same
    function (on a new analysis) supersedes it from its own ``plan_starts_on``.
    """

    analysis = models.ForeignKey(Analysis, on_delete=models.PROTECT, related_name="decisions")
    function = models.ForeignKey(
        BusinessFunction, on_delete=models.PROTECT, related_name="decisions"
    )
    chosen_option = models.CharField(max_length=10, choices=ChosenOption.choices)
    chosen_quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    provider = models.ForeignKey(
        "providers.Provider",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    option_name = models.CharField(max_length=150)
    planned_annual_cost = models.DecimalField(**money)
    in_house_annual_cost = models.DecimalField(**money)
    transition_cost = models.DecimalField(**money, default=Decimal(0))
    plan_starts_on = models.DateField(
        help_text="From when realised spend is compared against this plan."
    )
    reason = models.TextField(help_text="Why this option: the money, and what else weighed.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "function", "-decided_at"], name="decision_org_function"
            ),
            models.Index(fields=["organization", "provider"], name="decision_org_provider"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "analysis"], name="decision_one_per_analysis"
            )
        ]

    def __str__(self):
        return f"{self.function}: {self.option_name}" if self.function_id else self.option_name

    @property
    def planned_savings(self) -> Decimal:
        return self.in_house_annual_cost - self.planned_annual_cost


class ShortlistCandidate(TenantModel):
    """A provider considered for a business function, compared side by side with the others.

    Choosing one records who chose and when; the comparison itself (quotes, reputation,
    vetting) is read by ``insights``, and the draft engagement it starts by ``engagements``."""

    function = models.ForeignKey(
        BusinessFunction, on_delete=models.CASCADE, related_name="shortlist"
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="shortlistings"
    )
    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    added_at = models.DateTimeField(auto_now_add=True)
    chosen_at = models.DateTimeField(null=True, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "function", "provider"], name="shortlist_unique"
            )
        ]

    def __str__(self):
        return f"{self.provider} for {self.function}"

    def clean(self):
        super().clean()
        for name in ("function", "provider"):
            if getattr(self, f"{name}_id"):
                self.ensure_same_org(name)
