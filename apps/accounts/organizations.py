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
