"""Migration operations for what only PostgreSQL has (trigram indexes), so that the same
migrations still run on SQLite for `make run`, where they do nothing."""

from django.db import migrations


def postgresql_only(sql: list[str], reverse_sql: list[str]) -> migrations.RunPython:
    """Run `sql` on PostgreSQL, nothing elsewhere (and `reverse_sql` when unapplied)."""

    def run(statements):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor != "postgresql":
                return
            for statement in statements:
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(sql), run(reverse_sql), elidable=False)


def trigram_index_sql(table: str, column: str, name: str) -> tuple[str, str]:
    """A GIN trigram index on UPPER(column): what Django's `icontains` compares on PostgreSQL
    (`UPPER(col::text) LIKE UPPER('%term%')`), so the admin's and the portal's searches use it
    without changing a lookup."""
    return (
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin '
        f'(UPPER("{column}"::text) gin_trgm_ops)',
        f'DROP INDEX IF EXISTS "{name}"',
    )
