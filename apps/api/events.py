"""Webhook event types and the audit actions that fire them. Webhooks listen to the audit
event stream (apps.audit.signals.event_recorded): every domain change is already recorded by
its service, in its transaction, with the organizations it concerns, so no lower app needs to
know that webhooks exist."""

from django.utils.translation import gettext_lazy as _

# event type -> (label, audit actions)
EVENT_TYPES: dict[str, tuple] = {
    "invitation.accepted": (_("Invitation accepted"), ("invitation.accepted",)),
    "invitation.declined": (_("Invitation declined"), ("invitation.declined",)),
    "grant.created": (_("Delegated admin granted"), ("grant.created", "grant.updated")),
    "grant.moved": (_("Delegated admin moved"), ("grant.moved",)),
    # removed by the customer, given up by the partner, or ended at its end date
    "grant.removed": (
        _("Delegated admin removed"),
        ("grant.removed", "grant.relinquished", "grant.expired"),
    ),
    # the 30, 7 and 1-day reminders of the grant-lifetime job (apps/customers/grants.py)
    "grant.expiring": (_("Delegated admin expiring"), ("grant.reminder_sent",)),
    # a new end date: extended by the customer or automatically
    "grant.extended": (
        _("Delegated admin extended"),
        ("grant.extended", "grant.auto_extended"),
    ),
    "partnership.changed": (
        _("Reseller partnership changed"),
        (
            "partnership.accepted",
            "partnership.declined",
            "partnership.suspended",
            "partnership.reactivated",
            "partnership.ended",
        ),
    ),
}

ACTION_TO_EVENT: dict[str, str] = {
    action: event_type
    for event_type, (_label, actions) in EVENT_TYPES.items()
    for action in actions
}


def event_type_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _actions) in EVENT_TYPES.items()]
