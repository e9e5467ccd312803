"""The arithmetic of the make-or-buy analysis: what doing a business function in-house costs a
year, what each outsourced quote costs, and how the answer moves with the volume of work.

Plain values in, ``Decimal`` out. Nothing here reads the database — the year's payroll tax rates
arrive as arguments — and nothing rounds: figures are rounded once, where they are shown (the
``money`` template filter, the API's serializers). Rates are fractions (0.062 for 6.2%).

Assumptions, stated once:

- The in-house cost is fixed over the volumes compared: the staff are paid whether the month is
  busy or quiet. Hourly and per-unit quotes scale with volume (an hourly quote's hours in
  proportion to it); a flat fee does not. So the sensitivity table shows in-house as a flat line
  and reads as "how far can volume move before the answer changes".
- Savings are in-house annual cost minus the quote's annual cost: positive when outsourcing
  costs less. The one-time transition cost is not in the annual cost; it is paid back from the
  savings (``payback_months``) and shown in the first year's cost.
- Hours are entered per week, per month or per year and kept as entered; they become hours a
  year here only, with 52 weeks and 12 months a year (``hours_a_year``). So 2 hours a week is
  104 hours a year, never 8.67 hours a month rounded and times 12.
- Hours freed are, for each in-house role, the hours the user states (the whole role, or so many
  hours a week, month or year) or, when nothing is stated, all its paid hours; plus all the
  manager's supervising hours; less our own oversight of the provider. Each hour is valued at
  the rate of the person whose hour it is: a role's hour at that role's loaded cost of an hour
  (its annual cost over its paid hours) unless one value for a staff hour is given, the
  manager's at the manager's hourly cost, an oversight hour at the quote's cost of an oversight
  hour. That value is shown beside the savings and never added to them: the in-house cost
  already counts those hours, so the value is the upside when the people stay and do more
  profitable work, not a second saving.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from handoff.decisions.choices import (
    PERIODS_PER_YEAR,
    FeePeriod,
    FreedHours,
    HoursPeriod,
    InHouseMode,
    PayBasis,
    PricingModel,
)

ZERO = Decimal(0)
ONE = Decimal(1)
MONTHS_A_YEAR = Decimal(12)
WEEKS_A_YEAR = Decimal(52)
# How many of each period a year has. A year is taken as 52 weeks (364 days): the convention of
# 2,080 paid hours (40 × 52) that the roles use, so a week's hours and a role's hours agree.
PER_YEAR = {HoursPeriod.WEEK: WEEKS_A_YEAR, HoursPeriod.MONTH: MONTHS_A_YEAR, HoursPeriod.YEAR: ONE}


# --- Hours as people enter them ----------------------------------------------------------------
@dataclass(frozen=True)
class Hours:
    """Hours as entered: ``amount`` hours per ``per`` (a week, a month or a year)."""

    amount: Decimal = ZERO
    per: str = HoursPeriod.YEAR

    @property
    def a_year(self) -> Decimal:
        return hours_a_year(self.amount, self.per)


def hours_a_year(amount: Decimal, per: str) -> Decimal:
    """Hours a year from hours per week (× 52), per month (× 12) or per year (× 1): exact."""
    return amount * PER_YEAR[HoursPeriod(per)]


# −50% to +50% of the analysis's volume, the range the issue asks to show.
SENSITIVITY_STEPS = (Decimal("-0.50"), Decimal("-0.25"), ZERO, Decimal("0.25"), Decimal("0.50"))


# --- Graduated volume tiers --------------------------------------------------------------------
@dataclass(frozen=True)
class Tier:
    """Units above ``above`` (up to the next tier) cost ``unit_price`` each."""

    above: Decimal
    unit_price: Decimal


def _bands(base_price: Decimal, tiers: Sequence[Tier]) -> list[tuple[Tier, Decimal | None]]:
    """Each price band with the volume where the next starts (None: open-ended)."""
    bands = [Tier(ZERO, base_price), *sorted(tiers, key=lambda tier: tier.above)]
    return [
        (band, nxt.above if nxt else None)
        for band, nxt in zip(bands, [*bands[1:], None], strict=True)
    ]


def tiered_cost(quantity: Decimal, base_price: Decimal, tiers: Sequence[Tier]) -> Decimal:
    """Graduated pricing: the first units at ``base_price``, each band above a tier's threshold
    at that tier's price (like tax brackets), so no extra unit ever lowers the total."""
    total = ZERO
    for band, end in _bands(base_price, tiers):
        upper = quantity if end is None else min(quantity, end)
        if upper > band.above:
            total += (upper - band.above) * band.unit_price
    return total


