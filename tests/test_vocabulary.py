"""The typed vocabulary: permissions and audit actions come from one registry each, and a
name that is not registered fails loudly instead of silently denying or mislabelling."""

import re
from pathlib import Path

import pytest
from django.db import transaction

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
    other_vocabularies = set(Permission.values) | {kind.code for kind in KINDS.values()}
    assert named - other_vocabularies <= set(AuditAction.values)


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
