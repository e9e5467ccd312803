"""The dated rules and the organization's compliance settings."""

from handoff.compliance import selectors, services
from handoff.compliance.api.routing import ERRORS, router
from handoff.compliance.api.schemas import ComplianceSettingsOut, RulesOut, SettingsIn
from handoff.compliance.models import (
    ClassificationRuleSet,
    ComplianceSettings,
    Form1099Threshold,
    Section3509Rates,
    StateTest,
)
from handoff.core.api import api_access, patch_data
from handoff.core.roles import Role


@router.get(
    "/compliance/rules",
    response={200: RulesOut, **ERRORS},
    summary="The dated rules: factors, state ABC tests, 1099-NEC thresholds, IRC 3509 rates",
)
@api_access()
def rules(request):
    return {
        "rule_sets": ClassificationRuleSet.objects.prefetch_related("factors"),
        "state_tests": StateTest.objects.all(),
        "form_1099_thresholds": Form1099Threshold.objects.all(),
        "section_3509_rates": Section3509Rates.objects.all(),
    }


@router.get("/compliance/settings", response={200: ComplianceSettingsOut, **ERRORS})
@api_access()
def get_settings(request):
    return selectors.settings_for(request.principal)


@router.patch(
    "/compliance/settings",
    response={200: ComplianceSettingsOut, **ERRORS},
    summary="Change the settings (admins)",
)
@api_access(Role.ADMIN)
def update_settings(request, payload: SettingsIn):
    return services.update_settings(request.principal, data=patch_data(payload, ComplianceSettings))
