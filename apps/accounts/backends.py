from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Sign in by email in any letter case (the manager looks the email up with iexact)."""


def axes_username(request, credentials=None) -> str:
    """The account django-axes counts failures for: the email as the login reads it, so that
    changing its letter case does not buy new attempts."""
    source = credentials or getattr(request, "POST", None) or {}
    email = source.get(settings.AXES_USERNAME_FORM_FIELD) or ""
    return get_user_model().objects.normalize_email(email)
