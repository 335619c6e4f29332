"""The organizations a user may act for, gathered from the apps that define them.

accounts depends on no other app: partners and customers register a provider function in
their AppConfig.ready(), and the switcher and dashboard ask this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OrganizationLink:
    kind_label: str
    name: str
    url: str
    detail: str = ""


_providers: list[Callable] = []


def register_organization_provider(func: Callable) -> None:
    if func not in _providers:
        _providers.append(func)


def organizations_for(user) -> list[OrganizationLink]:
    if not user.is_authenticated:
        return []
    links: list[OrganizationLink] = []
    for provider in _providers:
        links.extend(provider(user))
    return links


_REQUEST_ATTR = "_pp_user_organizations"


def organizations_for_request(request) -> list[OrganizationLink]:
    """`organizations_for(request.user)`, computed at most once per request.

    The switcher in the page header and the dashboard both ask for the list; before, the
    dashboard ran the providers' queries twice. The result is kept on the request (not the
    session): see docs/performance.md, "The organization switcher", for why not longer.
    """
    user = getattr(request, "user", None)
    if user is None:
        return []
    cached = getattr(request, _REQUEST_ATTR, None)
    # keyed by the user's identity too: a sign-in or sign-out inside the request changes it
    key = (user.pk, user.is_authenticated)
    if cached is None or cached[0] != key:
        cached = (key, organizations_for(user))
        setattr(request, _REQUEST_ATTR, cached)
    return cached[1]
