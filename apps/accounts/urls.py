from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import mfa_views, passkey_views, views
from .forms import PasswordChangeForm, PasswordResetSetForm

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/confirm/", views.SignupConfirmView.as_view(), name="signup_confirm"),
    path("signup/<token:token>/", views.SignupLinkView.as_view(), name="signup_link"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("mfa/", mfa_views.mfa_overview, name="mfa"),
    path("mfa/setup/", mfa_views.MFASetupView.as_view(), name="mfa_setup"),
    path("mfa/verify/", mfa_views.MFAVerifyView.as_view(), name="mfa_verify"),
    path(
        "mfa/recovery-codes/", mfa_views.MFARecoveryCodesView.as_view(), name="mfa_recovery_codes"
    ),
    path("mfa/remove/", mfa_views.mfa_remove, name="mfa_remove"),
    path(
        "mfa/passkeys/<int:passkey_id>/remove/",
        passkey_views.passkey_remove,
        name="mfa_passkey_remove",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            form_class=PasswordChangeForm,
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            html_email_template_name="accounts/email/password_reset.html",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            form_class=PasswordResetSetForm,
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
