"""pp_csv_cell(text): `apps.core.csv_export.safe_cell` in SQL for exports streamed from COPY
(a leading apostrophe before a formula prefix; NULL for an empty string, which COPY writes as
an empty unquoted field). A SQL function, so PostgreSQL inlines it for a plain column and
evaluates an expensive argument (a subquery) once instead of once per use. PostgreSQL only."""

from django.db import migrations

from apps.core.migration_ops import postgresql_only

CREATE = r"""
CREATE OR REPLACE FUNCTION pp_csv_cell(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NULLIF(
        CASE WHEN LEFT(value, 1) IN ('=', '+', '-', '@', CHR(9), CHR(13))
        THEN '''' || value ELSE value END,
        '')
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        postgresql_only([CREATE], ["DROP FUNCTION IF EXISTS pp_csv_cell(text)"]),
    ]
