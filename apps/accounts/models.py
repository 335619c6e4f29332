from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):
        # Emails are compared case-insensitively everywhere; store them lower-cased.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=(username or "").strip())

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address (case-insensitive and unique)."""

    email = models.EmailField(_("email address"), max_length=254)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    is_staff = models.BooleanField(
        _("operator staff"),
        default=False,
        help_text=_("Operator staff can sign in to the administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Kept by the two-step verification services (mfa_totp_confirm, mfa_remove), so that the
    # middleware knows without a query whether this user must pass a second factor
    mfa_enabled = models.BooleanField(_("two-step verification"), default=False, editable=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.display_name or self.email

    def clean(self):
        super().clean()
        self.email = User.objects.normalize_email(self.email)

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email.split("@")[0]


class SignupRequest(models.Model):
    """A sign-up waiting for its owner to confirm the email address (issue 15, defect 7b).

    A sign-up form always answers "check your inbox", whether or not the address has an
    account; only the mailbox learns which. The link in the email is a 256-bit token of which
    only the SHA-256 hash is kept here; it works once and expires. The password is kept hashed,
    never in the link, and is cleared once the request is used. `purpose` names what the
    sign-up completes (apps register it in apps.accounts.signups) and `payload` what it needs.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=150)
    password = models.CharField(max_length=128, blank=True)
    purpose = models.CharField(max_length=40)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sign-up request")
        verbose_name_plural = _("sign-up requests")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} ({self.purpose})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
