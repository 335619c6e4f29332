"""Trigram (pg_trgm) indexes for the searches of this app's lists (PostgreSQL only;
docs/performance.md)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from apps.core.migration_ops import postgresql_only, trigram_index_sql

INDEXES = [
    trigram_index_sql("audit_auditevent", "target_repr", "audit_target_repr_trgm"),
    trigram_index_sql("audit_auditevent", "actor_email", "audit_actor_email_trgm"),
    trigram_index_sql("audit_auditevent", "action", "audit_action_trgm"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_refuse_truncate"),
    ]

    operations = [
        TrigramExtension(),
        postgresql_only([sql for sql, _ in INDEXES], [undo for _, undo in INDEXES]),
    ]
