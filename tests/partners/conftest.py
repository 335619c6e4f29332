"""Helpers for partner tests: sending invitations through the services and reading the
one-time link back out of the email, as a recipient would."""

import re

import pytest
from django.core import mail

from apps.partners import services
from apps.partners.models import Role

LINK = re.compile(r"http://testserver/t/([A-Za-z0-9_-]{20,})/")


def token_from_last_email() -> str:
    """The token of the link in the most recent email (plain-text part)."""
    return LINK.search(mail.outbox[-1].body).group(1)


@pytest.fixture
def invite_member(django_capture_on_commit_callbacks):
    """invite_member(partner, by, email, role) -> (invitation, token)."""

    def _invite(partner, by, email, role=Role.SALES_AGENT):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.team_invite(
                partner=partner, by=by, email=email, role=role, acting_partner=partner
            )
        return invitation, token_from_last_email()

    return _invite


@pytest.fixture
def invite_reseller(django_capture_on_commit_callbacks):
    """invite_reseller(provider, by, email, reseller=None) -> (partnership, token)."""

    def _invite(provider, by, email, reseller=None):
        with django_capture_on_commit_callbacks(execute=True):
            partnership = services.partnership_invite(
                provider=provider,
                by=by,
                email=email,
                reseller=reseller,
                acting_partner=provider,
            )
        return partnership, token_from_last_email()

    return _invite
