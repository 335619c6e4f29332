"""Passkeys (WebAuthn): django-otp-webauthn's JSON endpoints, mounted under
/accounts/mfa/passkeys/ with the library's URL names (its template tags reverse them).

Registration is completed through `services.mfa_passkey_register`, so the new credential,
`User.mfa_enabled` and the audit event are one transaction; authentication is the library's own
(it calls `django_otp.login`, which is all the verification step needs). Passwordless sign-in
is off (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN): a passkey is a second factor only.
"""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django_otp import login as otp_login
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.utils import rewrite_exceptions

from . import services
from .mfa import recovery_codes_left


@method_decorator(never_cache, name="dispatch")
class CompletePasskeyRegistrationView(webauthn.CompleteCredentialRegistrationView):
    """The library's view, saving the credential through the service; answers with where to
    go next (new recovery codes when the user has none)."""

    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions(logger=webauthn._get_pywebauthn_logger()):
            device = services.mfa_passkey_register(
                by=user, helper=self.get_helper(), state=state, data=self.request.data
            )
        if not self.request.user.is_verified():
            otp_login(self.request, device)
        if recovery_codes_left(user) == 0:
            next_url = reverse("accounts:mfa_recovery_codes")
        else:
            next_url = reverse("accounts:mfa")
        return JsonResponse({"id": device.pk, "redirect_url": next_url})


class CompletePasskeyAuthenticationView(webauthn.CompleteCredentialAuthenticationView):
    def get_success_url(self):
        return self.get_redirect_url() or reverse("dashboard")


@require_POST
def passkey_remove(request, passkey_id: int):
    if services.mfa_passkey_remove(by=request.user, passkey_id=passkey_id):
        messages.success(request, _("The passkey was removed."))
    return redirect("accounts:mfa")


# The library's URL names, in its "otp_webauthn" namespace (config/urls.py)
webauthn_patterns = (
    [
        path(
            "registration/begin/",
            webauthn.BeginCredentialRegistrationView.as_view(),
            name="credential-registration-begin",
        ),
        path(
            "registration/complete/",
            CompletePasskeyRegistrationView.as_view(),
            name="credential-registration-complete",
        ),
        path(
            "authentication/begin/",
            webauthn.BeginCredentialAuthenticationView.as_view(),
            name="credential-authentication-begin",
        ),
        path(
            "authentication/complete/",
            CompletePasskeyAuthenticationView.as_view(),
            name="credential-authentication-complete",
        ),
        path(
            "jsi18n/",
            JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
            name="js-i18n-catalog",
        ),
    ],
    "otp_webauthn",
)
