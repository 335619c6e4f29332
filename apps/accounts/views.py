from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import UpdateView

from apps.core.ratelimit import rate_limit

from .forms import EmailAuthenticationForm, PasswordResetForm, ProfileForm
from .organizations import organizations_for
from .services import user_update_profile


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def dashboard(request):
    """Where a user lands after sign-in: the organizations they act for. Someone with exactly
    one organization (and no operator admin to reach) goes straight to it: a dashboard of one
    card would only cost a click every time."""
    organizations = organizations_for(request.user)
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
