"""The dated payroll tax rates and benefits-load defaults that costing reads."""

from handoff.core.api import api_access
from handoff.decisions.api.report_schemas import DatedFiguresOut
from handoff.decisions.api.routing import DECIDE, ERRORS, router
from handoff.decisions.models import BenefitsLoadDefault, PayrollTaxRates


@router.get(
    "/decide/figures",
    response={200: DatedFiguresOut, **ERRORS},
    tags=DECIDE,
    summary="The dated payroll tax rates and benefits-load defaults, with their sources",
)
@api_access()
def dated_figures(request):
    return {
        "payroll_tax_rates": PayrollTaxRates.objects.all(),
        "benefits_load_defaults": BenefitsLoadDefault.objects.all(),
    }
