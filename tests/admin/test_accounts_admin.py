"""Users in the admin: which organizations someone belongs to (read-only), filters, search."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.partners.models import PartnerMembership, Role
from tests import factories

CHANGELIST = "admin:accounts_user_changelist"


def emails(response) -> set[str]:
    return {user.email for user in response.context["cl"].result_list}


def test_a_users_page_shows_their_memberships_with_links(cast, client):
    PartnerMembership.objects.create(
        user=cast.customer_admin, partner=cast.reseller, role=Role.SALES_AGENT
    )
    client.force_login(cast.staff)
    response = client.get(reverse("admin:accounts_user_change", args=[cast.customer_admin.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("admin:partners_partner_change", args=[cast.reseller.pk]) in html
    assert reverse("admin:customers_customer_change", args=[cast.customer.pk]) in html
    assert "Sales agent" in html


def test_memberships_cannot_be_edited_from_the_users_page(cast, client):
    client.force_login(cast.staff)
    response = client.get(reverse("admin:accounts_user_change", args=[cast.provider_admin.pk]))
    for formset in response.context["inline_admin_formsets"]:
        assert not formset.has_add_permission
        assert not formset.has_change_permission
        assert not formset.has_delete_permission
    assert len(response.context["inline_admin_formsets"]) == 2


def test_the_add_page_has_no_membership_inlines(cast, client):
    client.force_login(cast.staff)
    response = client.get(reverse("admin:accounts_user_add"))
    assert response.status_code == 200
    assert list(response.context["inline_admin_formsets"]) == []


@pytest.mark.parametrize(
    ("organization", "expected"),
    [
        ("partner", {"admin@contoso.test", "agent@contoso.test", "admin@fabrikam.test"}),
        ("customer", {"admin@northwind.test"}),
        ("none", {"operator@example.test", "loner@example.test"}),
    ],
)
def test_users_filter_by_the_kind_of_organization(cast, client, organization, expected):
    factories.make_user("loner@example.test")
    client.force_login(cast.staff)
    response = client.get(reverse(CHANGELIST), {"organization": organization})
    assert expected <= emails(response)
    if organization == "none":
        assert emails(response) == expected
    if organization == "customer":
        assert emails(response) == expected


def test_users_are_found_by_their_organizations_name_or_id(cast, client):
    client.force_login(cast.staff)
    response = client.get(reverse(CHANGELIST), {"q": "Fabrikam"})
    assert emails(response) == {"admin@fabrikam.test"}
    response = client.get(reverse(CHANGELIST), {"q": cast.provider.public_id})
    assert "helpdesk@contoso.test" in emails(response)
    response = client.get(reverse(CHANGELIST), {"q": "northwind.partner"})
    assert emails(response) == {"admin@northwind.test"}


def test_users_filter_by_group(cast, auditor, client):
    client.force_login(cast.staff)
    group = auditor.groups.get()
    response = client.get(reverse(CHANGELIST), {"groups__id__exact": group.pk})
    assert emails(response) == {auditor.email}


def test_a_users_page_links_to_what_they_did(cast, auditor, client):
    client.force_login(auditor)
    response = client.get(reverse("admin:accounts_user_change", args=[cast.provider_admin.pk]))
    audit = reverse("admin:audit_auditevent_changelist")
    assert f"{audit}?actor={cast.provider_admin.pk}" in response.content.decode()


@pytest.mark.parametrize("count", [3, 300])
def test_the_user_list_runs_a_fixed_number_of_queries(
    count, cast, client, django_assert_max_num_queries
):
    User.objects.bulk_create(
        [User(email=f"bulk{i}@example.test", display_name=f"Bulk {i}") for i in range(count)]
    )
    client.force_login(cast.staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse(CHANGELIST), {"q": "bulk", "organization": "none"})
