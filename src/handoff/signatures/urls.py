from django.urls import path

from handoff.signatures import views

app_name = "signatures"

ORG = "o/<slug:org_slug>/signatures/"

urlpatterns = [
    path(ORG, views.request_list, name="list"),
    path(ORG + "<int:pk>/", views.request_detail, name="detail"),
    path(ORG + "<int:pk>/document.pdf", views.request_document, name="document"),
    path(ORG + "<int:pk>/signed.pdf", views.request_signed, name="signed"),
    path(ORG + "<int:pk>/cancel/", views.request_cancel, name="cancel"),
    path("sign/<str:token>/", views.sign, name="sign"),
    path("sign/<str:token>/decline/", views.decline, name="decline"),
    path("sign/<str:token>/document.pdf", views.document, name="sign_document"),
    path("sign/<str:token>/signed.pdf", views.signed_copy, name="sign_signed"),
    path("verify/", views.verify, name="verify"),
]
