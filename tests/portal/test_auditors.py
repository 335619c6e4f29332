"""The Auditors group (every view permission, nothing else), kept complete after every migrate,
and the ways to make someone an auditor: create_auditor and seed_demo."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.core.management.sql import emit_post_migrate_signal

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.portal.auditors import AUDITORS_GROUP, grant_view_permissions, is_read_only_staff
from apps.portal.services import auditor_add
from tests import factories


def auditors() -> Group:
    return Group.objects.get(name=AUDITORS_GROUP)


def test_the_group_may_view_every_model_and_nothing_else(db):
    codenames = set(auditors().permissions.values_list("content_type__app_label", "codename"))
    expected = {
        (model._meta.app_label, f"view_{model._meta.model_name}")
        for model in apps.get_models()
        if "view" in model._meta.default_permissions
    }
    assert codenames == expected


def test_after_migrate_the_group_gets_the_view_permissions_of_new_models(db):
    content_type = ContentType.objects.create(app_label="reports", model="report")
    view = Permission.objects.create(
        codename="view_report", name="Can view report", content_type=content_type
    )
    change = Permission.objects.create(
        codename="change_report", name="Can change report", content_type=content_type
    )
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    granted = set(auditors().permissions.all())
    assert view in granted
    assert change not in granted


def test_granting_twice_changes_nothing(db):
    before = set(auditors().permissions.values_list("pk", flat=True))
    grant_view_permissions()
    grant_view_permissions()
    assert set(auditors().permissions.values_list("pk", flat=True)) == before
    assert Group.objects.filter(name=AUDITORS_GROUP).count() == 1


def test_the_group_is_recreated_if_an_operator_deleted_it(db):
    auditors().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert auditors().permissions.filter(codename="view_auditevent").exists()


def test_an_auditor_is_read_only_staff_and_an_operator_is_not(db, cast):
    user, _created = auditor_add(email="ada@example.test")
    assert is_read_only_staff(user)
    assert not is_read_only_staff(cast.staff)
    assert not is_read_only_staff(cast.provider_admin)  # not staff at all
    user.user_permissions.add(Permission.objects.get(codename="change_partner"))
    assert not is_read_only_staff(User.objects.get(pk=user.pk))


# ------------------------------------------------------------------------------
# auditor_add and create_auditor
# ------------------------------------------------------------------------------


def test_adding_a_new_auditor_creates_a_staff_user_in_the_group(db):
    user, created = auditor_add(email="  Ada@Example.TEST ", display_name="Ada")
    assert created
    assert user.email == "ada@example.test"
    assert user.is_staff and not user.is_superuser
    assert user.has_usable_password()  # so that "Forgot your password?" works
    assert list(user.groups.values_list("name", flat=True)) == [AUDITORS_GROUP]
    event = AuditEvent.objects.get(action="auditor.added")
    assert event.target_id == str(user.pk)


def test_an_existing_user_becomes_an_auditor_once(db, cast):
    user, created = auditor_add(email=cast.provider_sales.email)
    assert not created
    assert user.pk == cast.provider_sales.pk and user.is_staff
    auditor_add(email=cast.provider_sales.email)
    assert AuditEvent.objects.filter(action="auditor.added").count() == 1


def test_a_superuser_cannot_be_made_an_auditor(db, cast):
    with pytest.raises(ValidationError, match="superuser"):
        auditor_add(email=cast.staff.email)
    assert not cast.staff.groups.exists()


def test_an_invalid_email_or_weak_password_is_refused(db):
    with pytest.raises(ValidationError):
        auditor_add(email="not-an-email")
    with pytest.raises(ValidationError):
        auditor_add(email="weak@example.test", password="123")
    assert not User.objects.filter(email="weak@example.test").exists()


def test_create_auditor_makes_an_auditor(db):
    out = io.StringIO()
    call_command("create_auditor", "eve@example.test", "--name", "Eve", "--no-input", stdout=out)
    user = User.objects.get(email="eve@example.test")
    assert user.display_name == "Eve"
    assert is_read_only_staff(user)
    assert "Forgot your password?" in out.getvalue()


def test_create_auditor_warns_when_the_user_may_still_change_things(db, cast):
    cast.provider_admin.user_permissions.add(Permission.objects.get(codename="change_partner"))
    out = io.StringIO()
    call_command("create_auditor", cast.provider_admin.email, "--no-input", stdout=out)
    assert "also holds add, change or delete permissions" in out.getvalue()


def test_create_auditor_refuses_a_superuser_with_a_clear_message(db, cast):
    with pytest.raises(CommandError, match="superuser"):
        call_command("create_auditor", cast.staff.email, "--no-input", stdout=io.StringIO())


def test_the_demo_auditor_lands_in_the_group(db):
    call_command("seed_demo", stdout=io.StringIO())
    user = User.objects.get(email="auditor@demo.test")
    assert is_read_only_staff(user)
    assert user.groups.filter(name=AUDITORS_GROUP).exists()
    assert user.has_perm("partners.view_partner")
    assert not user.has_perm("partners.change_partner")


def test_factories_users_are_not_auditors(db):
    assert not is_read_only_staff(factories.make_user())
