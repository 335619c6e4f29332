"""What the bench measures: every portal page and admin changelist, with search and deep pages.

A page is a name, who looks at it and its path. Paths may contain `{customer}` (a customer the
distributor serves), `{invitation}` (one of its invitations), `{customer_cursor}` /
`{event_cursor}` (the position of the customer, or of the distributor's event, halfway down
its list: a deep page read from a cursor), `{audit_page_1000}` (page 1000 of the admin's audit
log, or its last page where it has fewer), `{customer_word}` (the first word of the name of
the last customer of the distributor's list: a search that finds customers in either
database, at scale the one whose matches the list's order reaches last),
`{actor_email}` (the actor of the event halfway down the audit log): resolved per database.

A page marked `like_for_like=False` asks both databases for something only the scale data
holds (a search for a word no demo customer has): its demo side is the empty "no match" page,
so its ratio compares a page of 25 results with an empty one, not the same page at two sizes.
It is reported beside the targets, not held to them (bench/RESULTS.md says which rows).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    user: str
    path: str
    group: str = "portal"
    like_for_like: bool = True


DISTRIBUTOR = "admin@contoso-dist.test"
RESELLER = "admin@fabrikam.test"
CUSTOMER = "admin@northwind.test"
OPERATOR = "operator@demo.test"
P = "/p/PCONTOSO01"

PAGES = [
    Page("partner home", DISTRIBUTOR, f"{P}/"),
    Page("team", DISTRIBUTOR, f"{P}/team/"),
    Page("resellers", DISTRIBUTOR, f"{P}/resellers/"),
    Page("partner profile", DISTRIBUTOR, f"{P}/profile/"),
    Page("provider's customer list", DISTRIBUTOR, f"{P}/customers/"),
    Page("customer list search", DISTRIBUTOR, f"{P}/customers/?q={{customer_word}}"),
    # 3,125 of the distributor's customers at scale, none in the demo
    Page(
        "customer list search for a word absent from the demo",
        DISTRIBUTOR,
        f"{P}/customers/?q=globex",
        like_for_like=False,
    ),
    # the deepest page: the last of 50,000 customers (cursor pages, apps.core.pagination)
    Page("customer list, last page", DISTRIBUTOR, f"{P}/customers/?before=end"),
    Page(
        "customer list, page after a cursor",
        DISTRIBUTOR,
        f"{P}/customers/?after={{customer_cursor}}",
    ),
    Page("customer detail", DISTRIBUTOR, f"{P}/customers/{{customer}}/"),
    Page("reseller's customer list", RESELLER, "/p/PFABRIKAM1/customers/"),
    Page("invitation list", DISTRIBUTOR, f"{P}/invitations/"),
    Page("invitation list search", DISTRIBUTOR, f"{P}/invitations/?q=buyer1234"),
    Page("invitation list, oldest page", DISTRIBUTOR, f"{P}/invitations/?before=end"),
    Page("invitation detail", DISTRIBUTOR, f"{P}/invitations/{{invitation}}/"),
    Page("partner activity", DISTRIBUTOR, f"{P}/activity/"),
    Page("partner activity, oldest page", DISTRIBUTOR, f"{P}/activity/?before=end"),
    Page(
        "partner activity, page after a cursor",
        DISTRIBUTOR,
        f"{P}/activity/?after={{event_cursor}}",
    ),
    Page(
        "partner activity, one action",
        DISTRIBUTOR,
        f"{P}/activity/?action=grant.moved",
    ),
    Page("notifications", DISTRIBUTOR, "/notifications/"),
    Page("customer home", CUSTOMER, "/c/CNORTHWIND/"),
    Page("customer relationships", CUSTOMER, "/c/CNORTHWIND/relationships/"),
    Page("customer activity", CUSTOMER, "/c/CNORTHWIND/activity/"),
    Page("admin index", OPERATOR, "/admin/", "admin"),
    Page("admin audit events", OPERATOR, "/admin/audit/auditevent/", "admin"),
    Page(
        "admin audit events, search",
        OPERATOR,
        "/admin/audit/auditevent/?q={actor_email}",
        "admin",
    ),
    Page(
        "admin audit events, search for an actor absent from the demo",
        OPERATOR,
        "/admin/audit/auditevent/?q=user4242%40partner42.test",
        "admin",
        like_for_like=False,
    ),
    # page 1000 at scale; the demo log has a few pages, so its last (Django's admin answers a
    # page past the end with a redirect to "?e=1", which would be all the demo side measured)
    Page(
        "admin audit events, page 1000",
        OPERATOR,
        "/admin/audit/auditevent/?p={audit_page_1000}",
        "admin",
    ),
    Page("admin customers", OPERATOR, "/admin/customers/customer/", "admin"),
    Page(
        "admin customers, search",
        OPERATOR,
        "/admin/customers/customer/?q={customer_word}",
        "admin",
    ),
    Page(
        "admin customers, search for a word absent from the demo",
        OPERATOR,
        "/admin/customers/customer/?q=globex",
        "admin",
        like_for_like=False,
    ),
    Page("admin invitations", OPERATOR, "/admin/invitations/invitation/", "admin"),
    Page("admin relationships", OPERATOR, "/admin/customers/resellerrelationship/", "admin"),
    Page("admin grants", OPERATOR, "/admin/customers/delegatedadmingrant/", "admin"),
    Page("admin partners", OPERATOR, "/admin/partners/partner/", "admin"),
    Page("admin users", OPERATOR, "/admin/accounts/user/", "admin"),
    Page("stock admin audit events", OPERATOR, "/stock-admin/audit/auditevent/", "stock"),
    Page("stock admin customers", OPERATOR, "/stock-admin/customers/customer/", "stock"),
    Page("stock admin invitations", OPERATOR, "/stock-admin/invitations/invitation/", "stock"),
    Page(
        "stock admin relationships",
        OPERATOR,
        "/stock-admin/customers/resellerrelationship/",
        "stock",
    ),
]
