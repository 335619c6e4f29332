"""Trigram (pg_trgm) indexes for the searches of this app's lists (PostgreSQL only;
docs/performance.md)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from apps.core.migration_ops import postgresql_only, trigram_index_sql

INDEXES = [
    trigram_index_sql("audit_auditevent", "target_repr", "audit_target_repr_trgm"),
    # the admin matches these two from their start (`^` search fields): a btree serves that,
    # where a trigram index over five million look-alike addresses took most of a second
    (
        'CREATE INDEX IF NOT EXISTS "audit_actor_email_prefix" ON "audit_auditevent" '
        '(UPPER("actor_email"::text) text_pattern_ops)',
        'DROP INDEX IF EXISTS "audit_actor_email_prefix"',
    ),
    (
        'CREATE INDEX IF NOT EXISTS "audit_action_prefix" ON "audit_auditevent" '
        '(UPPER("action"::text) text_pattern_ops)',
        'DROP INDEX IF EXISTS "audit_action_prefix"',
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_refuse_truncate"),
    ]

    operations = [
        TrigramExtension(),
        # statistics of the new expressions, so the planner knows how selective a search is
        postgresql_only(
            [*(sql for sql, _ in INDEXES), "ANALYZE audit_auditevent"], [undo for _, undo in INDEXES]
        ),
    ]