def quantity_for_cost(
    target: Decimal, base_price: Decimal, tiers: Sequence[Tier]
) -> Decimal | None:
    """The inverse of ``tiered_cost``: the smallest quantity that costs ``target``; None when no
    quantity reaches it (the remaining bands are free). Used for break-even volumes."""
    if target <= 0:
        return ZERO
    spent = ZERO
    for band, end in _bands(base_price, tiers):
        if end is not None and end <= band.above:
            continue
        remaining = target - spent
        if remaining <= 0:
            return band.above
        if band.unit_price > 0:
            reach = band.above + remaining / band.unit_price
            if end is None or reach <= end:
                return reach
        if end is not None:
            spent += (end - band.above) * band.unit_price
    return None


@dataclass(frozen=True)
class TierRow:
    """One line of a quote's tier table as the user enters it: units a month from ``from_units``
    up to ``to_units`` (None on the last, open-ended line) cost ``unit_price`` each."""

    from_units: Decimal
    to_units: Decimal | None
    unit_price: Decimal


def _units(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def tier_table_problems(rows: Sequence[TierRow]) -> list[str]:
    """What keeps a tier table from pricing every volume exactly once — gaps, overlaps, a band
    that ends before it starts, a closed last band — in words the user can act on."""
    ordered = sorted(rows, key=lambda row: row.from_units)
    problems = []
    for row in ordered:
        if row.to_units is not None and row.to_units <= row.from_units:
            problems.append(
                f"The tier from {_units(row.from_units)} units ends at {_units(row.to_units)}: "
                "a tier must end above where it starts."
            )
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.to_units is None:
            problems.append(
                f"Only the last tier can be open-ended: the tier from {_units(before.from_units)} "
                f"has no end, but another starts at {_units(after.from_units)}."
            )
        elif after.from_units > before.to_units:
            problems.append(
                f"Gap: one tier ends at {_units(before.to_units)} units and the next starts at "
                f"{_units(after.from_units)}, so the units between have no price."
            )
        elif after.from_units < before.to_units:
            problems.append(
                f"Overlap: the tier from {_units(after.from_units)} units starts before the tier "
                f"from {_units(before.from_units)} ends at {_units(before.to_units)}."
            )
    if ordered and ordered[-1].to_units is not None:
        problems.append(
            f"Leave the end of the last tier empty: units above {_units(ordered[-1].to_units)} "
            "a month would have no price."
        )
    return problems


def tiers_from_table(rows: Sequence[TierRow]) -> tuple[Tier, ...]:
    """A checked tier table as graduated tiers (units below the first row keep the base price)."""
    return tuple(Tier(row.from_units, row.unit_price) for row in rows)


# --- Employer payroll taxes --------------------------------------------------------------------
@dataclass(frozen=True)
class PayrollTaxRates:
    """One year's employer payroll tax rates, from the dated table (IRS Topics 751 and 759,
    SSA wage bases); the state unemployment rate is the user's own."""

    social_security_rate: Decimal
    social_security_wage_base: Decimal
    medicare_rate: Decimal
    federal_unemployment_rate: Decimal
    federal_unemployment_wage_base: Decimal
    state_unemployment_rate: Decimal = ZERO
    state_unemployment_wage_base: Decimal | None = None  # None: the state taxes every dollar


@dataclass(frozen=True)
class PayrollTaxes:
    social_security: Decimal = ZERO
    medicare: Decimal = ZERO
    federal_unemployment: Decimal = ZERO
    state_unemployment: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return (
            self.social_security
            + self.medicare
            + self.federal_unemployment
            + self.state_unemployment
        )

    def __add__(self, other: "PayrollTaxes") -> "PayrollTaxes":
        return PayrollTaxes(
            self.social_security + other.social_security,
            self.medicare + other.medicare,
            self.federal_unemployment + other.federal_unemployment,
            self.state_unemployment + other.state_unemployment,
        )

    def times(self, count: Decimal) -> "PayrollTaxes":
        return PayrollTaxes(
            self.social_security * count,
            self.medicare * count,
            self.federal_unemployment * count,
            self.state_unemployment * count,
        )


def _capped(wages: Decimal, wage_base: Decimal | None) -> Decimal:
    return wages if wage_base is None else min(wages, wage_base)


def employer_payroll_taxes(annual_wages: Decimal, rates: PayrollTaxRates) -> PayrollTaxes:
    """The employer's taxes on one person's wages for a year: Social Security up to the wage
    base, Medicare on all wages (the 0.9% additional Medicare tax is the employee's alone),
    federal and state unemployment up to their wage bases."""
    return PayrollTaxes(
        social_security=rates.social_security_rate
        * _capped(annual_wages, rates.social_security_wage_base),
        medicare=rates.medicare_rate * annual_wages,
        federal_unemployment=rates.federal_unemployment_rate
        * _capped(annual_wages, rates.federal_unemployment_wage_base),
        state_unemployment=rates.state_unemployment_rate
        * _capped(annual_wages, rates.state_unemployment_wage_base),
    )


# --- The in-house option -----------------------------------------------------------------------
@dataclass(frozen=True)
class Role:
    """People doing the function in-house: pay, hours, and what each person costs besides."""

    pay_basis: str = PayBasis.SALARY
    annual_salary: Decimal = ZERO
    hourly_wage: Decimal = ZERO
    paid_hours: Decimal = Decimal(2080)  # a year, per person
    headcount: int = 1
    benefits_load: Decimal = ZERO  # fraction of wages
    overhead_per_person: Decimal = ZERO  # a year: space, equipment, software
    recruiting_cost: Decimal = ZERO  # per hire
    training_cost: Decimal = ZERO  # per hire
    expected_tenure_years: Decimal = Decimal(3)
    freed: str = FreedHours.DERIVED  # which of its hours outsourcing frees
    freed_hours: Hours | None = None  # with FreedHours.HOURS: for all its people together

    @property
    def wages_per_person(self) -> Decimal:
        if self.pay_basis == PayBasis.HOURLY:
            return self.hourly_wage * self.paid_hours
        return self.annual_salary


@dataclass(frozen=True)
class RoleCost:
    people: Decimal
    hours: Decimal
    wages: Decimal
    benefits: Decimal
    payroll_taxes: PayrollTaxes
    payroll_taxes_counted: bool  # False when the benefits load already includes them
    overhead: Decimal
    recruiting_and_training: Decimal

    @property
    def total(self) -> Decimal:
        taxes = self.payroll_taxes.total if self.payroll_taxes_counted else ZERO
        return self.wages + self.benefits + taxes + self.overhead + self.recruiting_and_training

    @property
    def hourly_cost(self) -> Decimal:
        """The loaded cost of one of its paid hours: everything it costs over the hours paid."""
        return self.total / self.hours if self.hours else ZERO


def role_cost(role: Role, rates: PayrollTaxRates, *, payroll_taxes_in_load: bool) -> RoleCost:
    """A role's cost for a year, for all its people.

    The benefits load is a percent of wages. With ``payroll_taxes_in_load`` the load is the BLS
    combined figure, which already contains Social Security, Medicare and unemployment insurance
    (cost-model.md), so the taxes are worked out for display but not added again; otherwise the
    load is benefits only and the taxes are added. Recruiting and training are spread over the
    expected tenure: a hire every so many years.
    """
    people = Decimal(role.headcount)
    wages = role.wages_per_person
    return RoleCost(
        people=people,
        hours=role.paid_hours * people,
        wages=wages * people,
        benefits=wages * role.benefits_load * people,
        payroll_taxes=employer_payroll_taxes(wages, rates).times(people),
        payroll_taxes_counted=not payroll_taxes_in_load,
        overhead=role.overhead_per_person * people,
        recruiting_and_training=(role.recruiting_cost + role.training_cost)
        / role.expected_tenure_years
        * people,
    )


@dataclass(frozen=True)
class InHouse:
    mode: str = InHouseMode.BUILD_UP
    roles: tuple[Role, ...] = ()
    actual_annual_cost: Decimal | None = None
    actual_hours: Decimal = ZERO  # staff hours a year on the function, in "actual" mode
    payroll_taxes_in_load: bool = False
    manager_hours: Hours = Hours()  # supervising the people who do the work
    manager_hourly_rate: Decimal = ZERO
    # One value for every freed staff hour; None: each role's own loaded cost of an hour.
    value_per_freed_hour: Decimal | None = None


class Whose:
    """Whose hours a line of freed hours counts."""

    ROLE = "role"  # an in-house role's (``FreedLine.role`` is its position)
    STAFF = "staff"  # the staff hours of the current actual cost (no roles)
    MANAGER = "manager"  # the manager's supervising time
    OVERSIGHT = "oversight"  # our own time overseeing the provider: hours taken, not freed


class Basis:
    """How a line's hours were counted, and at which rate."""

    DERIVED = "derived"  # nothing stated: all of them
    STATED_WHOLE = "whole"  # the user said: the whole role
    STATED_HOURS = "hours"  # the user said: so many hours per period
    ROLE_RATE = "role_rate"  # the role's loaded cost of an hour
    SET_RATE = "set_rate"  # the one value the user gave a freed staff hour
    MANAGER_RATE = "manager_rate"
    OVERSIGHT_RATE = "oversight_rate"
    ACTUAL_RATE = "actual_rate"  # the current actual cost over its staff hours


@dataclass(frozen=True)
class FreedLine:
    """Hours a year one person (or role) gets back — negative for our oversight, which takes
    hours — at the rate of that person's hour."""

    whose: str
    hours: Decimal  # a year
    rate: Decimal
    counted: str  # a Basis: derived, whole, hours
    rate_basis: str  # a Basis: role_rate, set_rate, manager_rate, oversight_rate, actual_rate
    role: int | None = None  # the role's position in ``InHouse.roles``
    entered: Hours | None = None  # the hours as entered, when they were

    @property
    def value(self) -> Decimal:
        return self.hours * self.rate


@dataclass(frozen=True)
class InHouseCost:
    roles: tuple[RoleCost, ...]
    manager: Decimal
    total: Decimal
    staff_hours: Decimal  # a year
    manager_hours: Decimal  # a year
    complete: bool  # False until there is a cost to compare against
    freed: tuple[FreedLine, ...] = ()  # what outsourcing would free, before oversight

    @property
    def hours(self) -> Decimal:
        return self.staff_hours + self.manager_hours


def role_hours_freed(role: Role, cost: RoleCost) -> FreedLine:
    """The hours of one role that outsourcing frees, at the role's rate (see the module)."""
    if role.freed == FreedHours.HOURS and role.freed_hours is not None:
        hours, counted, entered = role.freed_hours.a_year, Basis.STATED_HOURS, role.freed_hours
    else:
        counted = Basis.STATED_WHOLE if role.freed == FreedHours.WHOLE else Basis.DERIVED
        hours, entered = cost.hours, None
    return FreedLine(Whose.ROLE, hours, cost.hourly_cost, counted, Basis.ROLE_RATE, None, entered)


def _freed(option: InHouse, roles: tuple[RoleCost, ...]) -> tuple[FreedLine, ...]:
    set_rate = option.value_per_freed_hour
    if option.mode == InHouseMode.ACTUAL:
        hours, total = option.actual_hours, option.actual_annual_cost or ZERO
        if not hours:
            return ()
        rate, basis = (total / hours, Basis.ACTUAL_RATE)
        if set_rate is not None:
            rate, basis = set_rate, Basis.SET_RATE
        return (FreedLine(Whose.STAFF, hours, rate, Basis.DERIVED, basis),)
    lines = []
    for position, (role, cost) in enumerate(zip(option.roles, roles, strict=True)):
        line = role_hours_freed(role, cost)
        rate, basis = (line.rate, line.rate_basis)
        if set_rate is not None:
            rate, basis = set_rate, Basis.SET_RATE
        lines.append(
            FreedLine(line.whose, line.hours, rate, line.counted, basis, position, line.entered)
        )
    if option.manager_hours.amount:
        lines.append(
            FreedLine(
                Whose.MANAGER,
                option.manager_hours.a_year,
                option.manager_hourly_rate,
                Basis.DERIVED,
                Basis.MANAGER_RATE,
                entered=option.manager_hours,
            )
        )
    return tuple(lines)


def in_house_cost(option: InHouse, rates: PayrollTaxRates) -> InHouseCost:
    """The full annual cost of doing the function in-house: the actual figure when the user
    knows it, else the roles built up plus the supervising manager's hours at their rate."""
    manager_hours = option.manager_hours.a_year
    if option.mode == InHouseMode.ACTUAL:
        total = option.actual_annual_cost
        return InHouseCost(
            roles=(),
            manager=ZERO,
            total=total if total is not None else ZERO,
            staff_hours=option.actual_hours,
            manager_hours=ZERO,
            complete=total is not None,
            freed=_freed(option, ()) if total is not None else (),
        )
    roles = tuple(
        role_cost(role, rates, payroll_taxes_in_load=option.payroll_taxes_in_load)
        for role in option.roles
    )
    manager = manager_hours * option.manager_hourly_rate
    return InHouseCost(
        roles=roles,
        manager=manager,
        total=sum((role.total for role in roles), ZERO) + manager,
        staff_hours=sum((role.hours for role in roles), ZERO),
        manager_hours=manager_hours,
        complete=bool(roles),
        freed=_freed(option, roles) if roles else (),
    )


# --- Outsourced quotes -------------------------------------------------------------------------
@dataclass(frozen=True)
class Quote:
    pricing_model: str
    amount: Decimal  # the flat fee, the hourly rate, or the price of a unit
    fee_period: str = FeePeriod.MONTH  # for a flat fee
    monthly_quantity: Decimal = ZERO  # hours or units a month at the analysis's volume
    tiers: tuple[Tier, ...] = ()
    transition_cost: Decimal = ZERO  # once
    oversight: Hours = Hours()  # our own time managing the provider
    oversight_hourly_rate: Decimal = ZERO

    @property
    def scales_with_volume(self) -> bool:
        return self.pricing_model != PricingModel.FLAT

    @property
    def oversight_hours(self) -> Decimal:
        """Our oversight hours a year."""
        return self.oversight.a_year


@dataclass(frozen=True)
class QuoteCost:
    provider_fees: Decimal
    oversight: Decimal

    @property
    def total(self) -> Decimal:
        return self.provider_fees + self.oversight


def provider_fees(quote: Quote, volume_factor: Decimal = ONE) -> Decimal:
    """The provider's fees for a year at ``volume_factor`` × the analysis's volume."""
    if quote.pricing_model == PricingModel.FLAT:
        return quote.amount * PERIODS_PER_YEAR[FeePeriod(quote.fee_period)]
    quantity = quote.monthly_quantity * volume_factor
    if quote.pricing_model == PricingModel.HOURLY:
        return quote.amount * quantity * MONTHS_A_YEAR
    return tiered_cost(quantity, quote.amount, quote.tiers) * MONTHS_A_YEAR


def quote_cost(quote: Quote, volume_factor: Decimal = ONE) -> QuoteCost:
    """A quote's cost for a year: the provider's fees plus our own oversight time."""
    return QuoteCost(
        provider_fees(quote, volume_factor), quote.oversight_hours * quote.oversight_hourly_rate
    )


def break_even_factor(quote: Quote, in_house_annual: Decimal) -> Decimal | None:
    """The volume, as a multiple of the analysis's volume, at which the quote costs exactly what
    in-house does; below it the quote is cheaper. None for a flat fee (it does not move with
    volume), when the oversight alone costs more than in-house, or when the fees never reach
    the in-house cost."""
    if not quote.scales_with_volume or quote.monthly_quantity <= 0:
        return None
    budget = (in_house_annual - quote.oversight_hours * quote.oversight_hourly_rate) / MONTHS_A_YEAR
    if budget < 0:
        return None
    if quote.pricing_model == PricingModel.HOURLY:
        if quote.amount <= 0:
            return None
        quantity = budget / quote.amount
    else:
        quantity = quantity_for_cost(budget, quote.amount, quote.tiers)
        if quantity is None:
            return None
    return quantity / quote.monthly_quantity


def payback_months(transition_cost: Decimal, annual_savings: Decimal) -> Decimal | None:
    """Months of savings that pay back the one-time transition cost; None if it never does."""
    if transition_cost <= 0:
        return ZERO
    if annual_savings <= 0:
        return None
    return transition_cost / (annual_savings / MONTHS_A_YEAR)


@dataclass(frozen=True)
class QuoteResult:
    cost: QuoteCost
    savings: Decimal  # a year, against in-house; negative when the quote costs more
    savings_ratio: Decimal | None  # of the in-house cost; None when in-house costs nothing
    break_even_volume: Decimal | None  # units a month
    payback_months: Decimal | None
    hours_freed: Decimal  # a year; negative when oversight takes more than in-house did
    value_of_hours_freed: Decimal  # each hour at its person's rate; beside the savings
    first_year_cost: Decimal
    freed: tuple[FreedLine, ...] = ()  # the lines the two figures above add up

    @property
    def annual_cost(self) -> Decimal:
        return self.cost.total


def compare_quote(
    quote: Quote,
    in_house: InHouseCost,
    *,
    monthly_volume: Decimal,
) -> QuoteResult:
    """One quote against the in-house option at the analysis's volume. The hours it frees are
    in-house's freed hours less our oversight of the provider, each line at its own rate."""
    cost = quote_cost(quote)
    savings = in_house.total - cost.total
    factor = break_even_factor(quote, in_house.total)
    freed = in_house.freed
    if quote.oversight.amount:
        freed += (
            FreedLine(
                Whose.OVERSIGHT,
                -quote.oversight_hours,
                quote.oversight_hourly_rate,
                Basis.STATED_HOURS,
                Basis.OVERSIGHT_RATE,
                entered=quote.oversight,
            ),
        )
    return QuoteResult(
        cost=cost,
        savings=savings,
        savings_ratio=savings / in_house.total if in_house.total else None,
        break_even_volume=None if factor is None else factor * monthly_volume,
        payback_months=payback_months(quote.transition_cost, savings),
        hours_freed=sum((line.hours for line in freed), ZERO),
        value_of_hours_freed=sum((line.value for line in freed), ZERO),
        first_year_cost=cost.total + quote.transition_cost,
        freed=freed,
    )


@dataclass(frozen=True)
class SensitivityRow:
    change: Decimal  # −0.5 for half the volume
    monthly_volume: Decimal
    in_house: Decimal
    quotes: tuple[Decimal, ...]  # in the order of the quotes given


def sensitivity(
    in_house_annual: Decimal,
    quotes: Sequence[Quote],
    *,
    monthly_volume: Decimal,
    steps: Sequence[Decimal] = SENSITIVITY_STEPS,
) -> list[SensitivityRow]:
    """The annual cost of every option as volume moves from −50% to +50%; in-house stays flat
    (see the module's assumptions)."""
    return [
        SensitivityRow(
            change=step,
            monthly_volume=monthly_volume * (ONE + step),
            in_house=in_house_annual,
            quotes=tuple(quote_cost(quote, ONE + step).total for quote in quotes),
        )
        for step in steps
    ]
