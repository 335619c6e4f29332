"""The typed vocabulary: permissions and audit actions come from one registry each, and a
name that is not registered fails loudly instead of silently denying or mislabelling."""

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django.db import transaction

from apps.api.events import EVENT_TYPES as WEBHOOK_EVENT_TYPES
from apps.audit.actions import AuditAction, action_label
from apps.audit.services import audit_record
from apps.notifications.registry import KINDS
from apps.partners.permissions import ROLE_PERMISSIONS, Permission, Role

ROOT = Path(__file__).resolve().parent.parent
APP_SOURCES = sorted((ROOT / "apps").rglob("*.py"))
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def _found(pattern: str, files) -> set[str]:
    names = set()
    for path in files:
        names.update(re.findall(pattern, path.read_text(encoding="utf-8")))
    return names


def test_every_permission_a_view_declares_is_registered():
    declared = _found(r'permission = "([a-z_.]+)"', APP_SOURCES)
    assert declared
    assert declared <= set(Permission.values)


def test_every_permission_a_template_asks_is_registered():
    asked = _found(r'\|can:"([a-z_.]+)"', TEMPLATES)
    assert asked
    assert asked <= set(Permission.values)


def test_every_registered_permission_belongs_to_a_role():
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted == set(Permission)
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_every_audit_action_named_in_the_code_is_registered():
    named = _found(
        r'"((?:account|auditor|partner|team|partnership|invitation|customer|'
        r'relationship|grant|subscription)\.[a-z_]+)"',
        APP_SOURCES,
    )
    other_vocabularies = (
        set(Permission.values) | {kind.code for kind in KINDS.values()} | set(WEBHOOK_EVENT_TYPES)
    )
    # `customer.public_id` and the like are attribute paths (serializer sources), not actions
    attribute_paths = {name for name in named if name.endswith(".public_id")}
    assert named - other_vocabularies - attribute_paths <= set(AuditAction.values)


def test_every_action_has_a_label_people_read():
    for action in AuditAction:
        assert action.label and action.label != action.value
    assert action_label("invitation.created") == "Invitation created"
    assert action_label("no.longer_listed") == "no.longer_listed"


@pytest.mark.django_db
def test_an_unknown_action_is_refused_and_writes_nothing():
    from apps.audit.models import AuditEvent

    with pytest.raises(ValueError, match="unknown audit action"), transaction.atomic():
        audit_record(action="invitation.craeted")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_unknown_permission_raises_instead_of_denying(cast):
    membership = cast.provider.memberships.get(user=cast.provider_admin)
    assert membership.has_perm("customers.view") is True
    with pytest.raises(ValueError):
        membership.has_perm("customer.view")


# ------------------------------------------------------------------------------
# The actor argument
# ------------------------------------------------------------------------------
OLD_ACTOR_NAMES = {
    "created_by",
    "invited_by",
    "granted_by",
    "removed_by",
    "ended_by",
    "sent_by",
    "revoked_by",
    "imported_by",
    "accepted_by",
    "added_by",
}

# Functions whose `user` is not the person acting but the one acted upon or asked about.
USER_IS_NOT_THE_ACTOR = {
    # the account whose password changes (the actor is that same person)
    "apps.accounts.services.user_set_password",
    # the account whose profile, privileges or password change; the one changing them is `by`
    "apps.accounts.services.user_update_profile",
    "apps.accounts.services.user_set_privileges",
    "apps.accounts.services.user_admin_set_password",
    "apps.accounts.services.user_admin_record_created",
    "apps.accounts.services.mfa_reset_by_operator",  # the user who lost it; the operator is `by`
    "apps.accounts.services.privileges_of",
    "apps.accounts.services._lock",
    # the person made a member; the operator adding them is `by`
    "apps.customers.services.customer_membership_add",
    "apps.partners.services.team.membership_add",
    # the owner of the notifications and preferences
    "apps.notifications.services.notifications_mark_read",
    "apps.notifications.services.notification_preferences_set",
    "apps.notifications.services.email_preferences",
    # a question about someone's membership, asked of whoever is given
    "apps.invitations.services._is_member",
}


def _service_modules():
    paths = [
        *(ROOT / "apps").glob("*/services.py"),
        *(ROOT / "apps").glob("*/services/*.py"),
        ROOT / "apps" / "invitations" / "acceptance.py",
    ]
    names = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in paths
    ]
    return [importlib.import_module(name) for name in sorted(names)]


def _service_functions():
    for module in _service_modules():
        for name, function in vars(module).items():
            if inspect.isfunction(function) and function.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", inspect.signature(function).parameters


def test_every_service_names_its_actor_by():
    functions = dict(_service_functions())
    assert "apps.invitations.acceptance.invitation_accept" in functions
    assert "apps.partners.services.team.team_invite" in functions
    old_names = {name: sorted(OLD_ACTOR_NAMES & set(params)) for name, params in functions.items()}
    assert {name: found for name, found in old_names.items() if found} == {}
    actor_named_user = {
        name
        for name, params in functions.items()
        if "user" in params and name not in USER_IS_NOT_THE_ACTOR
    }
    assert actor_named_user == set()
    not_keyword_only = {
        name
        for name, params in functions.items()
        if "by" in params and params["by"].kind is not inspect.Parameter.KEYWORD_ONLY
    }
    assert not_keyword_only == set()


def test_the_user_allow_list_names_functions_that_take_a_user():
    functions = dict(_service_functions())
    for name in USER_IS_NOT_THE_ACTOR:
        assert "user" in functions[name], name
