import zoneinfo

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.core.emails import send_email

from .models import User
from .services import user_set_password


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is inactive."),
    }


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        return user_set_password(user=self.user, password=self.cleaned_data["new_password1"])


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Emails the reset link in the account's language and time zone (else the page's),
    through the portal's one email sender (the templates are <name>_subject.txt, .txt, .html):
    the message goes to the outbox, so the page answers at once whatever the mail server does.
    """

    def save(self, *args, **kwargs):
        # One transaction for all the messages of this request: the outbox takes them only
        # inside one, and either all are queued or none.
        with transaction.atomic():
            return super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        send_email(
            template=email_template_name.removesuffix(".txt"),
            to=to_email,
            context=context,
        )


class PasswordResetSetForm(auth_forms.SetPasswordForm):
    """The last step of a reset by email."""

    def save(self, commit=True):
        return user_set_password(
            user=self.user, password=self.cleaned_data["new_password1"], via_reset=True
        )


class AdminUserCreationForm(auth_forms.BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A user with this email already exists."))
        return email


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A user with this email already exists."))
        return email


class SignUpForm(forms.Form):
    """The account part of a sign-up while answering a link (team, partnership or
    invitation). Whatever the address, the page answers the same (apps/accounts/signups.py)."""

    display_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        # Never "this address has an account" here: the form would tell anyone typing an
        # address whether it is registered. The confirmation email says it to the mailbox
        # (services.signup_request).
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean(self):
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            try:
                validate_password(
                    p1,
                    User(
                        email=cleaned.get("email", ""), display_name=cleaned.get("display_name", "")
                    ),
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


def time_zone_choices() -> list[tuple[str, str]]:
    return [("", _("Portal default"))] + [
        (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
    ]


class ProfileForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(
        label=_("Time zone"), choices=time_zone_choices, required=False, empty_value=""
    )

    class Meta:
        model = User
        fields = ["display_name", "language", "time_zone"]
        labels = {"display_name": _("Display name"), "language": _("Preferred language")}
        help_texts = {
            "display_name": _("How other people in the portal see you."),
            "language": _("Leave empty to follow your browser."),
        }


class MFACodeForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class MFASetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("Enter the 6-digit code the app shows after adding the account."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
