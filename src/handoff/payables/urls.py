from django.urls import path

from handoff.payables import views

app_name = "payables"

ORG = "o/<slug:org_slug>/pay/"

urlpatterns = [
    path(ORG + "payments/", views.payment_list, name="payments"),
    path(ORG + "payments/new/", views.payment_create, name="payment_create"),
    path(ORG + "payments/import/", views.payment_import, name="payment_import"),
    path(ORG + "invoices/", views.invoice_list, name="invoices"),
]
