"""A Global admin creates an API key (shown once) and a webhook endpoint; the pages pass axe."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.api.models import ApiKey
from tests import factories

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_a_global_admin_creates_a_key_and_a_webhook(page, live_server, cast):
    login(page, live_server, cast.provider_admin.email, factories.PASSWORD)
    page.goto(
        live_server.url + reverse("automation:keys", kwargs={"partner_id": cast.provider.public_id})
    )
    expect(page.get_by_role("heading", level=2, name="API keys")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_label("Role").select_option("sales_agent")
    page.get_by_role("button", name="Create key").click()
    key = ApiKey.objects.get()
    assert page.get_by_label("The new API key").input_value().startswith(f"pp_{key.prefix}_")
    assert_accessible(page)

    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", level=2, name="Webhooks")).to_be_visible()
    page.get_by_label("URL").fill("https://93.184.215.14/portal-hooks")
    page.get_by_label("Invitation accepted").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("93.184.215.14/portal-hooks")
    assert page.get_by_label("Signing secret").input_value().startswith("whsec_")
    assert_accessible(page)
