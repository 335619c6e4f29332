from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView

from apps.core.forms import error_text
from apps.core.links import LinkProblem, render_link_problem
from apps.core.ratelimit import rate_limit

from .forms import EmailAuthenticationForm, PasswordResetForm, ProfileForm
from .models import SignupRequest
from .organizations import organizations_for_request
from .services import (
    signup_confirm,
    signup_request_problem,
    signup_token_hash,
    user_update_profile,
)
from .signups import SIGNUP_LINK, signup_purpose


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def dashboard(request):
    """Where a user lands after sign-in: the organizations they act for. Someone with exactly
    one organization (and no operator admin to reach) goes straight to it: a dashboard of one
    card would only cost a click every time."""
    organizations = organizations_for_request(request)
    if len(organizations) == 1 and not request.user.is_staff:
        return redirect(organizations[0].url)
    return render(request, "accounts/dashboard.html", {"organizations": organizations})


class ProfileView(UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        # through the service, so the change is audited (old -> new) in its transaction
        user_update_profile(
            user=self.get_object(),
            by=self.request.user,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        messages.success(self.request, _("Your profile was saved."))
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.request.path


@login_not_required
@require_POST
def set_language(request):
    """Switch the language from any page; signed-in users keep the choice on their account."""
    lang = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if lang and translation.check_for_language(lang) and lang in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            user_update_profile(user=request.user, by=request.user, language=lang)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


# Password reset pages are public by nature.
public = method_decorator(login_not_required, name="dispatch")


@public
@method_decorator(
    rate_limit("password_reset", methods=("POST",), email_field="email"), name="dispatch"
)
class PasswordResetView(auth_views.PasswordResetView):
    """Email a one-time link to choose a new password (nothing says whether the address exists).

    The link is built from PORTAL_BASE_URL like every other link the portal emails, not from
    the Host header of whoever asked.
    """

    form_class = PasswordResetForm

    def form_valid(self, form):
        base = urlsplit(settings.PORTAL_BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            html_email_template_name=self.html_email_template_name,
            request=self.request,
            extra_email_context={"site_name": settings.SITE_NAME},
        )
        return redirect(self.get_success_url())


PasswordResetDoneView = public(auth_views.PasswordResetDoneView)
PasswordResetConfirmView = public(auth_views.PasswordResetConfirmView)
PasswordResetCompleteView = public(auth_views.PasswordResetCompleteView)


# ------------------------------------------------------------------------------
# Sign-up by email confirmation (apps/accounts/signups.py)
# ------------------------------------------------------------------------------

signup_public = method_decorator([login_not_required, never_cache], name="dispatch")


@signup_public
@method_decorator(rate_limit("link_open"), name="dispatch")
class SignupLinkView(View):
    """`/accounts/signup/<token>/`: the token (as its hash) moves into the session and the
    browser goes to a URL without it. Changes nothing (mail scanners open links too)."""

    http_method_names = ["get"]

    def get(self, request, token):
        return SIGNUP_LINK.put_and_redirect(
            request, signup_token_hash(token), reverse("accounts:signup_confirm")
        )


@signup_public
@method_decorator(rate_limit("link_page"), name="dispatch")
class SignupConfirmView(View):
    """Confirm the email address: GET shows what happens, POST creates the account, signs it
    in and completes what the sign-up was for."""

    template_name = "accounts/signup_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        token_hash = SIGNUP_LINK.get(request) or ""
        self.signup = SignupRequest.objects.filter(token_hash=token_hash).first()
        problem = signup_request_problem(self.signup)
        if problem:
            return render_link_problem(request, problem, kind="signup")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"signup": self.signup})

    def post(self, request):
        try:
            user, signup = signup_confirm(token_hash=self.signup.token_hash)
        except ValidationError as exc:
            if exc.code in LinkProblem.values:
                return render_link_problem(request, exc.code, kind="signup")
            SIGNUP_LINK.clear(request)
            messages.error(request, error_text(exc))
            return redirect(settings.LOGIN_URL)
        SIGNUP_LINK.clear(request)
        login(request, user, backend="apps.accounts.backends.EmailBackend")
        return signup_purpose(signup.purpose)(request, user, signup.payload)
