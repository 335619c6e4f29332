"""Provider side (Resellers list, detail, invite, state changes) and reseller side
(Providers list, ending a partnership)."""

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers.models import Customer, ResellerRelationship
from apps.partners.models import Partner, ResellerPartnership
from tests import factories

State = ResellerPartnership.State


def live_partnership(cast) -> ResellerPartnership:
    return ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)


def resellers_url(partner, query: str = "") -> str:
    return reverse("partners:resellers", args=[partner.public_id]) + query


def detail_url(cast, partnership=None) -> str:
    partnership = partnership or live_partnership(cast)
    return reverse("partners:reseller_detail", args=[cast.provider.public_id, partnership.pk])


def action_url(cast, name: str) -> str:
    return reverse(f"partners:{name}", args=[cast.provider.public_id, live_partnership(cast).pk])


# ------------------------------------------------------------------------------
# Resellers list and detail
# ------------------------------------------------------------------------------
def test_the_resellers_list_shows_state_since_and_customers_brought(cast, client):
    for _ in range(2):
        ResellerRelationship.objects.create(
            customer=factories.make_customer(), provider=cast.provider, reseller=cast.reseller
        )
    client.force_login(cast.provider_helpdesk)
    response = client.get(resellers_url(cast.provider))
    page = response.content.decode()
    assert "Fabrikam Solutions" in page
    assert cast.reseller.public_id in page
    assert "Active" in page
    assert response.context["partnerships"][0].customers_count == 2
    assert "Invite a reseller" not in page  # helpdesk cannot manage


def test_a_provider_without_resellers_is_told_how_to_get_one(cast, client):
    client.force_login(cast.outsider)
    page = client.get(resellers_url(cast.other_provider)).content.decode()
    assert "You have no resellers yet" in page
    assert "Invite a reseller" in page


def test_the_resellers_list_filters_by_state(cast, client):
    factories.make_partnership(
        cast.provider, factories.make_reseller("Wingtip"), state=State.SUSPENDED
    )
    client.force_login(cast.provider_admin)
    page = client.get(resellers_url(cast.provider, "?state=suspended")).content.decode()
    assert "Wingtip" in page and "Fabrikam Solutions" not in page
    page = client.get(resellers_url(cast.provider, "?state=ended")).content.decode()
    assert "No partnerships in this state" in page
    # an unknown state shows everything rather than failing
    page = client.get(resellers_url(cast.provider, "?state=bogus")).content.decode()
    assert "Wingtip" in page and "Fabrikam Solutions" in page


def test_the_detail_page_shows_who_did_what_and_when(cast, client):
    p = live_partnership(cast)
    ResellerPartnership.objects.filter(pk=p.pk).update(
        state=State.ENDED,
        ended_at=timezone.now(),
        ended_by=cast.reseller_admin,
        ended_by_partner=cast.reseller,
        end_reason="Moving on",
    )
    client.force_login(cast.provider_sales)
    page = client.get(detail_url(cast)).content.decode()
    assert "admin@fabrikam.test (Fabrikam Solutions)" in page
    assert "Moving on" in page


def test_another_providers_partnership_is_404(cast, client):
    other = factories.make_partnership(cast.other_provider, factories.make_reseller())
    client.force_login(cast.provider_admin)
    url = reverse("partners:reseller_detail", args=[cast.provider.public_id, other.pk])
    assert client.get(url).status_code == 404
    url = reverse("partners:partnership_suspend", args=[cast.provider.public_id, other.pk])
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.state == State.ACTIVE


def test_a_global_admin_invites_a_reseller_by_email(
    cast, client, django_capture_on_commit_callbacks
):
    client.force_login(cast.provider_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:reseller_invite", args=[cast.provider.public_id]),
            {"email": "boss@tailspin.test", "reseller_partner_id": ""},
        )
    partnership = ResellerPartnership.objects.get(invited_email="boss@tailspin.test")
    assert response["Location"] == detail_url(cast, partnership)
    assert mail.outbox[0].to == ["boss@tailspin.test"]
    page = client.get(resellers_url(cast.provider)).content.decode()
    assert "Invitation to boss@tailspin.test" in page


