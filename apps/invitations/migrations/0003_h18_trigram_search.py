"""Trigram (pg_trgm) indexes for the searches of this app's lists (PostgreSQL only;
docs/performance.md)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from apps.core.migration_ops import postgresql_only, trigram_index_sql

INDEXES = [
    trigram_index_sql("invitations_invitation", "recipient_email", "invitation_email_trgm"),
    trigram_index_sql("invitations_invitation", "message", "invitation_message_trgm"),
    trigram_index_sql("invitations_delivery", "email", "delivery_email_trgm"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("invitations", "0002_field_verbose_names"),
    ]

    operations = [
        TrigramExtension(),
        # statistics of the new expressions, so the planner knows how selective a search is
        postgresql_only(
            [*(sql for sql, _ in INDEXES), "ANALYZE invitations_invitation"], [undo for _, undo in INDEXES]
        ),
    ]
