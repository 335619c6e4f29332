"""The audit log is append-only: no update or delete through the ORM, raw SQL or the admin."""

import importlib
import sqlite3
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AuditEvent, AuditEventPartner
from apps.audit.services import MASK, audit_record
from tests.factories import PASSWORD, make_provider

triggers = importlib.import_module("apps.audit.migrations.0002_append_only_triggers")


@pytest.fixture
def event(db) -> AuditEvent:
    partner = make_provider("Contoso Distribution")
    with transaction.atomic():
        return audit_record(
            action="partner.created", target=partner, partners=[partner], data={"seats": 3}
        )


@contextmanager
def refused_by_the_database():
    """The trigger's error, inside a savepoint so the test database stays usable."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        yield


def assert_unchanged(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == "partner.created"
    assert stored.data == {"seats": 3}
    assert AuditEventPartner.objects.filter(event=event).count() == 1


def test_saving_a_changed_event_is_refused(event):
    event.action = "partner.forged"
    with refused_by_the_database():
        event.save()
    assert_unchanged(event)


def test_deleting_an_event_is_refused(event):
    with refused_by_the_database():
        event.delete()
    assert_unchanged(event)


def test_updating_events_in_bulk_is_refused(event):
    with refused_by_the_database():
        AuditEvent.objects.filter(pk=event.pk).update(action="partner.forged")
    with refused_by_the_database():
        AuditEvent.objects.bulk_update([event], ["data"])
    assert_unchanged(event)


def test_deleting_events_in_bulk_is_refused(event):
    with refused_by_the_database():
        AuditEvent.objects.all().delete()
    assert_unchanged(event)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'partner.forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
        "UPDATE audit_auditeventpartner SET partner_id = 0 WHERE event_id = %s",
        "DELETE FROM audit_auditeventpartner WHERE event_id = %s",
    ],
)
def test_raw_sql_cannot_change_or_remove_the_log(event, sql):
    with refused_by_the_database(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert_unchanged(event)


def test_the_partners_concerned_cannot_be_changed_or_removed(event):
    link = AuditEventPartner.objects.get(event=event)
    with refused_by_the_database():
        AuditEventPartner.objects.filter(pk=link.pk).update(partner_id=0)
    with refused_by_the_database():
        link.delete()
    assert_unchanged(event)


def test_new_events_can_still_be_appended(event):
    with transaction.atomic():
        audit_record(action="partner.updated", data={})
    assert AuditEvent.objects.count() == 2


def test_audit_record_refuses_to_run_outside_a_transaction():
    # no database marker: the test runs in autocommit, as a careless caller would
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        audit_record(action="partner.created")


@pytest.mark.django_db
def test_secrets_are_masked_in_the_stored_data():
    with transaction.atomic():
        event = audit_record(
            action="invitation.created",
            data={
                "password": "hunter2",
                "link": "https://partners.example.cn/i/abc/",
                "details": {"invitation_token": "abc", "seats": 5},
                "recipients": [{"email": "a@example.test", "api_key": "k-123"}],
                "services": ["azure", "office365"],
            },
        )
    stored = AuditEvent.objects.get(pk=event.pk).data
    assert stored == {
        "password": MASK,
        "link": MASK,
        "details": {"invitation_token": MASK, "seats": 5},
        "recipients": [{"email": "a@example.test", "api_key": MASK}],
        "services": ["azure", "office365"],
    }


# ------------------------------------------------------------------------------
# Django admin: even a superuser only looks
# ------------------------------------------------------------------------------
@pytest.fixture
def superuser_client(client, db):
    client.force_login(User.objects.create_superuser("root@example.test", PASSWORD))
    return client


def test_the_admin_shows_an_event_read_only(superuser_client, event):
    response = superuser_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False
    assert 'name="_save"' not in response.content.decode()


def test_the_admin_refuses_to_save_an_event(superuser_client, event):
    response = superuser_client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "partner.forged"}
    )
    assert response.status_code == 403
    assert_unchanged(event)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_admin_refuses_to_delete_an_event(superuser_client, event, method):
    url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    response = getattr(superuser_client, method)(url, {"post": "yes"})
    assert response.status_code == 403
    assert_unchanged(event)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_admin_refuses_to_add_an_event(superuser_client, db, method):
    response = getattr(superuser_client, method)(
        reverse("admin:audit_auditevent_add"), {"action": "partner.forged"}
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.exclude(action="account.signed_in").exists()


def test_the_admin_list_offers_no_bulk_delete(superuser_client, event):
    url = reverse("admin:audit_auditevent_changelist")
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert "delete_selected" not in response.content.decode()
    refused = superuser_client.post(
        url, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert refused.status_code in (200, 302, 403)
    assert_unchanged(event)


# ------------------------------------------------------------------------------
# The same triggers on SQLite (the embedded database of `make run`)
# ------------------------------------------------------------------------------
def test_the_sqlite_triggers_refuse_update_and_delete():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE audit_auditevent (id INTEGER PRIMARY KEY, action TEXT)")
    db.execute("CREATE TABLE audit_auditeventpartner (id INTEGER PRIMARY KEY, event_id INT)")
    schema_editor = SimpleNamespace(
        connection=SimpleNamespace(vendor="sqlite"),
        execute=lambda sql, params=None: db.execute(sql),
    )
    triggers.forwards(None, schema_editor)
    db.execute("INSERT INTO audit_auditevent (id, action) VALUES (1, 'partner.created')")
    db.execute("INSERT INTO audit_auditeventpartner (id, event_id) VALUES (1, 1)")
    for sql in [
        "UPDATE audit_auditevent SET action = 'x'",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditeventpartner SET event_id = 2",
        "DELETE FROM audit_auditeventpartner",
    ]:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(sql)
    assert db.execute("SELECT action FROM audit_auditevent").fetchall() == [("partner.created",)]
