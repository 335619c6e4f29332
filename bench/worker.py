"""One database's side of the in-process bench: answers the runner's requests over a pipe
(JSON lines), so that the runner can interleave demo and scale measurements."""

import json
import math
import os
import sys
import time
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib import admin  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.audit.models import AuditEvent  # noqa: E402
from apps.core.pagination import encode_cursor  # noqa: E402
from apps.customers.selectors import CUSTOMER_LIST_ORDER, partner_customers  # noqa: E402
from apps.invitations.models import Invitation  # noqa: E402
from apps.partners.models import Partner  # noqa: E402
from apps.portal.selectors import ACTIVITY_ORDER  # noqa: E402


def halfway_cursor(queryset, ordering) -> str:
    """The cursor of the row in the middle of `queryset` (found once, with an OFFSET)."""
    ordered = queryset.order_by(*ordering)
    middle = ordered.count() // 2
    row = ordered[middle : middle + 1].first() if middle else None
    return encode_cursor(row, ordering) if row else ""


def placeholders() -> dict:
    contoso = Partner.objects.get(public_id="PCONTOSO01")
    customer = partner_customers(contoso).first()
    invitation = Invitation.objects.filter(provider=contoso).order_by("-created_at").first()
    return {
        "customer": customer.public_id if customer else "CNONE",
        "invitation": invitation.public_id if invitation else "INONE",
        "customer_cursor": halfway_cursor(
            partner_customers(contoso).prefetch_related(None), CUSTOMER_LIST_ORDER
        ),
        "event_cursor": halfway_cursor(AuditEvent.objects.for_partner(contoso), ACTIVITY_ORDER),
        "audit_page_1000": audit_page(1000),
        "customer_word": last_word(partner_customers(contoso).prefetch_related(None)),
        "actor_email": halfway_actor(),
    }


def last_word(customers) -> str:
    """The first word of the name of the last of `customers` by name: the search a list read
    in name order finds last (at scale, 3,125 customers past 46,875 others)."""
    row = customers.order_by(*CUSTOMER_LIST_ORDER).last()
    return quote(row.name.split()[0]) if row else "none"


def halfway_actor() -> str:
    """The email of the actor of the event halfway down the audit log (newest first), among
    events a person did (counted once: a few hundred ms on 5,000,000 events)."""
    events = AuditEvent.objects.exclude(actor_email="").order_by("-created_at", "-id")
    email = events.values_list("actor_email", flat=True)[events.count() // 2 :].first()
    return quote(email or "none")


def audit_page(number: int) -> int:
    """`number`, or the admin audit log's last page where it has fewer (counted once)."""
    per_page = admin.site._registry[AuditEvent].list_per_page
    events = AuditEvent.objects.order_by()[: number * per_page].count()
    return max(1, min(number, math.ceil(events / per_page)))


class Bench:
    def __init__(self):
        self.clients = {}
        self.values = placeholders()

    def client(self, email: str) -> Client:
        if email not in self.clients:
            client = Client(headers={"x-forwarded-proto": "https"})
            client.force_login(User.objects.get(email=email))
            self.clients[email] = client
        return self.clients[email]

    def get(self, email: str, path: str):
        response = self.client(email).get(path.format(**self.values), secure=True)
        if getattr(response, "streaming", False):
            for _chunk in response.streaming_content:
                pass
        else:
            response.content  # noqa: B018
        return response

    def measure(self, email: str, path: str, n: int) -> dict:
        times, status = [], None
        for _ in range(n):
            start = time.perf_counter()
            response = self.get(email, path)
            times.append((time.perf_counter() - start) * 1000)
            status = response.status_code
        return {"times": times, "status": status}

    def queries(self, email: str, path: str) -> dict:
        with CaptureQueriesContext(connection) as captured:
            response = self.get(email, path)
        # table rows drawn (header rows included): a full page of 25 rows at scale against the
        # handful a demo list has is most of the difference between their times
        rows = 0 if getattr(response, "streaming", False) else response.content.count(b"<tr")
        return {"queries": len(captured), "status": response.status_code, "rows": rows}


def main():
    bench = Bench()
    for line in sys.stdin:
        request = json.loads(line)
        if request["cmd"] == "measure":
            answer = bench.measure(request["user"], request["path"], request["n"])
        elif request["cmd"] == "queries":
            answer = bench.queries(request["user"], request["path"])
        else:
            break
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
