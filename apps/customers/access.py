"""Keep the customer visibility link (CustomerAccess) true whatever writes a relationship or a
grant.

Every path that saves or deletes one row (the services, the admin, a data fix in a shell, a
test factory) runs these receivers, which call `customer_access_refresh` for that customer in
the same transaction: the one place the link is kept. Queryset `.update()` / `.delete()` and
`bulk_create` send no signals, so code that changes relationships or grants in bulk must call
`customer_access_refresh` itself (none of the services does).

The links also carry a copy of the customer's name, domain and ID (the list's order and
search, read from the link alone): saving a customer brings its links' copies up to date.
A queryset `.update()` of customers' names must call `customer_access_refresh` for them too.
"""

from django.db.models.signals import post_delete, post_save


def _refresh(sender, instance, **kwargs):
    from .services import customer_access_refresh

    if kwargs.get("raw"):  # loaddata: the fixture brings its own rows
        return
    customer_access_refresh(customer_ids=[instance.customer_id])


def _copy(sender, instance, created=False, update_fields=None, **kwargs):
    """A customer saved with a new name or domain: its links' copies follow, in the same
    transaction (a new customer has no links yet)."""
    from .services import CUSTOMER_ACCESS_COPIES, customer_access_copy

    if created or kwargs.get("raw"):
        return
    copied = set(CUSTOMER_ACCESS_COPIES.values())
    if update_fields is not None and not copied & set(update_fields):
        return
    customer_access_copy(
        instance.pk, [getattr(instance, name) for name in CUSTOMER_ACCESS_COPIES.values()]
    )


def connect() -> None:
    from .models import Customer, DelegatedAdminGrant, ResellerRelationship

    post_save.connect(_copy, sender=Customer, dispatch_uid="customer_access_copy")
    for model in (ResellerRelationship, DelegatedAdminGrant):
        post_save.connect(_refresh, sender=model, dispatch_uid=f"customer_access_{model.__name__}")
        post_delete.connect(
            _refresh, sender=model, dispatch_uid=f"customer_access_del_{model.__name__}"
        )
