"""Create the Auditors group with every view permission that exists so far.

On a fresh database the permissions are created after the last migration (post_migrate), so
PortalConfig.ready connects a post_migrate receiver that grants the rest, for every app,
after every migrate (apps.portal.auditors).
"""

from django.db import migrations

AUDITORS_GROUP = "Auditors"


def create_auditors_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    group, _created = Group.objects.using(db).get_or_create(name=AUDITORS_GROUP)
    group.permissions.add(
        *Permission.objects.using(db).filter(codename__startswith="view_").values_list(
            "pk", flat=True
        )
    )


def keep_the_group(apps, schema_editor):
    """Unapplying leaves the group: auditors may be in it, and removing it changes nothing."""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_auditors_group, keep_the_group)]
