import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .mfa import MFARequired, has_mfa, is_verified, staff_must_enrol


class UserPreferencesMiddleware:
    """Apply a signed-in user's preferred language and time zone for this request.

    Runs after LocaleMiddleware: a stored preference beats Accept-Language; the language
    switcher stores its choice on the user too, so it sticks across devices.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tz_name = settings.TIME_ZONE
        if user is not None and user.is_authenticated:
            if user.language and user.language != translation.get_language():
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            tz_name = user.time_zone or tz_name
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        response = self.get_response(request)
        timezone.deactivate()
        return response


class MFAMiddleware:
    """Two-step verification for signed-in users (after OTPMiddleware and LoginRequired).

    - A user who has a second factor passes it before any page but the verification page,
      signing out and the language switch.
    - Operator staff (with settings.MFA_REQUIRED_FOR_STAFF) set one up before any admin page.
    - A page that needs it raises MFARequired (an organization that requires MFA): the user is
      sent to set it up, or to pass it.
    """

    ALLOWED_UNVERIFIED = {
        "accounts:mfa_verify",
        "accounts:logout",
        "set_language",
        # signing in with a passkey instead of a code (passkey_views.py)
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        view_name = match.view_name if match else ""
        if view_name in self.ALLOWED_UNVERIFIED:
            return None
        if has_mfa(user):
            return _redirect_with_next("accounts:mfa_verify", request)
        if staff_must_enrol(user) and match and match.app_name == "admin":
            messages.warning(
                request, _("Set up two-step verification before using the administration.")
            )
            return _redirect_with_next("accounts:mfa_setup", request)
        return None

    def process_exception(self, request, exception):
        if not isinstance(exception, MFARequired):
            return None
        if has_mfa(request.user):
            return _redirect_with_next("accounts:mfa_verify", request)
        messages.warning(
            request,
            _("This organization requires two-step verification. Set it up to continue."),
        )
        return _redirect_with_next("accounts:mfa_setup", request)


def _redirect_with_next(view_name: str, request) -> HttpResponseRedirect:
    target = request.get_full_path() if request.method == "GET" else ""
    url = reverse(view_name)
    if target:
        url = f"{url}?{urlencode({'next': target})}"
    return HttpResponseRedirect(url)
