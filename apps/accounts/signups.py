"""Sign-up by email confirmation: what a confirmed sign-up goes on to complete.

A sign-up form never creates the account itself (that would tell anyone typing an address
whether it has one): it calls `services.signup_request`, which always answers the same, and
emails either a one-time confirmation link or, when the address has an account, a note to sign
in instead. Opening the link and confirming (`services.signup_confirm`) creates the account;
the purpose the form registered here then completes what the sign-up was for (accept a reseller
partnership, create the customer organization that answers an invitation, ...).

accounts depends on no app above it, so the apps register their purposes in AppConfig.ready():

    register_signup_purpose("partners.reseller", complete_reseller_signup)

where `complete(request, user, payload)` runs after the new user is signed in and returns the
response to show (usually a redirect). It calls the same services a signed-in user's page would,
so the rules of what it completes stay in one place.
"""

from collections.abc import Callable

from django.shortcuts import render

from apps.core.links import LinkStash

# The confirmation link's token moves here (as its hash) before the confirmation page shows.
SIGNUP_LINK = LinkStash("signup_link")
# How long a confirmation link works.
SIGNUP_LINK_HOURS = 24

_purposes: dict[str, Callable] = {}


def register_signup_purpose(name: str, complete: Callable) -> None:
    _purposes[name] = complete


def signup_purpose(name: str) -> Callable | None:
    return _purposes.get(name)


def signup_purposes() -> list[str]:
    return sorted(_purposes)


def signup_sent(request):
    """The one answer of every sign-up form: check your inbox (the same page, whatever the
    address, so that the page tells nobody whether it has an account)."""
    return render(request, "accounts/signup_sent.html")
