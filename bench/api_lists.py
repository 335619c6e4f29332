"""p50 / p95 of the API's list endpoints on the data in the database (issue 17).

Meant for the data `seed_scale` creates (the same size as the pages' benchmark); works on the
`seed_demo` data too. Runs in-process through Django's test client (every middleware, the
key's authentication, the rate limit, the audit event each call writes), as the provider with
the most invitations unless --partner names one, with a temporary Global-admin key. Everything
it writes (the key, the audit events) is rolled back at the end.

    DATABASE_URL=... .venv/bin/python bench/api_lists.py [--runs 50] [--partner PUBLIC_ID]

Not a test: it measures and prints, it asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from apps.api.services import api_key_create  # noqa: E402
from apps.partners.models import Partner, PartnerMembership, Role  # noqa: E402

LISTS = [
    "/api/v1/invitations/",
    "/api/v1/invitations/?status=active",
    "/api/v1/customers/",
    "/api/v1/relationships/",
    "/api/v1/grants/",
    "/api/v1/partnerships/",
    "/api/v1/audit-events/",
]


class Rollback(Exception):
    pass


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def pick_partner(public_id: str | None) -> Partner:
    if public_id:
        return Partner.objects.get(public_id=public_id)
    return (
        Partner.objects.filter(
            kind__in=[Partner.Kind.INDIRECT_PROVIDER, Partner.Kind.DIRECT_PARTNER]
        )
        .annotate(n=Count("issued_invitations"))
        .order_by("-n")
        .first()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--partner", default=None)
    args = parser.parse_args()
    settings.API_RATE_LIMIT = ""  # measure the endpoints, not the limiter's refusals
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    partner = pick_partner(args.partner)
    admin = PartnerMembership.objects.filter(partner=partner, role=Role.GLOBAL_ADMIN).first()
    print(f"partner {partner.name} ({partner.public_id}), {args.runs} runs per list")
    try:
        with transaction.atomic():
            _key, secret = api_key_create(
                partner=partner, name="bench", role=Role.GLOBAL_ADMIN, by=admin.user
            )
            client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
            print(f"{'endpoint':40} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8}")
            for path in LISTS:
                timings = []
                rows = 0
                for _ in range(args.runs):
                    started = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                    rows = len(response.json()["results"])
                print(
                    f"{path:40} {rows:>6} {statistics.median(timings):>8.1f} "
                    f"{percentile(timings, 95):>8.1f}"
                )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
