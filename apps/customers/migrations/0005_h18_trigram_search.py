"""Trigram (pg_trgm) indexes for the searches of this app's lists (PostgreSQL only;
docs/performance.md)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from apps.core.migration_ops import postgresql_only, trigram_index_sql

INDEXES = [
    trigram_index_sql("customers_customer", "name", "customer_name_trgm"),
    trigram_index_sql("customers_customer", "tenant_domain", "customer_domain_trgm"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_h18_customer_access"),
    ]

    operations = [
        TrigramExtension(),
        # statistics of the new expressions, so the planner knows how selective a search is
        postgresql_only(
            [*(sql for sql, _ in INDEXES), "ANALYZE customers_customer"], [undo for _, undo in INDEXES]
        ),
    ]
