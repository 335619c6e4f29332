"""Background tasks of the customers app, run by `manage.py db_worker`."""

from django_tasks import task

from .grants import grants_lifecycle_run


@task()
def grants_lifecycle() -> str:
    """One pass of the delegated admin lifecycle (reminders, auto-extension, expiry)."""
    return str(grants_lifecycle_run())
