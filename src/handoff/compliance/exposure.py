"""What reclassifying a contractor as an employee would cost for a year of their payments.

Decimal only, no database. The rates come from the dated tables (decisions' payroll tax rates,
compliance's IRC 3509 rates); the figures are not rounded here — pages and API round once.

IRC section 3509 (domain/taxes-and-reporting.md) sets the employer's liability when a worker
treated as a contractor is reclassified, unless the failure was intentional disregard:
income-tax withholding at 1.5% of wages (3% if the required 1099 was not filed) and 20% of the
employee's share of FICA (40% without the 1099), on top of the employer's own FICA share.
Below the wage base that is 10.68% of wages with 1099s filed and 13.71% without [derived].
Federal unemployment (FUTA, IRS Topic 759) and, when the organization records it, its benefit
cost come on top. Interest, penalties, state taxes and back overtime are not included.
"""

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ExposureRates:
    """Rates as fractions (0.062 for 6.2%), amounts in dollars."""

    year: int
    social_security_rate: Decimal
    social_security_wage_base: Decimal
    medicare_rate: Decimal
    federal_unemployment_rate: Decimal
    federal_unemployment_wage_base: Decimal
    withholding_rate: Decimal  # IRC 3509(a)(1)
    withholding_rate_no_1099: Decimal  # IRC 3509(b)(1)
    employee_fica_share: Decimal  # IRC 3509(a)(2)
    employee_fica_share_no_1099: Decimal  # IRC 3509(b)(2)
    payroll_source: str = ""
    section_3509_source: str = ""
    requested_year: int | None = None  # the tax year asked for, when its figures stood in
    figures_note: str = ""  # which year's figures stand in for a year with none entered


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal
    formula: str
    source: str


@dataclass(frozen=True)
class Exposure:
    wages: Decimal
    filed_1099: bool
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def percent_of_wages(self) -> Decimal | None:
        return None if not self.wages else self.total / self.wages * HUNDRED


def _pct(rate: Decimal) -> str:
    return f"{(rate * HUNDRED).normalize():f}%"


def _usd(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def reclassification_cost(
    wages: Decimal,
    rates: ExposureRates,
    *,
    filed_1099: bool = True,
    benefits_rate: Decimal | None = None,
) -> Exposure:
    """The year's cost of treating ``wages`` (a year of payments) as an employee's wages."""
    if wages < ZERO:
        raise ValueError("Payments cannot be negative.")
    capped_ss = min(wages, rates.social_security_wage_base)
    capped_futa = min(wages, rates.federal_unemployment_wage_base)
    employer_ss = rates.social_security_rate * capped_ss
    employer_medicare = rates.medicare_rate * wages
    futa = rates.federal_unemployment_rate * capped_futa
    withholding_rate = rates.withholding_rate if filed_1099 else rates.withholding_rate_no_1099
    share = rates.employee_fica_share if filed_1099 else rates.employee_fica_share_no_1099
    # The employee's FICA share equals the employer's: 6.2% to the wage base and 1.45% (IRS
    # Topic 751); the 0.9% additional Medicare tax is left out, as 3509 leaves it to the worker.
    employee_fica = rates.social_security_rate * capped_ss + rates.medicare_rate * wages
    subsection = "3509(a)" if filed_1099 else "3509(b), no 1099 filed"
    lines = [
        Line(
            "Employer's Social Security",
            employer_ss,
            f"{_pct(rates.social_security_rate)} × {_usd(capped_ss)} (payments up to the "
            f"{rates.year} wage base of {_usd(rates.social_security_wage_base)})",
            rates.payroll_source,
        ),
        Line(
            "Employer's Medicare",
            employer_medicare,
            f"{_pct(rates.medicare_rate)} × {_usd(wages)}",
            rates.payroll_source,
        ),
        Line(
            "Federal unemployment (FUTA)",
            futa,
            f"{_pct(rates.federal_unemployment_rate)} × {_usd(capped_futa)} (the first "
            f"{_usd(rates.federal_unemployment_wage_base)})",
            rates.payroll_source,
        ),
        Line(
            f"Income-tax withholding, IRC {subsection}",
            withholding_rate * wages,
            f"{_pct(withholding_rate)} × {_usd(wages)}",
            rates.section_3509_source,
        ),
        Line(
            f"Employee's share of FICA, IRC {subsection}",
            share * employee_fica,
            f"{_pct(share)} × the employee's FICA of {_usd(employee_fica)} "
            f"({_pct(rates.social_security_rate)} × {_usd(capped_ss)} + "
            f"{_pct(rates.medicare_rate)} × {_usd(wages)})",
            rates.section_3509_source,
        ),
    ]
    if benefits_rate is not None:
        lines.append(
            Line(
                "Benefits (the organization's recorded benefit cost)",
                benefits_rate * wages,
                f"{_pct(benefits_rate)} × {_usd(wages)}",
                "Your organization's benefit cost, entered in Comply's settings.",
            )
        )
    return Exposure(wages=wages, filed_1099=filed_1099, lines=tuple(lines))
