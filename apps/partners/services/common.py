"""Helpers every partners service module shares: accounts created while accepting a link,
link expiry, and the partner-row lock that serializes changes to who holds which role."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Partner

User = get_user_model()


@dataclass(frozen=True)
class NewAccount:
    """An account to create while accepting a link (sign-up and acceptance are one step)."""

    display_name: str
    email: str
    password: str


def _normalize_email(email: str) -> str:
    return User.objects.normalize_email(email)


def _link_expiry():
    return timezone.now() + timedelta(days=settings.TEAM_INVITATION_DAYS)


def _create_account(account: NewAccount):
    email = _normalize_email(account.email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this email already exists. Sign in instead."))
    return User.objects.create_user(email, account.password, display_name=account.display_name)


def _lock_partner(partner_id: int) -> Partner:
    """Lock the partner row: every change to who holds which role queues up behind it."""
    return Partner.objects.select_for_update().get(pk=partner_id)


def joining_user(*, invited_email: str, by, new_account: NewAccount | None):
    """Who accepts a team invitation sent to `invited_email` (a partner's or a customer's
    team): the account `new_account` creates now, whose address must be the invited one, or
    the signed-in `by`, who must have that address."""
    if new_account is not None:
        if _normalize_email(new_account.email).lower() != invited_email.lower():
            raise ValidationError(
                _("This invitation was sent to %(email)s; sign up with that address.")
                % {"email": invited_email}
            )
        by = _create_account(new_account)
    if by is None or not by.is_authenticated:
        raise ValidationError(_("Sign in or create an account to accept."))
    if by.email.lower() != invited_email.lower():
        raise ValidationError(
            _(
                "This invitation was sent to %(invited)s, but you are signed in as "
                "%(current)s. Sign out and sign in with the invited address."
            )
            % {"invited": invited_email, "current": by.email}
        )
    return by
