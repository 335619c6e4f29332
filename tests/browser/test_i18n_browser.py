"""Journey steps in a real browser in Italian and in Simplified Chinese: the language comes
from the user's preference, from the browser's Accept-Language, or from the footer switcher."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.invitations.services import invitation_create
from apps.invitations.tokens import invitation_token, link_path
from apps.partners.models import Role
from tests.factories import (
    PASSWORD,
    add_second_organization,
    make_member,
    make_partnership,
    make_provider,
    make_reseller,
)
from tests.i18n.catalogs import compile_catalogs, translation_of

from .conftest import TIMEOUT_MS, assert_accessible, login, save_artifacts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    compile_catalogs()


def test_an_italian_user_signs_in_and_works_in_italian_then_switches_to_chinese(
    page, live_server, console_messages
):
    provider = make_provider("Contoso Distribution")
    giulia = make_member(
        provider,
        Role.GLOBAL_ADMIN,
        email="giulia@contoso.test",
        display_name="Giulia",
        language="it",
    )
    # two organizations: the dashboard lists them (with one she would land on it directly)
    add_second_organization(giulia, make_reseller("Tailspin Toys"))

    # the browser asks for English; Giulia's preference wins once she is signed in
    login(page, live_server, "giulia@contoso.test", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("heading", level=1)).to_have_text("Benvenuto, Giulia")
    expect(page.get_by_role("button", name="Esci")).to_be_visible()
    main = page.get_by_role("main")
    main.get_by_role("link", name=re.compile("Contoso Distribution")).click()
    expect(main.get_by_role("heading", name="Prossimi passi")).to_be_visible()
    expect(main).to_contain_text("Amministratore globale")
    assert_accessible(page)

    # the footer switcher: Chinese from now on, on every page
    home = page.url
    page.get_by_label("Lingua").select_option("zh-hans")
    page.get_by_role("button", name="Cambia").click()
    expect(page).to_have_url(home)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(
        main.get_by_role("heading", name=translation_of("zh_Hans", "Next steps"))
    ).to_be_visible()
    page.goto(live_server.url + reverse("dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        translation_of("zh_Hans", "Welcome, %(name)s") % {"name": "Giulia"}
    )
    assert_accessible(page)
    assert console_messages == []


@pytest.fixture
def chinese_page(browser, live_server, transactional_db, console_messages, request):
    """A browser set up for Chinese (zh-CN): its requests carry that Accept-Language."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", lambda m: console_messages.append(m.text) if m.type == "error" else None)
    try:
        yield page
    finally:
        if getattr(getattr(request.node, "report_call", None), "failed", False):
            save_artifacts(page, request.node.name, console_messages)
        context.close()


def test_a_chinese_browser_opens_an_invitation_link_and_reads_it_in_chinese(
    chinese_page, live_server, services, console_messages
):
    page = chinese_page
    provider = make_provider("Contoso Distribution")
    admin = make_member(provider, Role.GLOBAL_ADMIN, email="admin@contoso.test")
    reseller = make_reseller("Fabrikam Solutions")
    make_partnership(provider, reseller)
    invitation = invitation_create(
        provider=provider,
        by=admin,
        reseller=reseller,
        requests_dap=True,
        services=[services["office365"]],
        dap_provisioning=True,
        dap_support=True,
    )
    page.goto(live_server.url + link_path(invitation_token(invitation)))

    expect(page).to_have_url(live_server.url + reverse("invitations:landing"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    zh = {
        msgid: translation_of("zh_Hans", msgid)
        for msgid in [
            "Invitation from %(provider)s",
            "What this invitation asks",
            "Create your organization",
        ]
    }
    expect(page.get_by_role("heading", level=1)).to_have_text(
        zh["Invitation from %(provider)s"] % {"provider": "Contoso Distribution"}
    )
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name=zh["What this invitation asks"])).to_be_visible()
    expect(main.get_by_role("link", name=zh["Create your organization"])).to_be_visible()
    expect(page.get_by_label(translation_of("zh_Hans", "Language"))).to_have_value("zh-hans")
    assert_accessible(page)
    assert console_messages == []


def test_the_operator_switches_the_admin_to_italian(page, live_server, console_messages):
    User.objects.create_superuser("operator@example.test", PASSWORD)
    login(page, live_server, "operator@example.test", PASSWORD)
    page.goto(live_server.url + reverse("admin:index"))
    page.get_by_label("Language").select_option("it")
    page.get_by_role("button", name="Change", exact=True).click()

    expect(page).to_have_url(live_server.url + reverse("admin:index"))
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("link", name="Relazioni di rivendita")).to_be_visible()
    expect(page.get_by_label("Lingua")).to_have_value("it")
    assert_accessible(page)
    assert console_messages == []
    # change forms style labels their own way (forms.css): the switcher stays readable there
    # (the console is not checked there: Django's change-form scripts set inline styles)
    page.goto(live_server.url + reverse("admin:customers_customer_add"))
    expect(page.get_by_label("Lingua")).to_have_value("it")
    assert_accessible(page)
