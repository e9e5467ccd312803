"""The report of one analysis: ``costing``'s figures for its rows, and a plain-language sentence
per option. The analysis page, the printable page, the PDF and the API all read it, so they
always agree.

Rows become ``costing``'s plain values here (percents become fractions); figures are rounded
only when written into a sentence, through the same ``money`` filter the pages use.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from handoff.core.templatetags.handoff import money, quantity
from handoff.decisions import costing
from handoff.decisions.choices import Factor, InHouseMode, PricingModel
from handoff.decisions.models import Analysis, InHouseOption, InHouseRole, Quote
from handoff.decisions.models import hours_text as _hours_text
from handoff.decisions.selectors import FigureBook, FiguresInUse

HUNDRED = Decimal(100)


def fraction(percent: Decimal) -> Decimal:
    return percent / HUNDRED


# --- Rows to costing's values ------------------------------------------------------------------
def payroll_rates(figures: FiguresInUse, option: InHouseOption) -> costing.PayrollTaxRates:
    """The year's statutory rates and wage bases from the dated table, with the unemployment
    rates the user set on the in-house option (FUTA defaults to the table's 0.6%)."""
    table = figures.payroll
    return costing.PayrollTaxRates(
        social_security_rate=fraction(table.social_security_percent),
        social_security_wage_base=table.social_security_wage_base,
        medicare_rate=fraction(table.medicare_percent),
        federal_unemployment_rate=fraction(option.federal_unemployment_percent),
        federal_unemployment_wage_base=table.federal_unemployment_wage_base,
        state_unemployment_rate=fraction(option.state_unemployment_percent),
        state_unemployment_wage_base=option.state_unemployment_wage_base,
    )


def role_terms(role: InHouseRole) -> costing.Role:
    return costing.Role(
        pay_basis=role.pay_basis,
        annual_salary=role.annual_salary or costing.ZERO,
        hourly_wage=role.hourly_wage or costing.ZERO,
        paid_hours=role.paid_hours_per_year,
        headcount=role.headcount,
        benefits_load=fraction(role.benefits_load_percent),
        overhead_per_person=role.overhead_per_person,
        recruiting_cost=role.recruiting_cost,
        training_cost=role.training_cost,
        expected_tenure_years=role.expected_tenure_years,
        freed=role.freed,
        freed_hours=None
        if role.freed_hours is None
        else costing.Hours(role.freed_hours, role.freed_period),
    )


def in_house_terms(option: InHouseOption, roles) -> costing.InHouse:
    return costing.InHouse(
        mode=option.mode,
        roles=tuple(role_terms(role) for role in roles),
        actual_annual_cost=option.actual_annual_cost,
        actual_hours=option.actual_hours_per_year or costing.ZERO,
        payroll_taxes_in_load=option.payroll_taxes_in_load,
        manager_hours=costing.Hours(option.manager_hours, option.manager_period),
        manager_hourly_rate=option.manager_hourly_rate,
        value_per_freed_hour=option.value_per_freed_hour,
    )


def quote_terms(quote: Quote) -> costing.Quote:
    tiers = ()
    if quote.pricing_model == PricingModel.PER_UNIT:
        tiers = costing.tiers_from_table(
            [costing.TierRow(t.from_units, t.to_units, t.unit_price) for t in quote.tiers.all()]
        )
    return costing.Quote(
        pricing_model=quote.pricing_model,
        amount=quote.amount,
        fee_period=quote.fee_period,
        monthly_quantity=quote.monthly_quantity or costing.ZERO,
        tiers=tiers,
        transition_cost=quote.transition_cost,
        oversight=costing.Hours(quote.oversight_hours, quote.oversight_period),
        oversight_hourly_rate=quote.oversight_hourly_rate,
    )


# --- The report --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoleLine:
    role: InHouseRole
    cost: costing.RoleCost


RATE_WORDS = {
    costing.Basis.ROLE_RATE: "the role's loaded cost of an hour",
    costing.Basis.SET_RATE: "the value you set for a freed staff hour",
    costing.Basis.MANAGER_RATE: "the manager's hourly cost",
    costing.Basis.OVERSIGHT_RATE: "the cost of an oversight hour",
    costing.Basis.ACTUAL_RATE: "the current actual cost over its staff hours",
}


@dataclass(frozen=True)
class FreedRow:
    """One line of freed hours in words: whose hours, how they were counted, at which rate."""

    line: costing.FreedLine
    who: str
    counted: str
    rate_words: str
    role_id: int | None = None

    @property
    def hours(self) -> Decimal:
        return self.line.hours

    @property
    def rate(self) -> Decimal:
        return self.line.rate

    @property
    def value(self) -> Decimal:
        return self.line.value


def models_hours_text(hours: costing.Hours) -> str:
    return _hours_text(hours.amount, hours.per)


def _a_year(hours: costing.Hours) -> str:
    return f"{models_hours_text(hours)}, {_rounded(hours.a_year, '0.1')} h a year"


def freed_rows(lines, roles, quote: Quote | None = None) -> tuple[FreedRow, ...]:
    rows = []
    for line in lines:
        role_id = None
        if line.whose == costing.Whose.ROLE:
            role = roles[line.role]
            role_id = role.pk
            who = role.title + (f" × {role.headcount}" if role.headcount > 1 else "")
            counted = {
                costing.Basis.DERIVED: "all its paid hours (nothing stated, so worked out)",
                costing.Basis.STATED_WHOLE: "the whole role, as you stated",
                costing.Basis.STATED_HOURS: f"as you stated: {_a_year(line.entered)}"
                if line.entered
                else "as you stated",
            }[line.counted]
        elif line.whose == costing.Whose.STAFF:
            who, counted = "Staff", "the staff hours a year of the current actual cost"
        elif line.whose == costing.Whose.MANAGER:
            who, counted = "Manager's supervision", f"all of it: {_a_year(line.entered)}"
        else:
            name = quote.display_name if quote else "the provider"
            who = f"Less our oversight of {name}"
            counted = f"as entered: {_a_year(line.entered)}"
        rows.append(FreedRow(line, who, counted, RATE_WORDS[line.rate_basis], role_id))
    return tuple(rows)


@dataclass(frozen=True)
class QuoteLine:
    quote: Quote
    result: costing.QuoteResult
    summary: str
    freed: tuple[FreedRow, ...] = ()

    @property
    def oversight_row(self) -> FreedRow | None:
        return next((r for r in self.freed if r.line.whose == costing.Whose.OVERSIGHT), None)

    @property
    def savings_percent(self) -> Decimal | None:
        ratio = self.result.savings_ratio
        return None if ratio is None else ratio * HUNDRED


@dataclass(frozen=True)
class FactorRow:
    factor: Factor
    in_house: int | None
    quotes: tuple[int | None, ...]


@dataclass(frozen=True)
class SensitivityLine:
    row: costing.SensitivityRow

    @property
    def change_percent(self) -> Decimal:
        return self.row.change * HUNDRED


@dataclass(frozen=True)
class Report:
    analysis: Analysis
    figures: FiguresInUse
    option: InHouseOption
    in_house: costing.InHouseCost
    roles: tuple[RoleLine, ...]
    quotes: tuple[QuoteLine, ...]
    sensitivity: tuple[SensitivityLine, ...]
    in_house_summary: str
    freed: tuple[FreedRow, ...] = ()  # in-house's freed hours, before any quote's oversight

    @property
    def currency(self) -> str:
        return self.analysis.organization.currency

    @property
    def complete(self) -> bool:
        return self.in_house.complete

    @property
    def payroll_taxes(self) -> costing.PayrollTaxes:
        """The employer's payroll taxes of all roles (added, or inside the load; see option)."""
        return sum((line.cost.payroll_taxes for line in self.roles), costing.PayrollTaxes())

    @property
    def factors(self) -> tuple[FactorRow, ...]:
        return tuple(
            FactorRow(
                factor,
                getattr(self.option, factor.value),
                tuple(getattr(line.quote, factor.value) for line in self.quotes),
            )
            for factor in Factor
        )

    @property
    def cheapest(self) -> tuple[str, Decimal] | None:
        """The option with the lowest annual cost, once in-house can be compared."""
        if not self.complete:
            return None
        options = [("In-house", self.in_house.total)] + [
            (line.quote.display_name, line.result.annual_cost) for line in self.quotes
        ]
        return min(options, key=lambda option: option[1])

    def quote_line(self, quote_id: int) -> QuoteLine | None:
        return next((line for line in self.quotes if line.quote.pk == quote_id), None)


def build(analysis: Analysis, figures: FiguresInUse) -> Report:
    """The report of ``analysis`` with ``figures`` (the dated rates of its year). Reads the
    analysis's rows through ``.all()``, so a prefetched analysis costs no further query."""
    option = analysis.in_house
    roles = list(analysis.roles.all())
    quotes = list(analysis.quotes.all())
    rates = payroll_rates(figures, option)
    in_house = costing.in_house_cost(in_house_terms(option, roles), rates)
    terms = [quote_terms(quote) for quote in quotes]
    currency = analysis.organization.currency
    lines = []
    for quote, quote_term in zip(quotes, terms, strict=True):
        result = costing.compare_quote(quote_term, in_house, monthly_volume=analysis.monthly_volume)
        lines.append(
            QuoteLine(
                quote,
                result,
                quote_summary(analysis, option, in_house, quote, result),
                freed_rows(result.freed, roles, quote),
            )
        )
    rows = costing.sensitivity(in_house.total, terms, monthly_volume=analysis.monthly_volume)
    return Report(
        analysis=analysis,
        figures=figures,
        option=option,
        in_house=in_house,
        roles=tuple(
            RoleLine(role, cost) for role, cost in zip(roles, in_house.roles, strict=False)
        ),
        quotes=tuple(lines),
        sensitivity=tuple(SensitivityLine(row) for row in rows),
        in_house_summary=in_house_summary(option, in_house, currency),
        freed=freed_rows(in_house.freed, roles),
    )


def for_analysis(analysis: Analysis, book: FigureBook | None = None) -> Report:
    """The report of ``analysis`` with the figures of its year; a list passes one ``book`` so
    the dated figures are read once for all its rows."""
    return build(analysis, (book or FigureBook()).for_year(analysis.year))


# --- Sentences -------------------------------------------------------------------------------
def _rounded(value: Decimal, places: str) -> str:
    return quantity(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _percent(ratio: Decimal) -> str:
    return f"{_rounded(abs(ratio) * HUNDRED, '0.1')}%"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def in_house_summary(option: InHouseOption, cost: costing.InHouseCost, currency: str) -> str:
    """What doing it in-house costs, and what the figure is made of."""
    if not cost.complete:
        return (
            "Enter the in-house roles, or the current actual annual cost, to compare the "
            "quotes against."
        )
    total = money(cost.total, currency)
    if option.mode == InHouseMode.ACTUAL:
        hours = (
            f", with {_rounded(cost.staff_hours, '1')} staff hours a year on it"
            if cost.staff_hours
            else ""
        )
        return f"Doing it in-house costs {total} a year, the current actual figure{hours}."
    roles = cost.roles
    people = sum((role.people for role in roles), costing.ZERO)
    taxes = sum((role.payroll_taxes.total for role in roles), costing.ZERO)
    parts = [f"{money(sum((r.wages for r in roles), costing.ZERO), currency)} in wages"]
    benefits = money(sum((r.benefits for r in roles), costing.ZERO), currency)
    if option.payroll_taxes_in_load:
        parts.append(f"{benefits} in benefits including {money(taxes, currency)} of payroll taxes")
    else:
        parts.append(f"{benefits} in benefits")
        parts.append(f"{money(taxes, currency)} in employer payroll taxes")
    overhead = sum((role.overhead for role in roles), costing.ZERO)
    if overhead:
        parts.append(f"{money(overhead, currency)} in overhead")
    hiring = sum((role.recruiting_and_training for role in roles), costing.ZERO)
    if hiring:
        parts.append(f"{money(hiring, currency)} a year of recruiting and training")
    who = f"{_rounded(people, '1')} {'person' if people == 1 else 'people'}"
    sentence = f"Doing it in-house costs {total} a year for {who}: {_listed(parts)}"
    if cost.manager:
        sentence += (
            f", plus {option.manager_hours_text} ({_rounded(cost.manager_hours, '0.1')} hours "
            f"a year) of a manager's time ({money(cost.manager, currency)})"
        )
    return sentence + "."


def quote_summary(
    analysis: Analysis,
    option: InHouseOption,
    in_house: costing.InHouseCost,
    quote: Quote,
    result: costing.QuoteResult,
) -> str:
    """One quote against in-house in a few plain sentences: the cost and the savings, the
    volume where the answer turns, the payback of the transition cost, the hours freed."""
    currency = analysis.organization.currency

    def amount(value):
        return money(value, currency)

    sentence = f"{quote.display_name} costs {amount(result.annual_cost)} a year"
    if not in_house.complete:
        return sentence + "; complete the in-house option to compare it."
    share = f" ({_percent(result.savings_ratio)})" if result.savings_ratio is not None else ""
    if result.savings > 0:
        sentence += f", {amount(result.savings)}{share} less than doing it in-house"
    elif result.savings < 0:
        sentence += f", {amount(-result.savings)}{share} more than doing it in-house"
    else:
        sentence += ", the same as doing it in-house"
    if quote.pricing_model != PricingModel.FLAT:
        units = analysis.volume_unit_plural
        volume = result.break_even_volume
        if volume is None:
            sentence += (
                "; it stays cheaper at any volume"
                if result.savings > 0
                else "; it costs more at any volume"
            )
        elif result.savings >= 0:
            sentence += f"; it stays cheaper up to {_rounded(volume, '0.1')} {units} a month"
        else:
            sentence += f"; it would be cheaper below {_rounded(volume, '0.1')} {units} a month"
    sentences = [sentence + "."]
    if quote.transition_cost > 0:
        months = result.payback_months
        if months is None:
            sentences.append(
                f"Its {amount(quote.transition_cost)} transition cost never pays back, "
                "as it saves nothing."
            )
        else:
            sentences.append(
                f"Its {amount(quote.transition_cost)} transition cost pays back in "
                f"{_rounded(months, '0.1')} months."
            )
    hours = result.hours_freed
    if hours > 0:
        sentences.append(
            f"It frees {_rounded(hours, '1')} hours a year, worth "
            f"{amount(result.value_of_hours_freed)} with each hour at the rate of the person "
            "whose hour it is."
        )
    elif hours < 0:
        sentences.append(
            f"Overseeing it takes {_rounded(-hours, '1')} hours a year more than doing it in-house."
        )
    return " ".join(sentences)
