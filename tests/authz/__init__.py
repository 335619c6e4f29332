"""The authorization matrix: every URL pattern of the project, with what each role gets.

Each app's routes are listed in `rows_<app>.py` (a `ROWS` list). `test_authorization_matrix`
fails when a route has no row, when a row names a route that does not exist, and when a role
gets anything but what its row expects.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = (
    "anonymous",
    "provider_admin",
    "provider_agent",
    "provider_sales",
    "provider_helpdesk",
    "reseller_admin",
    "customer_admin",
    "outsider",
    "staff",
)

# Expected outcomes: an HTTP status, or LOGIN for "redirected to the sign-in page".
LOGIN = "login"
# Namespaces whose routes are tested elsewhere (Django admin: tests/admin).
SKIPPED_NAMESPACES = {"admin"}


@dataclass
class Route:
    name: str
    expect: dict[str, int | str]
    kwargs: Callable = field(default=lambda cast: {})
    method: str = "get"
    data: Callable = field(default=lambda cast: {})

    def __post_init__(self):
        missing = set(ROLES) - set(self.expect)
        extra = set(self.expect) - set(ROLES)
        if missing or extra:
            raise ValueError(
                f"{self.name}: roles missing {sorted(missing)}, unknown {sorted(extra)}"
            )


def expect(default, **overrides) -> dict[str, int | str]:
    """Every role gets `default` except those named."""
    result = dict.fromkeys(ROLES, default)
    unknown = set(overrides) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    result.update(overrides)
    return result


def iter_route_names(patterns=None, namespace: str = ""):
    """Yield `namespace:name` for every URL pattern, and `None`-named ones as '<unnamed:regex>'."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            if full_ns.split(":")[0] in SKIPPED_NAMESPACES:
                continue
            yield from iter_route_names(entry.url_patterns, full_ns)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                yield f"<unnamed:{entry.pattern}>"
            else:
                yield f"{namespace}:{entry.name}" if namespace else entry.name


def all_rows() -> list[Route]:
    rows: list[Route] = []
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("rows_"):
            module = importlib.import_module(f"{__name__}.{module_info.name}")
            rows.extend(module.ROWS)
    return rows


def unlisted_routes(route_names, rows) -> list[str]:
    listed = {row.name for row in rows}
    return sorted({name for name in route_names if name not in listed})


def unknown_rows(route_names, rows) -> list[str]:
    names = set(route_names)
    return sorted(
        row.name
        for row in rows
        if row.name not in names and row.name.split(":")[0] not in SKIPPED_NAMESPACES
    )
