"""CustomerAccess carries copies of the customer's name, domain and ID, so that a partner's
customer list is ordered and searched from the link alone (docs/performance.md): filled from
the customers, then indexed (the list's order, and trigram indexes for the search on
PostgreSQL)."""

from django.db import migrations, models

from apps.core.migration_ops import postgresql_only, trigram_index_sql

# UPDATE … FROM: PostgreSQL and SQLite (3.33+) alike
FILL_SQL = """
UPDATE customers_customeraccess
   SET customer_name = c.name, customer_domain = c.tenant_domain, customer_public_id = c.public_id
  FROM customers_customer c
 WHERE c.id = customers_customeraccess.customer_id
"""

TRIGRAM_INDEXES = [
    trigram_index_sql("customers_customeraccess", "customer_name", "access_name_trgm"),
    trigram_index_sql("customers_customeraccess", "customer_domain", "access_domain_trgm"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_h18_filter_indexes"),
        ("partners", "0004_partner_require_mfa"),
    ]

    operations = [
        migrations.AddField(
            model_name="customeraccess",
            name="customer_domain",
            field=models.CharField(default="", max_length=253, verbose_name="tenant domain"),
        ),
        migrations.AddField(
            model_name="customeraccess",
            name="customer_name",
            field=models.CharField(default="", max_length=200, verbose_name="customer name"),
        ),
        migrations.AddField(
            model_name="customeraccess",
            name="customer_public_id",
            field=models.CharField(default="", max_length=16, verbose_name="customer ID"),
        ),
        migrations.RunSQL(FILL_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="customeraccess",
            index=models.Index(
                fields=[
                    "partner",
                    "customer_name",
                    "customer",
                    "customer_domain",
                    "customer_public_id",
                ],
                name="access_partner_list_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="customeraccess",
            index=models.Index(fields=["customer_public_id"], name="access_public_id_idx"),
        ),
        postgresql_only(
            [*(sql for sql, _ in TRIGRAM_INDEXES), "ANALYZE customers_customeraccess"],
            [undo for _, undo in TRIGRAM_INDEXES],
        ),
    ]
