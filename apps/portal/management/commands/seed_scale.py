"""Add distributor-scale data on top of the demo data, with SQL (PostgreSQL only).

Defaults: 100,000 customers of which the demo distributor (Contoso Distribution) owns 50,000
(the rest belong to 50 other providers), 20,000 of Contoso's invitations and 5,000,000 audit
events (about 30 % of them concern Contoso). Every row is made by `INSERT … SELECT
generate_series(…)` in the database, so the default set takes minutes, not hours.

Idempotent: each kind of row carries a marker (`scale-` domains, `S` public ids, the request
id `seed-scale`), and a second run adds only what is missing up to the sizes asked for. It
bypasses the services on purpose (a few million audit events through `audit_record` would take
hours) and so rebuilds the derived customer-visibility table at the end.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.customers.services import customer_access_rebuild

AUDIT_REQUEST_ID = "seed-scale"
OTHER_PROVIDERS = 50
# registered actions (apps/audit/actions.py) the generated events cycle through
ACTIONS = [
    "invitation.created",
    "invitation.delivered",
    "relationship.created",
    "grant.created",
    "grant.moved",
    "grant.removed",
    "team.member_added",
    "account.signed_in",
]


class Command(BaseCommand):
    help = "Add large generated data (customers, invitations, audit events) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument(
            "--distributor-customers",
            type=int,
            default=None,
            help="How many of the customers the demo distributor owns (default: half).",
        )
        parser.add_argument("--invitations", type=int, default=20_000)
        parser.add_argument("--events", type=int, default=5_000_000)
        parser.add_argument(
            "--batch", type=int, default=500_000, help="Audit events per INSERT (progress)."
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (it generates rows with SQL).")
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        customers = options["customers"]
        owned = options["distributor_customers"]
        owned = customers // 2 if owned is None else min(owned, customers)
        self.started = time.monotonic()
        with transaction.atomic():
            ids = self.demo_ids()
            self.step("providers", self.providers())
            self.step("customers", self.customers(customers))
            self.step("relationships", self.relationships(ids, customers, owned))
            self.step("grants", self.grants(ids, owned))
            self.step("invitations", self.invitations(ids, options["invitations"]))
            self.step("customer visibility", customer_access_rebuild())
        total = options["events"]
        while True:
            with transaction.atomic():
                added = self.events(ids, total, options["batch"])
            if not added:
                break
            self.step("audit events", added)
        with connection.cursor() as cursor:
            for table in (
                "customers_customer",
                "customers_resellerrelationship",
                "customers_delegatedadmingrant",
                "customers_customeraccess",
                "invitations_invitation",
                "audit_auditevent",
                "audit_auditeventpartner",
            ):
                # VACUUM (visibility map: index-only scans) cannot run inside a transaction
                verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cursor.execute(f"{verb} {table}")
        self.stdout.write(self.style.SUCCESS(f"Scale data ready in {self.elapsed():.0f} s."))

    # --------------------------------------------------------------------------
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def step(self, what: str, rows: int) -> None:
        self.stdout.write(f"{self.elapsed():7.1f} s  {what}: {rows:,} rows")

    def run_sql(self, sql: str, params=None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            return cursor.rowcount

    def scalar(self, sql: str, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            return cursor.fetchone()[0]

    def demo_ids(self) -> dict:
        def partner(public_id):
            return self.scalar("SELECT id FROM partners_partner WHERE public_id = %s", [public_id])

        return {
            "contoso": partner("PCONTOSO01"),
            "fabrikam": partner("PFABRIKAM1"),
            "tailspin": partner("PTAILSPIN1"),
            "admin": self.scalar(
                "SELECT id FROM accounts_user WHERE email = 'admin@contoso-dist.test'"
            ),
            "service": self.scalar("SELECT min(id) FROM customers_service"),
        }

    def providers(self) -> int:
        return self.run_sql(
            """
            INSERT INTO partners_partner
                (public_id, kind, name, status, contact_email, country, created_at, require_mfa)
            SELECT 'PSCALE' || lpad(n::text, 4, '0'), 'indirect_provider',
                   'Scale Provider ' || n, 'active', '', 'CN', now(), false
              FROM generate_series(1, %s) n
            ON CONFLICT (public_id) DO NOTHING
            """,
            [OTHER_PROVIDERS],
        )

    def customers(self, count: int) -> int:
        # Names from a small vocabulary plus a hash, so a search word matches a realistic share
        return self.run_sql(
            """
            INSERT INTO customers_customer (public_id, name, tenant_domain, tenant_id, country,
                                            created_at, verification_status,
                                            verification_token, verified_at,
                                            verification_method, verification_note,
                                            claim_close_reason)
            SELECT 'CS' || lpad(n::text, 8, '0'),
                   (ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay',
                          'Wonka', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent',
                          'Aperture', 'Massive', 'Gringotts', 'Oceanic'])[1 + n %% 16]
                     || ' ' || (ARRAY['Trading', 'Logistics', 'Foods', 'Software', 'Energy',
                                      'Retail', 'Health', 'Media'])[1 + (n / 16) %% 8]
                     || ' ' || substr(md5(n::text), 1, 6),
                   'scale-' || n || '.partner.onmschina.cn',
                   md5('tenant' || n)::uuid, 'CN', now() - (n || ' minutes')::interval,
                   'verified', md5('verify' || n), now() - (n || ' minutes')::interval,
                   'operator', 'generated by seed_scale', ''
              FROM generate_series(1, %s) n
            ON CONFLICT DO NOTHING
            """,
            [count],
        )

    def relationships(self, ids: dict, count: int, owned: int) -> int:
        # Customers 1..owned: Contoso's, a third through Fabrikam, a third through Tailspin;
        # the rest: one of the other providers each.
        return self.run_sql(
            """
            INSERT INTO customers_resellerrelationship
                (customer_id, provider_id, reseller_id, state, started_at, end_reason)
            SELECT c.id,
                   CASE WHEN s.n <= %(owned)s THEN %(contoso)s ELSE p.id END,
                   CASE WHEN s.n > %(owned)s THEN NULL
                        WHEN s.n %% 3 = 0 THEN %(fabrikam)s
                        WHEN s.n %% 3 = 1 THEN %(tailspin)s END,
                   'active', c.created_at, ''
              FROM generate_series(1, %(count)s) s(n)
              JOIN customers_customer c ON c.public_id = 'CS' || lpad(s.n::text, 8, '0')
              JOIN partners_partner p
                ON p.public_id = 'PSCALE' || lpad((1 + s.n %% %(others)s)::text, 4, '0')
             WHERE NOT EXISTS (SELECT 1 FROM customers_resellerrelationship r
                                WHERE r.customer_id = c.id)
            """,
            {**ids, "owned": owned, "count": count, "others": OTHER_PROVIDERS},
        )

    def grants(self, ids: dict, owned: int) -> int:
        # One service's delegated admin for every Contoso customer, held by the reseller
        # attached (or Contoso itself).
        return self.run_sql(
            """
            INSERT INTO customers_delegatedadmingrant
                (customer_id, service_id, partner_id, relationship_id, provisioning, support,
                 granted_at, ends_at, auto_extend, revoke_reason, revoke_note)
            SELECT r.customer_id, %(service)s, coalesce(r.reseller_id, r.provider_id), r.id,
                   true, true, r.started_at, r.started_at + interval '730 days', false, '', ''
              FROM customers_resellerrelationship r
              JOIN customers_customer c ON c.id = r.customer_id
             WHERE r.provider_id = %(contoso)s AND r.state = 'active'
               AND c.public_id LIKE 'CS%%'
               AND NOT EXISTS (SELECT 1 FROM customers_delegatedadmingrant g
                                WHERE g.customer_id = r.customer_id AND g.revoked_at IS NULL
                                  AND g.service_id = %(service)s)
            """,
            {**ids, "owned": owned},
        )

    def invitations(self, ids: dict, count: int) -> int:
        return self.run_sql(
            """
            INSERT INTO invitations_invitation
                (public_id, kind, recipient_email, requests_dap, dap_provisioning, dap_support,
                 dap_duration_days, dap_auto_extend, message, expires_at, max_uses, use_count,
                 status, link_key, created_at,
                 created_by_id, provider_id, reseller_id)
            SELECT 'IS' || lpad(n::text, 8, '0'),
                   CASE WHEN n %% 2 = 0 THEN 'personal' ELSE 'open' END,
                   CASE WHEN n %% 2 = 0 THEN 'buyer' || n || '@customer' || (n %% 997)
                        || '.test' ELSE '' END,
                   true, true, n %% 3 = 0, 730, false, 'Generated invitation ' || n,
                   now() + ((n %% 60) - 20 || ' days')::interval,
                   CASE WHEN n %% 2 = 0 THEN 1 END, 0, 'active',
                   'S' || substr(md5('link' || n), 1, 31),
                   now() - (n || ' minutes')::interval,
                   %(admin)s, %(contoso)s,
                   CASE WHEN n %% 3 = 0 THEN %(fabrikam)s WHEN n %% 3 = 1 THEN %(tailspin)s END
              FROM generate_series(1, %(count)s) n
            ON CONFLICT DO NOTHING
            """,
            {**ids, "count": count},
        )

    def events(self, ids: dict, total: int, batch: int) -> int:
        """One batch of the missing audit events and their partner links."""
        have = self.scalar(
            "SELECT count(*) FROM audit_auditevent WHERE request_id = %s", [AUDIT_REQUEST_ID]
        )
        todo = min(batch, total - have)
        if todo <= 0:
            return 0
        first = have + 1
        last = have + todo
        # (inside an outer transaction, as in the tests, ON COMMIT DROP has not dropped them)
        self.run_sql("DROP TABLE IF EXISTS seed_events, seed_ids")
        # 30 % concern Contoso (acting for it or about one of its customers), the rest the
        # other providers; spread over two years, newest for the highest numbers.
        self.run_sql(
            """
            CREATE TEMP TABLE seed_events ON COMMIT DROP AS
            SELECT n, CASE WHEN n %% 10 < 3 THEN %(contoso)s
                           ELSE (SELECT id FROM partners_partner
                                  WHERE public_id = 'PSCALE' || lpad((1 + n %% 50)::text, 4, '0'))
                      END AS partner_id
              FROM generate_series(%(first)s, %(last)s) n
            """,
            {**ids, "first": first, "last": last},
        )
        self.run_sql(
            """
            CREATE TEMP TABLE seed_ids ON COMMIT DROP AS
            WITH inserted AS (
                INSERT INTO audit_auditevent
                    (created_at, actor_email, action, target_type, target_id, target_repr,
                     data, request_id, acting_partner_id, actor_id, customer_id)
                SELECT now() - ((%(total)s - s.n) * interval '12 seconds'),
                       'user' || (s.n %% 5000) || '@partner' || (s.n %% 50) || '.test',
                       (%(actions)s::text[])[1 + s.n %% %(n_actions)s],
                       'customers.customer', (1 + s.n %% 100000)::text,
                       'Customer ' || substr(md5(s.n::text), 1, 10),
                       jsonb_build_object('n', s.n, 'email', 'contact' || (s.n %% 9973)
                                          || '@customer.test'),
                       %(request_id)s,
                       CASE WHEN s.n %% 2 = 0 THEN s.partner_id END,
                       NULL, NULL
                  FROM seed_events s
                RETURNING id, (data->>'n')::bigint AS n
            )
            SELECT id, n FROM inserted
            """,
            {
                "total": total,
                "actions": ACTIONS,
                "n_actions": len(ACTIONS),
                "request_id": AUDIT_REQUEST_ID,
            },
        )
        # The partner concerned: the acting partner, or the event's partner when none acts
        self.run_sql(
            """
            INSERT INTO audit_auditeventpartner (event_id, partner_id)
            SELECT i.id, s.partner_id FROM seed_ids i JOIN seed_events s ON s.n = i.n
            """
        )
        return todo
