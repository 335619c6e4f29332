"""Admin actions go through the same services as the portal, so they write audit events.

Generic over every action registered in the admin (the app owners test what each does): run
by operator staff on every row of the data set, an action that changes anything must have
recorded at least one audit event by that operator.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from apps.audit.models import AuditEvent, AuditEventPartner

from .conftest import database_fingerprint

# Rows that change with every admin request or are the audit trail itself.
TRAIL = {AuditEvent._meta.label, AuditEventPartner._meta.label, LogEntry._meta.label}


def _actions():
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label
    ):
        if not model.__module__.startswith("apps."):
            continue
        for _func, name, _description in model_admin._get_base_actions():
            if name != "delete_selected":  # a raw admin edit: Django's LogEntry records it
                yield pytest.param(model, name, id=f"{model._meta.label}.{name}")


ACTIONS = list(_actions())


def _business_rows() -> dict:
    return {k: v for k, v in database_fingerprint().items() if k not in TRAIL}


@pytest.mark.skipif(not ACTIONS, reason="no admin action is registered yet")
@pytest.mark.parametrize(("model", "action"), ACTIONS)
def test_an_admin_action_that_changes_something_records_audit_events(
    model, action, admin_dataset, cast, client, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
    before = _business_rows()
    events_before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": action,
                "_selected_action": pks,
                "index": 0,
                # what the apps' confirmation pages post back
                "apply": "1",
                "post": "yes",
                "confirm": "yes",
                "reason": "Checked by the operator audit test",
            },
        )
    assert response.status_code in (200, 302)
    if _business_rows() != before:
        new_events = AuditEvent.objects.order_by("pk")[events_before:]
        assert new_events, f"{action} changed data without an audit event"
        assert all(event.actor_id == cast.staff.pk for event in new_events)
