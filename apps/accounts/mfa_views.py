"""Two-step verification pages: the overview, setting up an authenticator app, passing the
second factor after the password, new recovery codes, and removing it (see mfa.py)."""

import base64

import django_otp
import segno
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import MFACodeForm, MFASetupForm
from .mfa import has_mfa, is_verified, passkeys_of, recovery_codes_left

SETUP_DEVICE_NAME = "Authenticator app"


def _next_url(request, default="accounts:mfa") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def mfa_overview(request):
    user = request.user
    return render(
        request,
        "accounts/mfa.html",
        {
            "has_mfa": has_mfa(user),
            "codes_left": recovery_codes_left(user),
            "devices": TOTPDevice.objects.devices_for_user(user, confirmed=True),
            "passkeys": passkeys_of(user),
        },
    )


class MFASetupView(View):
    """Add an authenticator app: scan the QR code (or type the key), confirm with a code."""

    template_name = "accounts/mfa_setup.html"

    def _device(self, request):
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=request.user, name=SETUP_DEVICE_NAME, confirmed=False
            )
        return device

    def _render(self, request, device, form):
        url = device.config_url
        qr = segno.make(url, error="m")
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
                "secret": device.bin_key and _base32(device.bin_key),
                "otpauth_url": url,
                "next": _next_url(request, default="dashboard"),
            },
        )

    def get(self, request):
        if _has_totp(request.user):
            messages.info(request, _("Two-step verification is already set up."))
            return redirect("accounts:mfa")
        return self._render(request, self._device(request), MFASetupForm())

    def post(self, request):
        if _has_totp(request.user):
            return redirect("accounts:mfa")
        device = self._device(request)
        form = MFASetupForm(request.POST)
        if form.is_valid():
            codes = services.mfa_totp_confirm(
                by=request.user, device=device, token=form.cleaned_data["code"]
            )
            if codes is not None:
                django_otp.login(request, device)
                return render(
                    request,
                    "accounts/mfa_recovery_codes.html",
                    {
                        "codes": codes,
                        "just_enrolled": True,
                        "next": _next_url(request, default="dashboard"),
                    },
                )
            form.add_error("code", _("That code is not right. Check the app and try again."))
        return self._render(request, device, form)


def _has_totp(user) -> bool:
    """An authenticator app is set up (a user with only passkeys may still add one)."""
    return has_mfa(user) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _base32(key: bytes) -> str:
    raw = base64.b32encode(key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class MFAVerifyView(View):
    """The second step of signing in: a code from the app or a recovery code."""

    template_name = "accounts/mfa_verify.html"

    def get(self, request):
        if not has_mfa(request.user) or is_verified(request.user):
            return redirect(_next_url(request, default="dashboard"))
        return render(request, self.template_name, self._context(request, MFACodeForm()))

    def _context(self, request, form) -> dict:
        return {
            "form": form,
            "next": _next_url(request, "dashboard"),
            "has_passkeys": passkeys_of(request.user).exists(),
        }

    def post(self, request):
        if not has_mfa(request.user):
            return redirect(_next_url(request, default="dashboard"))
        form = MFACodeForm(request.POST)
        if form.is_valid():
            device = services.mfa_verify(by=request.user, code=form.cleaned_data["code"])
            if device is not None:
                django_otp.login(request, device)
                return redirect(_next_url(request, default="dashboard"))
            form.add_error("code", _("That code is not right, or it was already used."))
        return render(request, self.template_name, self._context(request, form))


class MFARecoveryCodesView(View):
    """Replace the recovery codes (the old ones stop working) and show the new ones once."""

    def get(self, request):
        if not has_mfa(request.user):
            return redirect("accounts:mfa")
        return render(request, "accounts/mfa_recovery_codes_confirm.html")

    def post(self, request):
        if not has_mfa(request.user):
            return redirect("accounts:mfa")
        codes = services.mfa_recovery_codes_issue(by=request.user)
        return render(
            request,
            "accounts/mfa_recovery_codes.html",
            {"codes": codes, "next": _next_url(request)},
        )


@require_POST
def mfa_remove(request):
    services.mfa_remove(by=request.user)
    messages.success(request, _("Two-step verification was removed from your account."))
    return redirect("accounts:mfa")
