"""The initial service catalog. Operator staff maintain it in admin afterwards."""

from django.db import migrations

SERVICES = [
    ("office365", "Office 365 operated by 21Vianet", "https://portal.partner.microsoftonline.cn/?tenant={tenant_domain}", 10),
    ("azure", "Azure operated by 21Vianet", "https://portal.azure.cn/{tenant_domain}", 20),
    ("dynamics365", "Dynamics 365 operated by 21Vianet", "https://portal.crm.dynamics.cn/?tenant={tenant_domain}", 30),
    ("powerbi", "Power BI operated by 21Vianet", "https://app.powerbigov.cn/?tenant={tenant_id}", 40),
]


def forwards(apps, schema_editor):
    Service = apps.get_model("customers", "Service")
    for code, name, template, position in SERVICES:
        Service.objects.update_or_create(
            code=code,
            defaults={"name": name, "admin_portal_url_template": template, "position": position},
        )


def backwards(apps, schema_editor):
    apps.get_model("customers", "Service").objects.filter(code__in=[s[0] for s in SERVICES]).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
