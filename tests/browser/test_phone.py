"""On a phone (390 × 844, issue 16 point 4): the provider, reseller and customer walk every page
of their organization; no page is wider than the screen (no horizontal scrolling), the tabs
stay on one scrollable row, and axe-core finds no serious or critical violation."""

from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from apps.customers.models import Customer
from apps.partners.models import Partner

from .conftest import TIMEOUT_MS, assert_accessible, login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PASSWORD = "PortalDemo!2026"
MAX_PAGES = 30  # per person: every tab and the first detail pages reached from them


def overflow(page: Page) -> tuple[int, int]:
    return page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def same_area_links(page: Page, prefixes: tuple[str, ...]) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "main a[href]:not([download]), nav a[href]",
        "links => links.map(a => a.getAttribute('href'))",
    )
    found = []
    for href in hrefs:
        path = urlparse(href).path
        if href.startswith(("http", "mailto:", "#")) and not href.startswith("/"):
            continue
        if path.startswith(prefixes) and "export" not in path and path not in found:
            found.append(path + (("?" + urlparse(href).query) if urlparse(href).query else ""))
    return found


def walk(page: Page, start: str, prefixes: tuple[str, ...]) -> list[str]:
    """Breadth first from `start` through the links of the person's organization pages."""
    seen, queue, checked = set(), [start], []
    while queue and len(checked) < MAX_PAGES:
        url = queue.pop(0)
        key = url.split("?")[0]
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        width, viewport = overflow(page)
        assert width <= viewport, f"{url} is {width}px wide on a {viewport}px screen"
        assert_accessible(page)
        checked.append(url)
        queue.extend(link for link in same_area_links(page, prefixes) if link not in queue)
    return checked


@pytest.fixture
def phone(browser, live_server, transactional_db, services):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    contexts = []

    def open_phone() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


@pytest.mark.parametrize(
    "email, organization",
    [
        ("admin@contoso-dist.test", "Contoso Distribution"),
        ("admin@fabrikam.test", "Fabrikam Solutions"),
        ("admin@northwind.test", "Northwind Traders"),
    ],
)
def test_every_page_fits_a_phone_and_passes_axe(phone, live_server, email, organization):
    page = phone()
    login(page, live_server, email, PASSWORD)
    partner = Partner.objects.filter(name=organization).first()
    if partner is not None:
        home = reverse("partners:home", kwargs={"partner_id": partner.public_id})
    else:
        customer = Customer.objects.get(name=organization)
        home = reverse("customers:home", kwargs={"customer_id": customer.public_id})
    checked = walk(page, home, (home, "/notifications/", "/accounts/profile/"))
    assert len(checked) >= 4, checked

    # the tabs stay on one row that scrolls sideways inside itself
    page.goto(home)
    tabs = page.get_by_role("navigation", name="Organization").locator(".nav-tabs")
    expect(tabs).to_be_visible()
    rows = tabs.evaluate(
        "ul => new Set([...ul.querySelectorAll('.nav-link')]"
        ".map(a => a.getBoundingClientRect().top)).size"
    )
    assert rows == 1


def test_the_customers_status_and_buttons_stay_on_screen(phone, live_server):
    page = phone()
    login(page, live_server, "admin@northwind.test", PASSWORD)
    customer = Customer.objects.get(name="Northwind Traders")
    page.goto(reverse("customers:relationships", kwargs={"customer_id": customer.public_id}))
    buttons = page.get_by_role("main").get_by_role("link", name="Move")
    expect(buttons.first).to_be_visible()
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # each cell says which column it is (the cards carry the column names)
    assert page.locator("table.table-cards td[data-label]").count() > 0
