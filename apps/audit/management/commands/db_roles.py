"""Set up the application's database role on PostgreSQL: least privilege, and an audit log it can
only read and append to.

    PORTAL_DATABASE_ROLE=owner manage.py db_roles --app-role portal_app \
        --password-env PORTAL_APP_DB_PASSWORD

Run it as the owner role (the one that ran `migrate`, so it owns the tables) after every
`migrate`; it is idempotent. It creates the application role when missing (LOGIN, no other
attribute; that needs CREATEROLE) or sets its password, then converges the role's privileges:

- CONNECT on the database, USAGE (not CREATE) on the schema;
- SELECT, INSERT, UPDATE, DELETE on every table, SELECT only on django_migrations;
- SELECT, INSERT only on the audit tables: no UPDATE, DELETE or TRUNCATE;
- USAGE, SELECT on every sequence;
- the same by default for tables and sequences the owner creates later (ALTER DEFAULT PRIVILEGES),
  which the next run narrows again for new audit tables.

It refuses an application role that is a superuser, may create roles or databases, or owns
anything in the database: an owner could disable the audit log's triggers. See
docs/operations.md#database-roles.
"""

import os
import re

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from psycopg import sql

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Tables the application reads but never writes: the migrations run as the owner.
READ_ONLY_TABLES = ["django_migrations"]
APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
AUDIT_TABLE_PRIVILEGES = "SELECT, INSERT"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"


def audit_tables() -> list[str]:
    """Every table of the audit app, including many-to-many tables Django creates."""
    models = apps.get_app_config("audit").get_models(include_auto_created=True)
    return sorted({model._meta.db_table for model in models})


class Command(BaseCommand):
    help = (
        "Create or update the application's PostgreSQL role: least privilege, owns nothing, "
        "only SELECT and INSERT on the audit log. Run as the owner role after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app-role", required=True, help="the role the portal connects as (DATABASE_URL)"
        )
        parser.add_argument(
            "--owner-role",
            help="the role that owns the tables and runs migrate (default: the connected role)",
        )
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="environment variable holding the application role's password (set on every run)",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="database alias, connected as the owner role (default: default)",
        )

    def handle(self, *args, app_role, owner_role, password_env, database, **options):
        alias = database
        connection = connections[alias]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL only.")
        if not ROLE_NAME.match(app_role):
            raise CommandError(f"Not a plain role name: {app_role!r}")
        password = None
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"The environment variable {password_env} is empty or unset.")

        with transaction.atomic(using=alias), connection.cursor() as cursor:
            raw = connection.connection  # psycopg connection, to render identifiers/literals

            def run(statement, *args) -> None:
                composed = sql.SQL(statement).format(*args) if args else sql.SQL(statement)
                cursor.execute(composed.as_string(raw))

            def fetch(query: str, params=()):
                cursor.execute(query, params)
                return cursor.fetchall()

            owner = owner_role or fetch("SELECT current_user")[0][0]
            if owner == app_role:
                raise CommandError("The application role must not be the owner role.")
            if not fetch("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner]):
                raise CommandError(f"The owner role {owner} does not exist.")
            database_name, schema = fetch("SELECT current_database(), current_schema()")[0]

            existing = fetch(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
                "WHERE rolname = %s",
                [app_role],
            )
            role = sql.Identifier(app_role)
            if not existing:
                run("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE", role)
                self.stdout.write(f"Created role {app_role}.")
            elif any(existing[0]):
                raise CommandError(
                    f"The role {app_role} is a superuser or may create roles or databases or "
                    f"bypass row security: the application role must not."
                )
            if password:
                run("ALTER ROLE {} WITH LOGIN PASSWORD {}", role, sql.Literal(password))

            (owned,) = fetch(
                "SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)"
                " + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)"
                " FROM pg_roles r WHERE r.rolname = %s",
                [app_role],
            )[0]
            if owned:
                raise CommandError(
                    f"The role {app_role} owns {owned} object(s) in this database; an owner "
                    f"could disable the audit log's triggers. As a superuser, run: "
                    f"REASSIGN OWNED BY {app_role} TO {owner};"
                )

            schema_id, owner_id = sql.Identifier(schema), sql.Identifier(owner)
            run("GRANT CONNECT ON DATABASE {} TO {}", sql.Identifier(database_name), role)
            run("GRANT USAGE ON SCHEMA {} TO {}", schema_id, role)
            run("REVOKE CREATE ON SCHEMA {} FROM {}", schema_id, role)

            # Start from nothing, then grant: a second run converges to the same privileges.
            on_schema = (schema_id, role)
            run("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}", *on_schema)
            run("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}", *on_schema)
            run(f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {{}} TO {{}}", *on_schema)
            run(f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {{}} TO {{}}", *on_schema)
            existing_tables = {
                name
                for (name,) in fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema]
                )
            }
            for table in READ_ONLY_TABLES + audit_tables():
                if table not in existing_tables:
                    continue
                privileges = "SELECT" if table in READ_ONLY_TABLES else AUDIT_TABLE_PRIVILEGES
                table_id = sql.Identifier(schema, table)
                run("REVOKE ALL ON {} FROM {}", table_id, role)
                run(f"GRANT {privileges} ON {{}} TO {{}}", table_id, role)

            run(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {{}} IN SCHEMA {{}} "
                f"GRANT {APP_TABLE_PRIVILEGES} ON TABLES TO {{}}",
                owner_id,
                schema_id,
                role,
            )
            run(
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {{}} IN SCHEMA {{}} "
                f"GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {{}}",
                owner_id,
                schema_id,
                role,
            )
            ((can_create,),) = fetch(
                "SELECT has_schema_privilege(%s, %s, 'CREATE')", [app_role, schema]
            )

        self.stdout.write(
            self.style.SUCCESS(
                f"{app_role}: {APP_TABLE_PRIVILEGES} on the tables of {database_name}.{schema} "
                f"(owner {owner}), {AUDIT_TABLE_PRIVILEGES} only on the audit log."
            )
        )
        if can_create:
            self.stderr.write(
                self.style.WARNING(
                    f"{app_role} may still create tables in schema {schema} through PUBLIC "
                    f"(PostgreSQL before 15). As the schema's owner, run: "
                    f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC;"
                )
            )
