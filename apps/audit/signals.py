"""The audit event stream. `event_recorded` is sent by audit_record inside the transaction of
the change (with `event` and `partner_ids`, the organizations it concerns), so a receiver that
writes rows (the API's webhook deliveries) commits or rolls back with the change itself.
Receivers live above the audit leaf; the leaf imports none of them."""

import django.dispatch

event_recorded = django.dispatch.Signal()
