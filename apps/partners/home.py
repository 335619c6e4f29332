"""What a partner organization's home page shows: the primary actions, counts and pending work.

Each app knows its own part (partners: resellers and partnership requests; customers: the
customer count; invitations: links, failed deliveries, link requests), but the home page lives
in partners, below them. So, like the organization switcher (apps.accounts.organizations),
the apps above register a function in their AppConfig.ready() and the page asks this registry.

A section function takes the member's PartnerMembership and returns a HomeSection; it asks
`membership.has_perm(...)` itself and returns nothing the member may not open. Each costs a
fixed number of queries, whatever the organization's size (tests/partners/test_home.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HomeAction:
    label: str
    url: str
    primary: bool = False
    order: int = 50  # lower first: the main task leads


@dataclass(frozen=True)
class HomeCount:
    label: str
    value: int
    url: str = ""


@dataclass(frozen=True)
class PendingItem:
    """Something waiting for the organization: says what, how many, and where to act."""

    text: str
    url: str
    count: int = 0
    level: str = "warning"  # warning (act soon) or info


@dataclass
class HomeSection:
    actions: list[HomeAction] = field(default_factory=list)
    counts: list[HomeCount] = field(default_factory=list)
    pending: list[PendingItem] = field(default_factory=list)


_sections: list[Callable] = []


def register_home_section(func: Callable) -> None:
    if func not in _sections:
        _sections.append(func)


def home_for(membership) -> HomeSection:
    """Every registered section for this member, merged; actions with the main task first."""
    merged = HomeSection()
    for section in _sections:
        part = section(membership)
        merged.actions.extend(part.actions)
        merged.counts.extend(part.counts)
        merged.pending.extend(part.pending)
    merged.actions.sort(key=lambda a: (not a.primary, a.order))
    return merged
