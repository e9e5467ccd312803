"""The cost of reclassification, checked against domain/taxes-and-reporting.md: 10.68% of
wages below the wage base with 1099s filed, 13.71% without, FUTA and benefits on top."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from handoff.compliance import exposure

RATES_2026 = exposure.ExposureRates(
    year=2026,
    social_security_rate=D("0.062"),
    social_security_wage_base=D("184500"),
    medicare_rate=D("0.0145"),
    federal_unemployment_rate=D("0.006"),
    federal_unemployment_wage_base=D("7000"),
    withholding_rate=D("0.015"),
    withholding_rate_no_1099=D("0.03"),
    employee_fica_share=D("0.20"),
    employee_fica_share_no_1099=D("0.40"),
)


def amounts(result) -> dict:
    return {line.label.split(",")[0]: line.amount for line in result.lines}


def test_below_the_wage_base_it_is_10_68_percent_plus_futa():
    result = exposure.reclassification_cost(D("50000"), RATES_2026)
    parts = amounts(result)
    assert parts["Employer's Social Security"] == D("3100.000")
    assert parts["Employer's Medicare"] == D("725.0000")
    assert parts["Federal unemployment (FUTA)"] == D("42.000")
    assert parts["Income-tax withholding"] == D("750.000")
    assert parts["Employee's share of FICA"] == D("765.00000")
    assert result.total - parts["Federal unemployment (FUTA)"] == D("50000") * D("0.1068")
    assert result.total == D("5382")


def test_without_the_1099s_it_is_13_71_percent_plus_futa():
    result = exposure.reclassification_cost(D("50000"), RATES_2026, filed_1099=False)
    assert result.total - D("42") == D("50000") * D("0.1371")
    assert "3509(b)" in result.lines[3].label


def test_social_security_stops_at_the_years_wage_base():
    result = exposure.reclassification_cost(D("200000"), RATES_2026)
    parts = amounts(result)
    assert parts["Employer's Social Security"] == D("184500") * D("0.062")
    assert parts["Employer's Medicare"] == D("2900")
    assert parts["Employee's share of FICA"] == D("0.20") * (D("11439") + D("2900"))
    assert "wage base of $184,500.00" in result.lines[0].formula


def test_benefits_are_added_only_when_the_organization_records_them():
    without = exposure.reclassification_cost(D("40000"), RATES_2026)
    with_benefits = exposure.reclassification_cost(D("40000"), RATES_2026, benefits_rate=D("0.243"))
    assert len(without.lines) == 5 and len(with_benefits.lines) == 6
    assert with_benefits.total - without.total == D("9720")


def test_every_line_shows_its_formula():
    for line in exposure.reclassification_cost(D("1234.56"), RATES_2026).lines:
        assert "×" in line.formula


@given(
    st.decimals(min_value=0, max_value=1_000_000, places=2),
    st.decimals(min_value=0, max_value=1_000, places=2),
)
def test_more_payments_never_cost_less_and_no_1099_always_costs_more(wages, extra):
    filed = exposure.reclassification_cost(wages, RATES_2026)
    assert exposure.reclassification_cost(wages + extra, RATES_2026).total >= filed.total
    assert exposure.reclassification_cost(wages, RATES_2026, filed_1099=False).total >= filed.total
    assert all(isinstance(line.amount, D) for line in filed.lines)
