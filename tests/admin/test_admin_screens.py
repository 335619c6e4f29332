"""Every screen of the operator admin, for every registered model (including models that apps
register later): it loads for operator staff and for auditors, and auditors change nothing."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import URLPattern, reverse

from .conftest import database_fingerprint

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODEL_IDS = [model._meta.label for model, _admin in REGISTERED]
# The views every ModelAdmin has; anything else in get_urls() is an app's own admin view.
STANDARD_VIEWS = {"changelist", "add", "history", "delete", "change"}


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def some_object(model, model_admin, user):
    request = RequestFactory().get("/")
    request.user = user
    return model_admin.get_queryset(request).order_by("pk").first()


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.fixture(params=REGISTERED, ids=MODEL_IDS)
def registered(request):
    return request.param


# ------------------------------------------------------------------------------
# Every screen loads
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_every_changelist_loads_for_staff_and_auditors(
    registered, role, admin_dataset, cast, auditor, client
):
    model, _model_admin = registered
    client.force_login(cast.staff if role == "staff" else auditor)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


def test_every_add_page_loads_for_staff_or_is_refused_to_everyone(
    registered, admin_dataset, cast, client
):
    model, model_admin = registered
    client.force_login(cast.staff)
    response = client.get(admin_url(model, "add"))
    expected = 200 if model_admin.has_add_permission(request_as(cast.staff)) else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_every_change_page_loads_for_staff_and_auditors(
    registered, role, admin_dataset, cast, auditor, client
):
    model, model_admin = registered
    obj = some_object(model, model_admin, cast.staff)
    if obj is None:
        pytest.skip(f"no {model._meta.label} in the data set")
    client.force_login(cast.staff if role == "staff" else auditor)
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert client.get(admin_url(model, "history", obj.pk)).status_code == 200


def test_the_admin_index_lists_every_model_for_auditors(admin_dataset, auditor, client):
    client.force_login(auditor)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    for model, _model_admin in REGISTERED:
        assert admin_url(model, "changelist") in response.content.decode()


# ------------------------------------------------------------------------------
# Auditors read everything and change nothing
# ------------------------------------------------------------------------------


def test_auditors_may_view_but_not_add_change_or_delete_any_model(registered, auditor):
    _model, model_admin = registered
    request = request_as(auditor)
    assert model_admin.has_view_permission(request)
    assert model_admin.has_module_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_auditors_are_offered_no_action(registered, auditor):
    """An action that declares no allowed_permissions would be offered to anyone who may view
    the model; the admin site refuses it anyway (see below), but it must not be offered."""
    _model, model_admin = registered
    assert list(model_admin.get_actions(request_as(auditor))) == []


def test_auditors_posting_to_add_change_and_delete_pages_are_refused(
    registered, admin_dataset, cast, auditor, client
):
    model, model_admin = registered
    obj = some_object(model, model_admin, cast.staff)
    client.force_login(auditor)
    before = database_fingerprint()
    assert client.post(admin_url(model, "add"), {}).status_code == 403
    if obj is not None:
        assert client.post(admin_url(model, "change", obj.pk), {}).status_code == 403
        assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert database_fingerprint() == before


def _all_actions(model_admin):
    """Every action of the ModelAdmin and the site, whoever may see it."""
    return [name for _func, name, _description in model_admin._get_base_actions()]


def test_auditors_running_any_action_are_refused(registered, admin_dataset, cast, auditor, client):
    model, model_admin = registered
    pks = [
        str(pk)
        for pk in model_admin.get_queryset(request_as(cast.staff)).values_list("pk", flat=True)
    ]
    client.force_login(auditor)
    before = database_fingerprint()
    for action in _all_actions(model_admin):
        data = {
            "action": action,
            "_selected_action": pks,
            "index": 0,
            "select_across": 1,
            # what intermediate confirmation pages post back
            "post": "yes",
            "confirm": "yes",
            "apply": "1",
            "reason": "auditor test",
        }
        response = client.post(admin_url(model, "changelist"), data)
        assert response.status_code == 403, f"{action}: {response.status_code}"
    assert database_fingerprint() == before


def test_every_action_declares_the_permissions_it_needs(registered):
    """Django offers an action without allowed_permissions to anyone who may view the model;
    every action in this admin says what it needs (change, delete or a custom permission)."""
    _model, model_admin = registered
    lacking = [
        name
        for func, name, _description in model_admin._get_base_actions()
        if not getattr(func, "allowed_permissions", None)
    ]
    assert lacking == []


def test_no_list_counts_every_row_of_its_table_on_each_page_load(registered):
    _model, model_admin = registered
    assert model_admin.show_full_result_count is False


def _custom_urls(model_admin) -> list[URLPattern]:
    return [
        pattern
        for pattern in model_admin.get_urls()
        if isinstance(pattern, URLPattern)
        and pattern.name
        and pattern.name.rsplit("_", 1)[-1] not in STANDARD_VIEWS
    ]


def test_auditors_posting_to_any_custom_admin_view_are_refused(
    registered, admin_dataset, cast, auditor, client
):
    model, model_admin = registered
    obj = some_object(model, model_admin, cast.staff)
    client.force_login(auditor)
    before = database_fingerprint()
    for pattern in _custom_urls(model_admin):
        kwargs = {}
        for name in pattern.pattern.converters:
            if obj is None:
                break
            kwargs[name] = obj.pk
        if len(kwargs) != len(pattern.pattern.converters):
            continue
        url = reverse(f"admin:{pattern.name}", kwargs=kwargs)
        response = client.post(url, {"post": "yes", "confirm": "yes", "reason": "auditor test"})
        assert response.status_code in (403, 405), f"{pattern.name}: {response.status_code}"
    assert database_fingerprint() == before


def test_auditors_may_still_sign_out_and_change_their_password(auditor, client):
    client.force_login(auditor)
    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "Correct-Horse-2026",
            "new_password1": "Another-Horse-2027",
            "new_password2": "Another-Horse-2027",
        },
    )
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.check_password("Another-Horse-2027")
    assert client.post(reverse("admin:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_operator_staff_may_still_post_in_the_admin(cast, client):
    """The guard concerns read-only staff only."""
    client.force_login(cast.staff)
    response = client.post(
        admin_url(type(cast.staff), "add"),
        {
            "email": "new.operator@example.test",
            "display_name": "New Operator",
            "password1": "Another-Horse-2027",
            "password2": "Another-Horse-2027",
        },
    )
    assert response.status_code == 302
    assert type(cast.staff).objects.filter(email="new.operator@example.test").exists()
