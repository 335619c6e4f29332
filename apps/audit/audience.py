"""Who may read what in an audit event (docs/decisions.md, "Audit audiences").

An event belongs to one organization: the one its actor acted for (`acting_partner` or
`acting_customer`); with no acting organization (an operator, the system, someone outside
any organization), to the single organization it concerns, or to nobody but operators when it
concerns several. The personal data in an event (the email addresses and names of that
organization's contacts) is shown to that organization only. Every other organization the
event concerns still sees the event, with those values replaced by a placeholder. Operators
read everything in the admin.

Personal data is what `PERSONAL_DATA_KEYS` lists for the action, plus any value anywhere in
the data (or in the target's text) that looks like an email address: an action that starts
recording an address under a new key cannot leak it.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from .actions import personal_data_keys

# Deliberately loose: anything with an @ between two non-space runs is treated as an address.
EMAIL_RE = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+")


def hidden_text() -> str:
    return _("(hidden)")


def event_owner(event, concerned_partner_ids: Iterable[int]) -> tuple[str, int] | None:
    """The organization an event belongs to, as ("partner" | "customer", id), or None when
    only operators may read its personal data."""
    if event.acting_partner_id:
        return ("partner", event.acting_partner_id)
    if event.acting_customer_id:
        return ("customer", event.acting_customer_id)
    concerned = {("partner", pid) for pid in concerned_partner_ids}
    if event.customer_id:
        concerned.add(("customer", event.customer_id))
    return concerned.pop() if len(concerned) == 1 else None


def may_read_personal_data(
    event, *, concerned_partner_ids: Iterable[int], viewer_partner=None, viewer_customer=None
) -> bool:
    owner = event_owner(event, concerned_partner_ids)
    if owner is None:
        return False
    kind, pk = owner
    viewer = viewer_partner if kind == "partner" else viewer_customer
    return viewer is not None and viewer.pk == pk


def _hide_addresses(value: Any) -> Any:
    if isinstance(value, str):
        return EMAIL_RE.sub(hidden_text(), value)
    if isinstance(value, dict):
        return {k: _hide_addresses(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_hide_addresses(v) for v in value]
    return value


def data_for(event, *, may_read: bool) -> dict:
    """The event's data as a reader may see it."""
    data = dict(event.data or {})
    if may_read:
        return data
    private = personal_data_keys(event.action)
    return {
        key: (
            hidden_text() if key in private and value not in ("", None) else _hide_addresses(value)
        )
        for key, value in data.items()
    }


def target_repr_for(event, *, may_read: bool) -> str:
    """The target's text as a reader may see it (a person's address hidden)."""
    return event.target_repr if may_read else _hide_addresses(event.target_repr)


def concerned_partner_ids(event) -> list[int]:
    """The partners an event concerns; uses a prefetch of `partner_links` when there is one."""
    return [link.partner_id for link in event.partner_links.all()]
