from django.urls import path

from handoff.payables import views

app_name = "payables"

ORG = "o/<slug:org_slug>/pay/"
# The invoice pages in the provider portal: the members' views, serving a provider's contact
# their own provider's invoices (views.py, "Invoices (both sides)").
PORTAL = "portal/<slug:org_slug>/"

urlpatterns = [
    path(ORG + "payments/", views.payment_list, name="payments"),
    path(ORG + "payments/new/", views.payment_create, name="payment_create"),
    path(ORG + "payments/import/", views.payment_import, name="payment_import"),
    path(ORG + "invoices/", views.invoice_list, name="invoices"),
    path(ORG + "invoices/new/", views.invoice_submit, name="invoice_submit"),
    path(ORG + "invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path(ORG + "invoices/<int:pk>/approve/", views.invoice_approve, name="invoice_approve"),
    path(ORG + "invoices/<int:pk>/reject/", views.invoice_reject, name="invoice_reject"),
    path(ORG + "approval/", views.approval_settings, name="approval_settings"),
    path(
        ORG + "approval-rules/<int:pk>/delete/",
        views.approval_rule_delete,
        name="approval_rule_delete",
    ),
    path(ORG + "invoices/<int:pk>/files/", views.invoice_attach, name="invoice_attach"),
    path(ORG + "invoice-files/<int:pk>/", views.invoice_file, name="invoice_file"),
    path(PORTAL + "invoices/", views.invoice_list, name="portal_invoices"),
    path(PORTAL + "invoices/new/", views.invoice_submit, name="portal_invoice_submit"),
    path(PORTAL + "invoices/<int:pk>/", views.invoice_detail, name="portal_invoice"),
    path(PORTAL + "invoices/<int:pk>/files/", views.invoice_attach, name="portal_invoice_attach"),
    path(PORTAL + "invoice-files/<int:pk>/", views.invoice_file, name="portal_invoice_file"),
]

# Accounting systems: bills out, payments and vendors in, column mappings (accounting_views).
from handoff.payables import accounting_views  # noqa: E402

urlpatterns += [
    path(ORG + "accounting/bills/", accounting_views.bill_export, name="accounting_export"),
    path(ORG + "accounting/import/", accounting_views.accounting_import, name="accounting_import"),
    path(ORG + "accounting/mappings/", accounting_views.mapping_list, name="accounting_mappings"),
    path(
        ORG + "accounting/mappings/<int:mapping_id>/",
        accounting_views.mapping_edit,
        name="accounting_mapping",
    ),
]
