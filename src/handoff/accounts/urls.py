from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from handoff.accounts import views
from handoff.accounts.forms import LoginForm, SitePasswordResetForm

app_name = "accounts"

ORG = "o/<slug:org_slug>/"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/sent/", views.signup_sent, name="signup_sent"),
    path("accounts/signup/<str:token>/", views.signup_finish, name="signup_finish"),
    path(
        "accounts/login/",
        views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=SitePasswordResetForm,
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("invite/<str:token>/", views.accept_invitation, name="invitation"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path(ORG + "settings/", views.organization_settings, name="organization_settings"),
    path(ORG + "settings/backup/", views.organization_backup, name="organization_backup"),
    path(ORG + "members/", views.members, name="members"),
    path(ORG + "members/invite/", views.invite, name="invite"),
    path(ORG + "members/<int:pk>/role/", views.change_role, name="change_role"),
    path(ORG + "members/<int:pk>/remove/", views.remove_member, name="remove_member"),
    path(ORG + "invitations/<int:pk>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path(ORG + "api-tokens/", views.api_tokens, name="api_tokens"),
    path(ORG + "api-tokens/<int:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
    path(ORG + "audit/", views.audit_log, name="audit_log"),
    path(ORG + "audit.csv", views.audit_log_csv, name="audit_log_csv"),
]
