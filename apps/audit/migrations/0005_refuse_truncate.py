"""Refuse TRUNCATE on the audit tables (PostgreSQL), a second line of defence behind the
application role's privileges (docs/operations.md#database-roles).

The row triggers of 0002 do not fire for TRUNCATE, so until now a role allowed to truncate (the
table owner) could empty the log in one statement. This statement-level trigger refuses it for
every role but a superuser: a superuser can drop or disable any trigger anyway
(session_replication_role = replica), so refusing one would protect nothing, and it lets the test
suite, which runs as the superuser postgres, flush its database between transactional tests.
The portal itself must never connect as a superuser (`manage.py db_roles` refuses to set one up).

SQLite has no TRUNCATE: nothing to do there.
"""

from django.db import migrations

TABLES = ["audit_auditevent", "audit_auditeventpartner"]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_reject_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on % rejected', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_truncate();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_reject_truncate();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_request_id_index")]

    operations = [migrations.RunPython(forwards, backwards)]
