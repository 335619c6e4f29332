"""pp_json_sorted_text(jsonb): an event's data as Python's
`json.dumps(data, ensure_ascii=False, sort_keys=True)` writes it, so the operator CSV export
can run as one `COPY (SELECT …) TO STDOUT` (apps/portal/exports.py) and still write the same
cells as the Python path. PostgreSQL only; SQLite keeps the Python export."""

from django.db import migrations

from apps.core.migration_ops import postgresql_only

CREATE = r"""
CREATE OR REPLACE FUNCTION pp_json_sorted_text(j jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF j IS NULL THEN
        RETURN NULL;
    END IF;
    CASE jsonb_typeof(j)
    WHEN 'object' THEN
        RETURN '{' || COALESCE((
            SELECT string_agg(to_jsonb(k)::text || ': ' || pp_json_sorted_text(v), ', '
                              ORDER BY k COLLATE "C")
            FROM jsonb_each(j) AS t(k, v)), '') || '}';
    WHEN 'array' THEN
        RETURN '[' || COALESCE((
            SELECT string_agg(pp_json_sorted_text(v), ', ' ORDER BY i)
            FROM jsonb_array_elements(j) WITH ORDINALITY AS t(v, i)), '') || ']';
    ELSE
        RETURN j::text;
    END CASE;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_h18_created_id_index")]

    operations = [
        postgresql_only([CREATE], ["DROP FUNCTION IF EXISTS pp_json_sorted_text(jsonb)"]),
    ]
