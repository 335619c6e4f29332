"""The Auditors group: operator staff who may read every model in the admin and change none.

Its permissions are every `view_*` permission of the project. A data migration creates the
group; `grant_view_permissions` runs again after every `migrate` (post_migrate, connected in
PortalConfig.ready) so that models added later by any app are readable by auditors too.
"""

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS

AUDITORS_GROUP = "Auditors"
# Permissions whose codename starts with one of these change something.
WRITE_PERMISSION_PREFIXES = ("add_", "change_", "delete_")


def grant_view_permissions(using: str = DEFAULT_DB_ALIAS) -> Group:
    """Create the Auditors group if needed and give it every view permission (idempotent).

    It never removes anything, so an operator who added a permission by hand keeps it; the
    admin site refuses writes from read-only staff whatever the group holds.
    """
    group, _created = Group.objects.using(using).get_or_create(name=AUDITORS_GROUP)
    missing = (
        Permission.objects.using(using)
        .filter(codename__startswith="view_")
        .exclude(group=group)
        .values_list("pk", flat=True)
    )
    group.permissions.add(*missing)
    return group


def grant_view_permissions_after_migrate(
    sender, using=DEFAULT_DB_ALIAS, apps=None, **kwargs
) -> None:
    """post_migrate receiver. Django creates each app's permissions in its own post_migrate
    receiver (connected before ours), so by the last app every permission exists."""
    if apps is not None:
        try:  # auth or contenttypes unmigrated (e.g. `migrate auth zero`): nothing to grant
            apps.get_model("auth", "Group")
            apps.get_model("contenttypes", "ContentType")
        except LookupError:
            return
    grant_view_permissions(using=using)


def is_read_only_staff(user) -> bool:
    """Staff who hold no add, change or delete permission at all (auditors)."""
    if not (user.is_active and user.is_staff) or user.is_superuser:
        return False
    return not any(
        perm.split(".", 1)[-1].startswith(WRITE_PERMISSION_PREFIXES)
        for perm in user.get_all_permissions()
    )
