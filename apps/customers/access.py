"""Keep the customer visibility link (CustomerAccess) true whatever writes a relationship or a
grant.

Every path that saves or deletes one row (the services, the admin, a data fix in a shell, a
test factory) runs these receivers, which call `customer_access_refresh` for that customer in
the same transaction: the one place the link is kept. Queryset `.update()` / `.delete()` and
`bulk_create` send no signals, so code that changes relationships or grants in bulk must call
`customer_access_refresh` itself (none of the services does).
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
