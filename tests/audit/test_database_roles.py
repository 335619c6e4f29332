"""The application's database role (`manage.py db_roles`) cannot rewrite or empty the audit log,
and TRUNCATE is refused even for the tables' owner (PostgreSQL only; docs/operations.md).

The suite itself runs as the superuser postgres. These tests create a real login role in the
test database with the command and connect as it over TCP (not SET ROLE), so what they show is
what the portal's own connections may do. Role names are unique per run: roles are shared by
every database of the cluster, and parallel runs (xdist, other worktrees) use the same cluster.
"""

import uuid
from contextlib import contextmanager
from io import StringIO

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditEvent, AuditEventPartner
from apps.audit.services import audit_record
from tests.factories import make_provider

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)

AUDIT_TABLES = ["audit_auditevent", "audit_auditeventpartner"]
PASSWORD_ENV = "PORTAL_TEST_APP_DB_PASSWORD"


def unique_role(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def run_db_roles(**options) -> str:
    out = StringIO()
    call_command("db_roles", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def app_role(transactional_db, monkeypatch):
    """A login role set up by the command, committed so that a new connection can log in."""
    role, password = unique_role("pp_app"), uuid.uuid4().hex
    monkeypatch.setenv(PASSWORD_ENV, password)
    try:
        run_db_roles(app_role=role, password_env=PASSWORD_ENV)
        yield role, password
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                cursor.execute(f'DROP OWNED BY "{role}"')
                cursor.execute(f'DROP ROLE "{role}"')


@contextmanager
def connected_as(role: str, password: str):
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        password=password,
        autocommit=True,
    ) as conn:
        yield conn


def refused(conn, statement: str, params=()) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement, params)


@pytest.fixture
def event(transactional_db) -> AuditEvent:
    """One committed event (the app role's connection must see it)."""
    partner = make_provider("Contoso Distribution")
    with transaction.atomic():
        return audit_record(action="partner.created", target=partner, partners=[partner])


def copy_of(model, pk: int) -> tuple[str, list[int]]:
    """INSERT … SELECT copying one row, whatever columns the model has by then."""
    columns = ", ".join(f.column for f in model._meta.concrete_fields if not f.primary_key)
    table = model._meta.db_table
    return f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} WHERE id = %s", [pk]


def test_the_app_role_reads_and_appends_to_the_audit_log(app_role, event):
    with connected_as(*app_role) as conn:
        assert conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 1
        new_id = conn.execute(copy_of(AuditEvent, event.pk)[0] + " RETURNING id", [event.pk])
        new_id = new_id.fetchone()[0]
        conn.execute(
            "INSERT INTO audit_auditeventpartner (event_id, partner_id) "
            "SELECT %s, partner_id FROM audit_auditeventpartner WHERE event_id = %s",
            [new_id, event.pk],
        )
    assert AuditEvent.objects.count() == 2
    assert AuditEventPartner.objects.filter(event_id=new_id).count() == 1


REFUSED_TO_THE_APP_ROLE = [
    "UPDATE audit_auditevent SET action = 'partner.forged'",
    "DELETE FROM audit_auditevent",
    "UPDATE audit_auditeventpartner SET partner_id = 0",
    "DELETE FROM audit_auditeventpartner",
    "TRUNCATE audit_auditevent, audit_auditeventpartner",
    "TRUNCATE audit_auditevent",
    "TRUNCATE audit_auditeventpartner",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE audit_auditeventpartner DISABLE TRIGGER audit_auditeventpartner_no_truncate",
    "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
    "DROP TABLE audit_auditeventpartner",
    "ALTER TABLE audit_auditevent OWNER TO CURRENT_USER",
]


def test_the_app_role_cannot_rewrite_or_empty_the_audit_log(app_role, event):
    allowed = []
    with connected_as(*app_role) as conn:
        for statement in REFUSED_TO_THE_APP_ROLE:
            try:
                conn.execute(statement)
            except psycopg.errors.InsufficientPrivilege:
                continue
            allowed.append(statement)
    assert allowed == []
    assert AuditEvent.objects.filter(pk=event.pk, action="partner.created").exists()
    assert AuditEventPartner.objects.filter(event=event).count() == 1


def test_the_app_role_writes_the_portals_tables(app_role):
    with connected_as(*app_role) as conn:
        conn.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) "
            "VALUES ('roles-test-session', 'x', now())"
        )
        conn.execute(
            "UPDATE django_session SET session_data = 'y' WHERE session_key = %s",
            ["roles-test-session"],
        )
        conn.execute("SELECT 1 FROM customers_service FOR UPDATE").fetchall()
        conn.execute("UPDATE customers_service SET position = position")
        conn.execute("DELETE FROM django_session WHERE session_key = %s", ["roles-test-session"])


