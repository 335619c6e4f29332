"""Account changes worth a record in the audit log."""

from django.contrib.auth import password_validation
from django.db import transaction

from apps.audit.services import audit_record

from .models import User


def user_set_password(*, user: User, password: str, via_reset: bool = False) -> User:
    """Give `user` a new password and record that it changed (never the password itself).

    `via_reset` says the person proved themselves with an emailed link rather than the old
    password. Raises ValidationError when the password is too weak.
    """
    password_validation.validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            action="account.password_reset" if via_reset else "account.password_changed",
            actor=user,
            target=user,
            target_repr=user.email,
        )
    return user


# ------------------------------------------------------------------------------
# Profile and privileges (issue 15, defect 4): every change recorded with old -> new values
# ------------------------------------------------------------------------------

PROFILE_FIELDS = ("email", "display_name", "language", "time_zone")
PRIVILEGE_FLAGS = ("is_active", "is_staff", "is_superuser")


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def user_update_profile(*, user: User, by, **values) -> dict:
    """Change `user`'s profile (any of PROFILE_FIELDS) and record what changed, old -> new.
    Returns {field: [old, new]} (empty, and nothing written, when nothing changed)."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(user)
        changes = {
            name: [getattr(locked, name), value]
            for name, value in values.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return {}
        for name, (_old, new) in changes.items():
            setattr(locked, name, new)
            setattr(user, name, new)
        locked.save(update_fields=list(changes))
        audit_record(
            action="account.profile_changed",
            actor=by,
            target=locked,
            target_repr=locked.email,
            data={"changes": changes},
        )
    return changes


def _permission_names(permissions) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


def privileges_of(user: User) -> dict:
    """A user's privileges as the audit log records them: flags, group names, permissions."""
    return {
        **{flag: getattr(user, flag) for flag in PRIVILEGE_FLAGS},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": _permission_names(user.user_permissions.select_related("content_type")),
    }


def user_set_privileges(
    *,
    user: User,
    by,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    groups=None,
    permissions=None,
) -> dict:
    """Set what `user` may do (None leaves a value as it is) and record every change, old ->
    new, in one transaction. Returns {what: [old, new]}; nothing is written when nothing
    changed."""
    flags = {"is_active": is_active, "is_staff": is_staff, "is_superuser": is_superuser}
    with transaction.atomic():
        locked = _lock(user)
        before = privileges_of(locked)
        changed_flags = [n for n, v in flags.items() if v is not None and getattr(locked, n) != v]
        for name in changed_flags:
            setattr(locked, name, flags[name])
            setattr(user, name, flags[name])
        if changed_flags:
            locked.save(update_fields=changed_flags)
        if groups is not None:
            locked.groups.set(groups)
        if permissions is not None:
            locked.user_permissions.set(permissions)
        after = privileges_of(locked)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if changes:
            audit_record(
                action="account.privileges_changed",
                actor=by,
                target=locked,
                target_repr=locked.email,
                data={"changes": changes},
            )
    return changes


def user_admin_set_password(*, user: User, by, password: str | None) -> User:
    """An operator sets `user`'s password (None: disables password sign-in). Recorded, never
    the password itself. The admin's form has validated the password already."""
    with transaction.atomic():
        locked = _lock(user)
        if password is None:
            locked.set_unusable_password()
        else:
            locked.set_password(password)
        locked.save(update_fields=["password"])
        user.password = locked.password
        audit_record(
            action="account.password_set",
            actor=by,
            target=locked,
            target_repr=locked.email,
            data={"usable": password is not None},
        )
    return user


def user_admin_record_created(*, user: User, by) -> None:
    """Record that an operator created `user` in the admin, with or without a password they
    set (never the password). Call inside the transaction that saved the user."""
    audit_record(
        action="account.password_set",
        actor=by,
        target=user,
        target_repr=user.email,
        data={"usable": user.has_usable_password(), "new_account": True},
    )


def group_record_change(*, group, by, before: dict | None, deleted: bool = False) -> dict:
    """Record a permission group's creation, change (name, permissions: old -> new) or
    deletion. Call inside the transaction of the change; `before` is `group_state(group)`
    taken before it (None for a new group)."""
    after = None if deleted else group_state(group)
    if before == after:
        return {}
    keys = ("name", "permissions")
    changes = {
        k: [before[k] if before else None, after[k] if after else None]
        for k in keys
        if (before or {}).get(k) != (after or {}).get(k)
    }
    audit_record(
        action="group.deleted" if deleted else "group.changed",
        actor=by,
        target=group,
        target_repr=group.name,
        data={"changes": changes, "members": group.user_set.count()},
    )
    return changes


def group_state(group) -> dict:
    return {
        "name": group.name,
        "permissions": _permission_names(group.permissions.select_related("content_type")),
    }
