"""Every privilege change is audited (issue 15, defect 4): staff and superuser flags, groups
and permissions in the admin's user form, a password an operator sets, a group's permissions,
and a user's own profile changes; old -> new, never the password."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("operator@example.test", factories.PASSWORD)


@pytest.fixture
def ops(client, operator):
    client.force_login(operator)
    return client


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def change_form_data(client, user) -> dict:
    """What the admin's user page would post back unchanged (inlines included)."""
    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled or name == "password":
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(v.pk if hasattr(v, "pk") else v) for v in value]
        elif value is not None:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


def test_ticking_staff_superuser_groups_and_permissions_is_recorded_old_to_new(ops, operator):
    user = factories.make_user("pat@example.test")
    group = Group.objects.create(name="Support")
    permission = Permission.objects.get(codename="view_user")
    data = change_form_data(ops, user)
    data.update(
        is_staff="on",
        is_superuser="on",
        groups=[str(group.pk)],
        user_permissions=[str(permission.pk)],
    )
    response = ops.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    assert list(user.groups.all()) == [group]
    [event] = events("account.privileges_changed")
    assert event.actor == operator
    assert event.target_id == str(user.pk)
    assert event.data["changes"] == {
        "is_staff": [False, True],
        "is_superuser": [False, True],
        "groups": [[], ["Support"]],
        "permissions": [[], ["accounts.view_user"]],
    }
    assert not events("account.profile_changed")

    # taking them away again is recorded the other way round
    data = change_form_data(ops, user)
    data.pop("is_superuser")
    data["groups"] = []
    response = ops.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302
    last = events("account.privileges_changed")[-1]
    assert last.data["changes"] == {
        "is_superuser": [True, False],
        "groups": [["Support"], []],
    }


def test_saving_the_user_page_unchanged_records_nothing(ops):
    user = factories.make_user("pat@example.test")
    response = ops.post(
        reverse("admin:accounts_user_change", args=[user.pk]), change_form_data(ops, user)
    )
    assert response.status_code == 302
    assert not events("account.privileges_changed")
    assert not events("account.profile_changed")


def test_a_profile_change_in_the_admin_is_recorded(ops):
    user = factories.make_user("pat@example.test", display_name="Pat")
    data = change_form_data(ops, user)
    data.update(email="patricia@example.test", display_name="Patricia")
    response = ops.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302
    [event] = events("account.profile_changed")
    assert event.data["changes"] == {
        "email": ["pat@example.test", "patricia@example.test"],
        "display_name": ["Pat", "Patricia"],
    }


def test_an_operator_setting_a_password_is_recorded_without_the_password(ops, operator):
    user = factories.make_user("pat@example.test")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = ops.post(
        url,
        {
            "password1": "Another-Long-Pass-2026",
            "password2": "Another-Long-Pass-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Long-Pass-2026")
    [event] = events("account.password_set")
    assert event.actor == operator
    assert event.data == {"usable": True}
    assert "Another-Long-Pass-2026" not in str(event.__dict__)


def test_an_operator_creating_a_user_with_a_password_is_recorded(ops, operator):
    response = ops.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.test",
            "display_name": "New",
            "usable_password": "true",
            "password1": "Another-Long-Pass-2026",
            "password2": "Another-Long-Pass-2026",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    [event] = events("account.password_set")
    assert event.actor == operator
    assert event.target_repr == "new@example.test"
    assert event.data == {"usable": True, "new_account": True}


def test_a_groups_permissions_changing_or_the_group_going_is_recorded(ops, operator):
    group = Group.objects.create(name="Support")
    permission = Permission.objects.get(codename="view_user")
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = ops.post(url, {"name": "Support desk", "permissions": [str(permission.pk)]})
    assert response.status_code == 302
    [event] = events("group.changed")
    assert event.actor == operator
    assert event.data["changes"] == {
        "name": ["Support", "Support desk"],
        "permissions": [[], ["accounts.view_user"]],
    }
    response = ops.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})
    assert response.status_code == 302
    [deleted] = events("group.deleted")
    assert deleted.data["changes"]["permissions"] == [["accounts.view_user"], None]


def test_changing_ones_own_display_name_language_and_time_zone_is_recorded(client):
    user = factories.make_user("pat@example.test", display_name="Pat")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Patricia", "language": "it", "time_zone": "Europe/Rome"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.language, user.time_zone) == ("Patricia", "it", "Europe/Rome")
    [event] = events("account.profile_changed")
    assert event.actor == user
    assert event.data["changes"]["display_name"] == ["Pat", "Patricia"]
    assert set(event.data["changes"]) == {"display_name", "language", "time_zone"}
    # saving again without a change records nothing more
    client.post(
        reverse("accounts:profile"),
        {"display_name": "Patricia", "language": "it", "time_zone": "Europe/Rome"},
    )
    assert len(events("account.profile_changed")) == 1


def test_switching_language_while_signed_in_is_recorded(client):
    user = factories.make_user("pat@example.test")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    [event] = events("account.profile_changed")
    assert event.data["changes"]["language"][1] == "zh-hans"
