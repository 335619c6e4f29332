"""A person signs in with a real browser and lands on their organization (the only one: no
dashboard of one card, issue 16)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.partners.models import Role
from tests.factories import PASSWORD, make_member, make_provider

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_a_partner_user_signs_in_and_lands_on_their_organization(
    page, live_server, console_messages
):
    provider = make_provider("Contoso Distribution")
    make_member(provider, Role.GLOBAL_ADMIN, email="admin@contoso.test", display_name="Ada")

    page.goto(live_server.url + reverse("dashboard"))
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:login")) + r"\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)

    login(page, live_server, "Admin@Contoso.TEST", PASSWORD)

    expect(page).to_have_url(live_server.url + reverse("partners:home", args=[provider.public_id]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contoso Distribution")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Create customer invitation")).to_be_visible()
    assert_accessible(page)
    assert console_messages == []

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
