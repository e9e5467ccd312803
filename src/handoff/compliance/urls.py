from django.urls import path

from handoff.compliance import iris_views as iris
from handoff.compliance import onboarding_views as onboarding
from handoff.compliance import payment_views as money
from handoff.compliance import portal_views as portal
from handoff.compliance import state_report_views as state
from handoff.compliance import statement_views as copies
from handoff.compliance import tin_views as tin
from handoff.compliance import views
from handoff.compliance import w9_views as w9

app_name = "compliance"

ORG = "o/<slug:org_slug>/comply/"

urlpatterns = [
    path(ORG, views.overview, name="overview"),
    path(ORG + "settings/", views.settings_edit, name="settings"),
    path(ORG + "assessments/", views.assessment_list, name="assessments"),
    path(ORG + "assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path(
        ORG + "providers/<int:provider_pk>/assess/",
        views.assessment_create,
        name="assessment_create",
    ),
    path(ORG + "providers/<int:provider_pk>/card/", views.provider_card, name="provider_card"),
    path(
        ORG + "engagements/<int:engagement_pk>/status/",
        views.engagement_status,
        name="engagement_status",
    ),
    path(ORG + "providers/<int:provider_pk>/w9/", w9.w9_detail, name="w9"),
    path(ORG + "providers/<int:provider_pk>/w9/new/", w9.w9_create, name="w9_create"),
    path(ORG + "w9/<int:pk>/reveal/", w9.w9_reveal, name="w9_reveal"),
    path(ORG + "w9/<int:pk>/document/", w9.w9_document, name="w9_document"),
    path(ORG + "w9/missing/", w9.missing_w9, name="missing_w9"),
    path(ORG + "providers/<int:provider_pk>/w8/new/", w9.w8_create, name="w8_create"),
    path(ORG + "w8/<int:pk>/document/", w9.w8_document, name="w8_document"),
    path(ORG + "onboarding/", onboarding.standing_list, name="onboarding"),
    path(ORG + "w9-links/", onboarding.link_list, name="onboarding_links"),
    path(
        ORG + "providers/<int:provider_pk>/w9-links/new/",
        onboarding.link_send,
        name="onboarding_send",
    ),
    path(ORG + "w9-links/<int:pk>/withdraw/", onboarding.link_withdraw, name="onboarding_withdraw"),
    path("w9/<str:token>/", onboarding.onboarding_start, name="onboarding_start"),
    path("portal/<slug:org_slug>/w9/", portal.portal_w9, name="portal_w9"),
    path("portal/<slug:org_slug>/w9/start/", portal.portal_w9_start, name="portal_w9_start"),
    path(
        "portal/<slug:org_slug>/w9/<int:pk>/document/",
        portal.portal_w9_document,
        name="portal_w9_document",
    ),
    path(
        "portal/<slug:org_slug>/w8/<int:pk>/document/",
        portal.portal_w8_document,
        name="portal_w8_document",
    ),
    path("w9/<str:token>/signed.pdf", onboarding.onboarding_pdf, name="onboarding_pdf"),
    path("w9/<str:token>/how-you-work/", onboarding.onboarding_facts, name="onboarding_facts"),
    path("w9/<str:token>/agreement/", onboarding.onboarding_agreement, name="onboarding_agreement"),
    path(ORG + "tin-matching/", tin.tin_matching_page, name="tin_matching"),
    path(ORG + "tin-matching/request/", tin.tin_request, name="tin_request"),
    path(ORG + "tin-matching/results/", tin.tin_results, name="tin_results"),
    path(ORG + "state-reports/", state.state_report_list, name="state_reports"),
    path(ORG + "state-reports/new/", state.state_report_file, name="state_report_file"),
    path(ORG + "b-notices/new/", tin.b_notice_create, name="b_notice_create"),
    path(ORG + "b-notices/<int:pk>/sent/", tin.b_notice_sent, name="b_notice_sent"),
    path(ORG + "b-notices/<int:pk>/resolve/", tin.b_notice_resolve, name="b_notice_resolve"),
    path(ORG + "b-notices/<int:pk>/w9-link/", tin.b_notice_w9_link, name="b_notice_w9_link"),
    path(ORG + "1099/", money.nec_index, name="nec_index"),
    path(ORG + "1099/<int:year>/", money.nec_list, name="nec"),
    path(ORG + "1099/<int:year>/export.csv", money.nec_export, name="nec_export"),
    path(ORG + "1099/<int:year>/filing/", money.nec_filing, name="nec_filing"),
    path(ORG + "1099/<int:year>/iris/", iris.iris_page, name="iris"),
    path(ORG + "1099/<int:year>/iris/file/", iris.iris_file, name="iris_file"),
    path(ORG + "1099/<int:year>/iris/template/", iris.iris_template, name="iris_template"),
    path(ORG + "1099/<int:year>/iris/corrected/", iris.iris_corrected, name="iris_corrected"),
    path(ORG + "1099/<int:year>/copies/", copies.statement_list, name="statements"),
    path(
        ORG + "1099/<int:year>/copies/furnish-all/",
        copies.statement_furnish_all,
        name="statements_furnish_all",
    ),
    path(
        ORG + "1099/<int:year>/copies/providers/<int:provider_pk>/post/",
        copies.statement_post,
        name="statement_post",
    ),
    path(
        ORG + "1099/<int:year>/copies/providers/<int:provider_pk>/ask/",
        copies.statement_ask,
        name="statement_ask",
    ),
    path(
        ORG + "1099/<int:year>/copies/providers/<int:provider_pk>/print/",
        copies.statement_print,
        name="statement_print",
    ),
    path(
        ORG + "1099/<int:year>/copies/providers/<int:provider_pk>/mailed/",
        copies.statement_mailed,
        name="statement_mailed",
    ),
    path(ORG + "1099/<int:year>/copies/<int:pk>/pdf/", copies.statement_pdf, name="statement_pdf"),
    path(
        "portal/<slug:org_slug>/tax-statements/", copies.portal_statements, name="portal_statements"
    ),
    path(
        "portal/<slug:org_slug>/tax-statements/sample.pdf",
        copies.portal_statement_sample,
        name="portal_statement_sample",
    ),
    path(
        "portal/<slug:org_slug>/tax-statements/consent/",
        copies.portal_statement_consent,
        name="portal_statement_consent",
    ),
    path(
        "portal/<slug:org_slug>/tax-statements/withdraw/",
        copies.portal_statement_withdraw,
        name="portal_statement_withdraw",
    ),
    path(
        "portal/<slug:org_slug>/tax-statements/paper/",
        copies.portal_statement_paper,
        name="portal_statement_paper",
    ),
    path(
        "portal/<slug:org_slug>/tax-statements/<int:pk>/copy-b.pdf",
        copies.portal_statement_pdf,
        name="portal_statement_pdf",
    ),
]
