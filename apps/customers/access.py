"""Keep the customer visibility link (CustomerAccess) true whatever writes a relationship or a
grant.

The services call `customer_access_refresh` in the transaction of each change they make. These
receivers are the safety net for every other path that saves or deletes a row one at a time
(the admin, a data fix in a shell, a test factory): the link follows the row in the same
transaction. Queryset `.update()` / `.delete()` send no signals, so code that changes
relationships or grants in bulk must call `customer_access_refresh` itself (the services do).
"""

from django.db.models.signals import post_delete, post_save


def _refresh(sender, instance, **kwargs):
    from .services import customer_access_refresh

    if kwargs.get("raw"):  # loaddata: the fixture brings its own rows
        return
    customer_access_refresh(customer_ids=[instance.customer_id])


def connect() -> None:
    from .models import DelegatedAdminGrant, ResellerRelationship

    for model in (ResellerRelationship, DelegatedAdminGrant):
        post_save.connect(_refresh, sender=model, dispatch_uid=f"customer_access_{model.__name__}")
        post_delete.connect(
            _refresh, sender=model, dispatch_uid=f"customer_access_del_{model.__name__}"
        )
