"""Issue 15 defects 5 and 6: NUL bytes and huge page numbers never cause a 500; signed-in pages
and exports are never cached."""

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from apps.core.middleware import PrivateCacheControlMiddleware
from apps.core.pagination import MAX_PAGE, page_number


@pytest.mark.parametrize("path", ["/p/%00/", "/c/%00/"])
def test_a_nul_byte_in_an_id_is_a_404(client, cast, path):
    client.force_login(cast.provider_admin)
    assert client.get(path).status_code == 404


def test_a_nul_byte_in_the_invitation_and_customer_ids_is_a_404(client, cast):
    client.force_login(cast.provider_admin)
    base = f"/p/{cast.provider.public_id}/"
    assert client.get(base + "invitations/%00/").status_code == 404
    assert client.get(base + "customers/%00/").status_code == 404


def test_a_nul_byte_in_an_admin_filter_is_a_400(client, cast):
    client.force_login(cast.staff)
    assert client.get("/admin/partners/partner/?kind__exact=%00").status_code == 400


def test_a_nul_byte_in_an_export_filter_is_refused_before_the_file_starts(client, cast):
    client.force_login(cast.staff)
    response = client.get("/admin/audit/auditevent/export.csv?q=%00")
    assert response.status_code == 400


def test_a_huge_page_number_on_an_activity_page_is_not_a_500(client, cast):
    client.force_login(cast.provider_admin)
    url = reverse("portal:partner_activity", kwargs={"partner_id": cast.provider.public_id})
    assert client.get(url + "?page=99999999999999999999999").status_code == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), ("", 1), ("abc", 1), ("-3", 1), ("0", 1), ("7", 7), ("9" * 30, MAX_PAGE)],
)
def test_page_numbers_are_bounded(value, expected):
    assert page_number(value) == expected


def test_signed_in_pages_are_private_and_not_stored(client, cast):
    client.force_login(cast.provider_admin)
    response = client.get(reverse("partners:home", kwargs={"partner_id": cast.provider.public_id}))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_exports_are_private_and_not_stored(client, cast):
    client.force_login(cast.provider_admin)
    url = reverse("portal:partner_activity_export", kwargs={"partner_id": cast.provider.public_id})
    response = client.get(url)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_a_stricter_header_a_view_set_is_kept(rf, cast):
    def view(request):
        response = HttpResponse("private")
        add_never_cache_headers(response)
        return response

    request = rf.get("/")
    request.user = cast.provider_admin
    response = PrivateCacheControlMiddleware(view)(request)
    directives = {d.strip().split("=")[0] for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store", "no-cache", "must-revalidate", "max-age"} <= directives


def test_anonymous_pages_are_left_alone(client):
    response = client.get(reverse("accounts:password_reset"))
    assert "private" not in response.get("Cache-Control", "")


def test_an_impossible_year_in_an_admin_date_filter_is_refused_not_a_500(client, cast):
    client.force_login(cast.staff)
    response = client.get("/admin/partners/partner/?created_at__year=99999999999999999999999")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