def test_inviting_by_partner_id_checks_the_organization(cast, client):
    client.force_login(cast.provider_admin)
    url = reverse("partners:reseller_invite", args=[cast.provider.public_id])
    cases = [
        ("PNOSUCHID99", "No organization has the partner ID PNOSUCHID99"),
        (cast.other_provider.public_id, "not an indirect reseller"),
        (cast.provider.public_id, "cannot be its own reseller"),
        (cast.reseller.public_id.lower(), "already a reseller of Contoso Distribution"),
    ]
    for partner_id, message in cases:
        response = client.post(url, {"email": "x@x.test", "reseller_partner_id": partner_id})
        assert response.status_code == 200
        assert message in response.content.decode(), partner_id
    assert ResellerPartnership.objects.count() == 1
    assert mail.outbox == []


def test_the_provider_suspends_reactivates_and_ends_from_the_detail_page(cast, client):
    client.force_login(cast.provider_admin)
    client.post(action_url(cast, "partnership_suspend"))
    assert live_partnership(cast).state == State.SUSPENDED
    assert "Reactivate" in client.get(detail_url(cast)).content.decode()
    client.post(action_url(cast, "partnership_reactivate"))
    assert live_partnership(cast).state == State.ACTIVE
    end_url = action_url(cast, "partnership_end")
    assert "End the partnership with Fabrikam Solutions?" in client.get(end_url).content.decode()
    response = client.post(end_url, {"reason": "Contract over"})
    assert response["Location"] == detail_url(cast)
    partnership = live_partnership(cast)
    assert partnership.state == State.ENDED
    assert partnership.end_reason == "Contract over"
    assert list(
        AuditEvent.objects.filter(action__startswith="partnership.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["partnership.suspended", "partnership.reactivated", "partnership.ended"]


def test_a_state_change_that_no_longer_applies_gets_a_message(cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(action_url(cast, "partnership_reactivate"), follow=True)
    assert "Only a suspended partnership can be reactivated" in response.content.decode()
    assert live_partnership(cast).state == State.ACTIVE


def test_the_provider_resends_and_revokes_an_open_invitation(
    cast, client, invite_reseller, django_capture_on_commit_callbacks
):
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "x@tailspin.test")
    client.force_login(cast.provider_admin)
    args = [cast.provider.public_id, partnership.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:partnership_resend", args=args))
    assert len(mail.outbox) == 2
    client.post(reverse("partners:partnership_revoke", args=args))
    partnership.refresh_from_db()
    assert partnership.state == State.REVOKED


def seed_resellers(provider, start: int, stop: int) -> None:
    """Reseller partnerships, each with one active customer relationship (bulk)."""
    resellers = Partner.objects.bulk_create(
        Partner(
            name=f"Reseller {i:03}",
            kind=Partner.Kind.INDIRECT_RESELLER,
            status=Partner.Status.ACTIVE,
            public_id=f"PR{i:08}",
        )
        for i in range(start, stop)
    )
    ResellerPartnership.objects.bulk_create(
        ResellerPartnership(
            provider=provider,
            reseller=r,
            state=State.ACTIVE,
            invited_email=f"r{r.pk}@example.test",
            activated_at=timezone.now(),
        )
        for r in resellers
    )
    customers = Customer.objects.bulk_create(
        Customer(name=f"Customer {i}", tenant_domain=f"c{i}.partner.onmschina.cn")
        for i in range(start, stop)
    )
    ResellerRelationship.objects.bulk_create(
        ResellerRelationship(customer=c, provider=provider, reseller=r)
        for c, r in zip(customers, resellers, strict=True)
    )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_resellers_list_runs_the_same_queries_for_3_or_300_rows(cast, client):
    client.force_login(cast.provider_admin)
    url = resellers_url(cast.provider)
    seed_resellers(cast.provider, 0, 3)
    with_3 = count_queries(client, url)
    seed_resellers(cast.provider, 3, 300)
    with_300 = count_queries(client, url)
    assert with_3 == with_300 <= 8
    response = client.get(url + "?page=2")
    assert all(p.customers_count == 1 for p in response.context["partnerships"])


# ------------------------------------------------------------------------------
# Providers list (reseller side)
# ------------------------------------------------------------------------------
def providers_url(partner) -> str:
    return reverse("partners:providers", args=[partner.public_id])


def test_the_providers_list_shows_the_resellers_providers(cast, client):
    ResellerRelationship.objects.create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    client.force_login(cast.reseller_admin)
    response = client.get(providers_url(cast.reseller))
    page = response.content.decode()
    assert "Contoso Distribution" in page
    assert cast.provider.public_id in page
    assert response.context["partnerships"][0].customers_count == 1


def test_a_reseller_without_providers_is_told_how_to_get_one(db, client):
    reseller = factories.make_reseller("Wingtip")
    admin = factories.make_member(reseller)
    client.force_login(admin)
    page = client.get(providers_url(reseller)).content.decode()
    assert "No provider has you as a reseller yet" in page
    assert reseller.public_id in page


def test_invitations_the_reseller_never_accepted_are_not_listed(cast, client, invite_reseller):
    invite_reseller(cast.other_provider, cast.outsider, "x@fabrikam.test", reseller=cast.reseller)
    client.force_login(cast.reseller_admin)
    page = client.get(providers_url(cast.reseller)).content.decode()
    assert "Litware" not in page


def test_the_reseller_ends_a_partnership(cast, client):
    client.force_login(cast.reseller_admin)
    url = reverse(
        "partners:provider_end", args=[cast.reseller.public_id, live_partnership(cast).pk]
    )
    assert "End the partnership with Contoso Distribution?" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert response["Location"] == providers_url(cast.reseller)
    partnership = live_partnership(cast)
    assert partnership.state == State.ENDED
    assert partnership.ended_by_partner == cast.reseller
    event = AuditEvent.objects.get(action="partnership.ended")
    assert event.acting_partner == cast.reseller


def test_a_reseller_cannot_open_another_resellers_partnership(cast, client):
    other_reseller = factories.make_reseller("Wingtip")
    other = factories.make_partnership(cast.provider, other_reseller)
    client.force_login(cast.reseller_admin)
    url = reverse("partners:provider_end", args=[cast.reseller.public_id, other.pk])
    assert client.post(url).status_code == 404


def test_the_providers_list_runs_the_same_queries_for_3_or_300_rows(db, client):
    reseller = factories.make_reseller("Wingtip")
    admin = factories.make_member(reseller)
    client.force_login(admin)

    def seed(start, stop):
        providers = Partner.objects.bulk_create(
            Partner(
                name=f"Provider {i:03}",
                kind=Partner.Kind.INDIRECT_PROVIDER,
                status=Partner.Status.ACTIVE,
                public_id=f"PP{i:08}",
            )
            for i in range(start, stop)
        )
        ResellerPartnership.objects.bulk_create(
            ResellerPartnership(
                provider=p, reseller=reseller, state=State.ACTIVE, invited_email="a@b.test"
            )
            for p in providers
        )

    seed(0, 3)
    with_3 = count_queries(client, providers_url(reseller))
    seed(3, 300)
    assert count_queries(client, providers_url(reseller)) == with_3


# ------------------------------------------------------------------------------
# Search (issue 16, point 10)
# ------------------------------------------------------------------------------
def test_the_provider_searches_its_resellers_by_name_id_or_email(client, cast):
    from django.urls import reverse

    from tests import factories as f

    tailspin = f.make_reseller("Tailspin Cloud Services")
    f.make_partnership(cast.provider, tailspin)
    client.force_login(cast.provider_admin)
    url = reverse("partners:resellers", kwargs={"partner_id": cast.provider.public_id})

    def found(query):
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        return [p.reseller.name for p in response.context["partnerships"] if p.reseller]

    assert found("tailspin") == ["Tailspin Cloud Services"]
    assert found(cast.reseller.public_id) == ["Fabrikam Solutions"]
    assert found("no such reseller") == []
    assert "No reseller matches your search." in client.get(url, {"q": "zzz"}).content.decode()
    # the search and the state filter compose, and the page links keep both
    response = client.get(url, {"q": "tail", "state": "active"})
    assert [p.reseller.name for p in response.context["partnerships"]] == [
        "Tailspin Cloud Services"
    ]
    assert response.context["page_query"] == "state=active&q=tail"
    # another provider's search never reaches Contoso's resellers
    client.force_login(cast.outsider)
    other = reverse("partners:resellers", kwargs={"partner_id": cast.other_provider.public_id})
    assert list(client.get(other, {"q": "tailspin"}).context["partnerships"]) == []
