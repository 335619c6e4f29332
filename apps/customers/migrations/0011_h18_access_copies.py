"""CustomerAccess carries copies of the customer's name, domain and ID, and the search text the
database computes from them, so that a page of a partner's customer list is put in order and
searched from the link alone (docs/performance.md): filled from the customers, then indexed
(the list's order with what a search compares; a trigram index for rare terms on PostgreSQL).
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

from apps.core.migration_ops import postgresql_only

# UPDATE … FROM: PostgreSQL and SQLite (3.33+) alike
FILL_SQL = """
UPDATE customers_customeraccess
   SET customer_name = c.name, customer_domain = c.tenant_domain, customer_public_id = c.public_id
  FROM customers_customer c
 WHERE c.id = customers_customeraccess.customer_id
"""

SEARCH_TRIGRAM_INDEX = (
    'CREATE INDEX IF NOT EXISTS "access_search_trgm" ON "customers_customeraccess" '
    'USING gin ("customer_search" gin_trgm_ops)'
)


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
        migrations.AlterField(
            model_name="customeraccess",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="access_links",
                to="customers.customer",
            ),
        ),
        migrations.RunSQL(FILL_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.AddField(
            model_name="customeraccess",
            name="customer_search",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(
                    django.db.models.functions.text.Concat(
                        "customer_name", models.Value("\n"), "customer_domain"
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="customeraccess",
            index=models.Index(
                fields=[
                    "partner",
                    "customer_name",
                    "customer",
                    "customer_search",
                    "customer_public_id",
                    "id",
                ],
                name="access_partner_list_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="customeraccess",
            index=models.Index(fields=["customer_public_id"], name="access_public_id_idx"),
        ),
        postgresql_only(
            [SEARCH_TRIGRAM_INDEX, "ANALYZE customers_customeraccess"],
            ['DROP INDEX IF EXISTS "access_search_trgm"'],
        ),
    ]