def test_the_app_role_owns_nothing_and_changes_no_schema(app_role):
    with connected_as(*app_role) as conn:
        (owned,) = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()
        assert owned == 0
        refused(conn, "CREATE TABLE roles_test_intruder (id int)")
        refused(conn, "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())")
        refused(conn, "TRUNCATE django_session")


def privileges(role: str, table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', "
            "'REFERENCES', 'TRIGGER']) AS p WHERE has_table_privilege(%s, %s, p)",
            [role, table],
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_command_is_idempotent_and_covers_tables_created_later(app_role):
    role, _password = app_role
    run_db_roles(app_role=role)  # a second run, without changing the password
    assert privileges(role, "audit_auditevent") == {"SELECT", "INSERT"}
    assert privileges(role, "audit_auditeventpartner") == {"SELECT", "INSERT"}
    assert privileges(role, "django_migrations") == {"SELECT"}
    assert privileges(role, "partners_partner") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    with connection.cursor() as cursor:  # as the owner, like a later migration
        cursor.execute("CREATE TABLE roles_test_later (id serial PRIMARY KEY)")
    try:
        assert privileges(role, "roles_test_later") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE roles_test_later")


@pytest.mark.parametrize("attribute", ["SUPERUSER", "CREATEROLE", "CREATEDB", "BYPASSRLS"])
def test_the_command_refuses_a_privileged_app_role(db, attribute):
    role = unique_role("pp_app")
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(f'CREATE ROLE "{role}" LOGIN {attribute}')
    with pytest.raises(CommandError, match="superuser or may create roles"):
        run_db_roles(app_role=role)


def test_the_command_refuses_the_owner_as_app_role(db):
    with pytest.raises(CommandError, match="must not be the owner"):
        run_db_roles(app_role="postgres")


def test_the_command_refuses_an_app_role_that_owns_tables(db):
    role = unique_role("pp_app")
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
        cursor.execute(f'ALTER TABLE django_session OWNER TO "{role}"')
    with pytest.raises(CommandError, match="REASSIGN OWNED"):
        run_db_roles(app_role=role)


def test_truncate_is_refused_even_for_the_tables_owner(db):
    """The second line of defence: a deployment where the portal still connects as the owner
    (or one that granted TRUNCATE by mistake) cannot empty the log either."""
    partner = make_provider("Contoso Distribution")
    with transaction.atomic():
        audit_record(action="partner.created", target=partner, partners=[partner])
    owner = unique_role("pp_owner")
    with connection.cursor() as cursor:  # all rolled back with the test's transaction
        cursor.execute(f'CREATE ROLE "{owner}" NOLOGIN')
        for table in AUDIT_TABLES:
            cursor.execute(f'ALTER TABLE {table} OWNER TO "{owner}"')
        cursor.execute(f'SET LOCAL ROLE "{owner}"')
        for statement in [
            "TRUNCATE audit_auditevent, audit_auditeventpartner",
            "TRUNCATE audit_auditeventpartner",
            "TRUNCATE audit_auditevent CASCADE",
        ]:
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(statement)
        cursor.execute("RESET ROLE")
    assert AuditEvent.objects.count() == 1
    assert AuditEventPartner.objects.count() == 1


def test_production_settings_connect_as_the_owner_only_when_asked(monkeypatch):
    from tests.test_production import load_production_settings, production_env

    env = production_env(
        DATABASE_URL="postgres://portal_app:a@db.internal:5432/portal",
        DATABASE_MIGRATE_URL="postgres://portal_owner:o@db.internal:5432/portal",
    )
    del env["PATH"], env["DJANGO_SETTINGS_MODULE"]
    assert load_production_settings(monkeypatch, **env).DATABASES["default"]["USER"] == "portal_app"
    owner = load_production_settings(monkeypatch, **env, PORTAL_DATABASE_ROLE="owner")
    assert owner.DATABASES["default"]["USER"] == "portal_owner"
    assert set(owner.DATABASES) == {"default"}
    with pytest.raises(ImproperlyConfigured):
        load_production_settings(monkeypatch, **env, PORTAL_DATABASE_ROLE="root")


def test_the_app_role_reads_the_wal_position_the_page_cache_keys_on(app_role):
    """apps/core/page_cache.py asks `pg_current_wal_insert_lsn()` on every signed-in GET: a
    function every role may call, no privilege needed."""
    with connected_as(*app_role) as conn:
        assert conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]
