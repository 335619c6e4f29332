"""No input a user can type causes a 5xx (issue 15, defect 5).

Walks every URL pattern of the project (the admin's included), puts hostile values in each
path parameter in turn (the others keep working values, so the request reaches as deep as it
can), and sends GET, and POST where the view takes POST, as an outsider, a provider Global
admin and an operator. Every list page, export and admin changelist also gets hostile query
strings. Any status of 500 or more (or an exception out of the test client) fails.
"""

import logging
import re
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.invitations.builders import make_delivery, make_invitation

HOSTILE = [
    "\x00",
    "%00",
    "x" * 10_000,
    "-1",
    "0",
    "99999999999999999999999",
    "ü名",
    "",
    "../",
    "' OR 1=1",
]
# Query-string values, on every page that answers GET, every export and admin changelist.
# The last is a cursor (apps.core.pagination) holding an impossible date and a float id.
HOSTILE_QUERY = [
    "\x00",
    "99999999999999999999999",
    "ü名",
    "2024-13-45",
    "WyIyMDI0LTEzLTQ1VDAwOjAwOjAwKzAwOjAwIiwgMWUrMzBd",
]
QUERY_KEYS = ["page", "after", "before", "q", "action", "date_from"]
# The admin's own lookups, on every changelist.
ADMIN_QUERY = ["\x00", "99999999999999999999999", "2024-13-45"]

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _walk(patterns, prefix=""):
    """(route template with <converter:name> placeholders, URLPattern) for every pattern."""
    for entry in patterns:
        text = _template(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            yield prefix + text, entry


def _template(pattern) -> str:
    text = str(pattern)
    if hasattr(pattern, "regex") and text.startswith("^"):
        text = text.lstrip("^").rstrip("$").replace("\\Z", "")
        text = REGEX_GROUP.sub(lambda m: f"<{m['name']}>", text)
        return text.replace("\\", "")
    return text


ROUTES = sorted({(t, p) for t, p in _walk(get_resolver().url_patterns)}, key=lambda r: r[0])


def _group(template: str) -> str:
    """Tests are grouped by the first two segments (one cast per group keeps the run short)."""
    return "/".join(PARAM.sub("*", template).split("/")[:2]) or "/"


GROUPS = sorted({_group(t) for t, _ in ROUTES})


def _takes_post(pattern: URLPattern) -> bool:
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    return True  # function views (the admin's): POST and let them answer


def _fill(template: str, values: dict[str, str], quoted: bool = True) -> str:
    def value(match):
        text = values[match["name"]]
        return quote(text, safe="") if quoted else text

    return "/" + PARAM.sub(value, template)


@pytest.fixture
def world(cast, caplog):
    # 404s and 400s are expected by the thousand; logging each would be most of the run.
    caplog.set_level(logging.ERROR, logger="django.request")
    caplog.set_level(logging.ERROR, logger="django.security")
    invitation = make_invitation(cast.provider, cast.reseller)
    delivery = make_delivery(invitation)
    valid = {
        "partner_id": cast.provider.public_id,
        "customer_id": cast.customer.public_id,
        "invitation_id": invitation.public_id,
        "delivery_id": str(delivery.pk),
        "token": "i" + "x" * 22 + ".sig",
        "uidb64": "MQ",
        "object_id": str(cast.provider.pk),
        "content_type_id": "1",
        "app_label": "partners",
    }
    clients = {}
    for role in ("anonymous", "provider_admin", "customer_admin", "staff"):
        client = Client(raise_request_exception=True)
        if role != "anonymous":
            client.force_login(getattr(cast, role))
        clients[role] = client
    return valid, clients


def _valid(match, valid: dict[str, str]) -> str:
    if match["converter"] == "int":
        return "1"
    return valid.get(match["name"], "1")


def _check(client, method: str, url: str, role: str, failures: list, data=None):
    try:
        # A savepoint each: one failed query must not hide the requests after it.
        with transaction.atomic():
            response = getattr(client, method)(url, data or {})
    except Exception as exc:  # noqa: BLE001 - any exception is the failure we look for
        failures.append(f"{role} {method.upper()} {url[:120]!r}: {type(exc).__name__}: {exc}"[:300])
        return
    if response.status_code >= 500:
        failures.append(f"{role} {method.upper()} {url[:120]!r}: {response.status_code}")
    # Reading a streamed body finds a failure that happens after the headers went out.
    if getattr(response, "streaming", False):
        try:
            b"".join(response.streaming_content)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{role} stream {url[:120]!r}: {type(exc).__name__}: {exc}"[:300])


def _owner(template: str) -> str:
    return "customer_admin" if template.startswith("c/") else "provider_admin"


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_path_parameters_never_cause_a_5xx(group, world):
    valid, clients = world
    failures: list[str] = []
    for template, pattern in ROUTES:
        if _group(template) != group or not PARAM.search(template):
            continue
        admin_route = template.startswith(settings.ADMIN_URL)
        # (Staff on a partner page is an outsider like any other: the owner and anonymous.)
        roles = ["staff"] if admin_route else ["anonymous", _owner(template)]
        hostile_values = HOSTILE[:3] + HOSTILE[5:8] if admin_route else HOSTILE
        matches = list(PARAM.finditer(template))
        for match in matches:
            for hostile in hostile_values:
                values = {m["name"]: _valid(m, valid) for m in matches}
                values[match["name"]] = hostile
                url = _fill(template, values)
                for role in roles:
                    _check(clients[role], "get", url, role, failures)
                    if _takes_post(pattern) and role != "anonymous":
                        _check(clients[role], "post", url, role, failures)
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("group", GROUPS)
def test_hostile_query_strings_never_cause_a_5xx(group, world):
    """Every page that answers GET (lists, exports, forms), with hostile filters and pages."""
    valid, clients = world
    failures: list[str] = []
    for template, _pattern in ROUTES:
        if _group(template) != group or template.startswith(settings.ADMIN_URL):
            continue
        url = _fill(template, {m["name"]: _valid(m, valid) for m in PARAM.finditer(template)})
        role = _owner(template)
        for key in QUERY_KEYS:
            for hostile in HOSTILE_QUERY:
                _check(clients[role], "get", f"{url}?{urlencode({key: hostile})}", role, failures)
    assert failures == [], "\n".join(failures)


def _admin_keys(model, model_admin) -> set[str]:
    """The lookups a changelist offers: its list filters, date hierarchy, search, ordering and
    page, and an exact lookup on the primary key and every foreign key."""
    keys = {"q", "p", "o", "e", "_to_field", "id__exact"}
    for field in model._meta.get_fields():
        if getattr(field, "concrete", False) and field.is_relation:
            keys.add(f"{field.attname}__exact")
    for spec in model_admin.list_filter:
        name = spec if isinstance(spec, str) else spec[0] if isinstance(spec, tuple) else None
        if name:
            keys |= {f"{name}__exact", f"{name}__id__exact", f"{name}__gte"}
        parameter = getattr(spec, "parameter_name", None)
        if parameter:
            keys.add(parameter)
    if model_admin.date_hierarchy:
        keys |= {f"{model_admin.date_hierarchy}__{p}" for p in ("year", "month", "day")}
    return keys


APP_LABELS = sorted({model._meta.app_label for model in admin.site._registry})


@pytest.mark.parametrize("app_label", APP_LABELS)
def test_hostile_admin_changelist_filters_never_cause_a_5xx(app_label, world):
    valid, clients = world
    failures: list[str] = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label != app_label:
            continue
        url = f"/{settings.ADMIN_URL}{opts.app_label}/{opts.model_name}/"
        for key in sorted(_admin_keys(model, model_admin)):
            for hostile in ADMIN_QUERY:
                _check(
                    clients["staff"], "get", f"{url}?{urlencode({key: hostile})}", "staff", failures
                )
        if "export.csv" in {str(u.pattern) for u in model_admin.get_urls()}:
            for hostile in ADMIN_QUERY:
                query = urlencode({"action__exact": hostile, "q": hostile})
                _check(clients["staff"], "get", f"{url}export.csv?{query}", "staff", failures)
    assert failures == [], "\n".join(failures)
