"""Issue 16, point 9: a reseller asks its provider for a link (a message, never an invitation it
creates), sees the provider's contact, and the request lands in the provider's pending work
with a notification to the people there who create invitations."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.invitations.models import Invitation, LinkRequest
from apps.invitations.services import link_request_create, link_request_handle
from apps.notifications.models import Notification
from apps.partners.models import ResellerPartnership, Role
from tests import factories


@pytest.fixture
def partnership(cast):
    cast.provider.contact_email = "partners@contoso.test"
    cast.provider.save(update_fields=["contact_email"])
    return ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)


def request_url(cast, partnership):
    return reverse("invitations:link_request", args=[cast.reseller.public_id, partnership.pk])


def test_the_providers_page_shows_contact_and_request_a_link_before_ending(
    cast, client, partnership
):
    client.force_login(cast.reseller_admin)
    html = client.get(reverse("partners:providers", args=[cast.reseller.public_id])).content
    html = html.decode()
    assert 'href="mailto:partners@contoso.test"' in html
    assert request_url(cast, partnership) in html
    assert html.index("Request a link") < html.index("End partnership")


def test_a_reseller_asks_and_the_provider_is_told(
    cast, client, partnership, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(cast.reseller_admin)
    page = client.get(request_url(cast, partnership)).content.decode()
    assert "partners@contoso.test" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            request_url(cast, partnership), {"message": "Northwind wants Azure, DAP support"}
        )
    assert response.status_code == 302
    link_request = LinkRequest.objects.get()
    assert (link_request.provider, link_request.reseller) == (cast.provider, cast.reseller)
    assert link_request.requested_by == cast.reseller_admin
    assert not Invitation.objects.exists()  # a request, never an invitation (rule 2)
    assert AuditEvent.objects.filter(action="invitation.link_requested").count() == 1
    told = set(
        Notification.objects.filter(kind="invitation.link_requested").values_list(
            "user__email", flat=True
        )
    )
    # the people who create invitations, not the helpdesk agent
    assert told == {"admin@contoso.test", "agent@contoso.test", "sales@contoso.test"}
    assert any("partners@contoso.test" in m.to for m in mailoutbox)
    # it lands in the provider's pending work, linking to the requests
    client.force_login(cast.provider_sales)
    home = client.get(reverse("partners:home", args=[cast.provider.public_id]))
    pending = {p.text: p.url for p in home.context["home"].pending}
    requests_url = reverse("invitations:link_requests", args=[cast.provider.public_id])
    assert pending["A reseller asked you for an invitation link"] == requests_url
    listing = client.get(requests_url).content.decode()
    assert "Northwind wants Azure, DAP support" in listing
    assert f"?reseller={cast.reseller.public_id}" in listing


def test_an_empty_request_is_refused_on_the_form(cast, client, partnership):
    client.force_login(cast.reseller_admin)
    response = client.post(request_url(cast, partnership), {"message": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not LinkRequest.objects.exists()


def test_no_request_over_an_ended_partnership(cast, partnership):
    ResellerPartnership.objects.filter(pk=partnership.pk).update(
        state=ResellerPartnership.State.SUSPENDED
    )
    with pytest.raises(ValidationError):
        link_request_create(partnership=partnership, by=cast.reseller_admin, message="Please")
    assert not LinkRequest.objects.exists()


def test_a_provider_cannot_post_a_request_as_if_it_were_the_reseller(cast, client, partnership):
    client.force_login(cast.provider_admin)
    url = reverse("invitations:link_request", args=[cast.provider.public_id, partnership.pk])
    assert client.post(url, {"message": "x"}).status_code == 404
    client.force_login(cast.outsider)
    assert client.post(request_url(cast, partnership), {"message": "x"}).status_code == 404
    assert not LinkRequest.objects.exists()


def test_a_reseller_helpdesk_agent_cannot_ask(cast, client, partnership):
    helpdesk = factories.make_member(cast.reseller, Role.HELPDESK_AGENT)
    client.force_login(helpdesk)
    assert client.post(request_url(cast, partnership), {"message": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        link_request_create(partnership=partnership, by=helpdesk, message="x")


def test_the_provider_marks_it_handled_once(cast, client, partnership):
    link_request = link_request_create(
        partnership=partnership, by=cast.reseller_admin, message="For Northwind"
    )
    client.force_login(cast.provider_agent)
    url = reverse(
        "invitations:link_request_handle", args=[cast.provider.public_id, link_request.pk]
    )
    client.post(url)
    link_request.refresh_from_db()
    assert link_request.status == LinkRequest.Status.HANDLED
    assert link_request.handled_by == cast.provider_agent
    again = client.post(url, follow=True)
    assert "already handled" in again.content.decode()
    home = client.get(reverse("partners:home", args=[cast.provider.public_id]))
    assert not [p for p in home.context["home"].pending if "asked you" in p.text]
    # the reseller cannot mark it, nor can another provider
    with pytest.raises(PermissionDenied):
        link_request_handle(link_request=link_request, by=cast.reseller_admin)
    client.force_login(cast.outsider)
    other = reverse(
        "invitations:link_request_handle", args=[cast.other_provider.public_id, link_request.pk]
    )
    assert client.post(other).status_code == 404


def test_the_create_form_picks_the_reseller_that_asked(cast, client, partnership):
    client.force_login(cast.provider_admin)
    url = reverse("invitations:create", args=[cast.provider.public_id])
    form = client.get(url, {"reseller": cast.reseller.public_id}).context["form"]
    assert form.initial["reseller"] == cast.reseller
    # another provider's reseller, or nonsense, is ignored
    form = client.get(url, {"reseller": "PNOSUCH1"}).context["form"]
    assert "reseller" not in form.initial


def test_the_requests_list_costs_the_same_at_two_sizes(
    cast, client, partnership, django_assert_max_num_queries
):
    def grow(n):
        LinkRequest.objects.bulk_create(
            LinkRequest(provider=cast.provider, reseller=cast.reseller, message=f"m{i}")
            for i in range(n)
        )

    client.force_login(cast.provider_admin)
    url = reverse("invitations:link_requests", args=[cast.provider.public_id])
    grow(2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    grow(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
