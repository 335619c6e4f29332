import pytest
from django.conf import settings
from django.urls import path, reverse

from tests.authz import (
    LOGIN,
    ROLES,
    Route,
    all_rows,
    expect,
    iter_route_names,
    unknown_rows,
    unlisted_routes,
)

ROWS = all_rows()


def test_every_route_has_a_row():
    missing = unlisted_routes(iter_route_names(), ROWS)
    assert missing == [], f"routes with no row in tests/authz/rows_*.py: {missing}"


def test_every_row_names_an_existing_route():
    assert unknown_rows(list(iter_route_names()), ROWS) == []


def test_the_harness_fails_on_an_unlisted_route():
    def view(request):  # pragma: no cover - never called
        return None

    patterns = [path("secret/", view, name="brand_new_route"), path("x/", view)]
    names = list(iter_route_names(patterns))
    assert unlisted_routes(names, ROWS) == ["<unnamed:x/>", "brand_new_route"]


def test_a_row_must_name_every_role():
    with pytest.raises(ValueError):
        Route("dashboard", {"anonymous": 200})


def _client_for(role, cast, client):
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    return client


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(row, role, cast, client):
    client = _client_for(role, cast, client)
    url = reverse(row.name, kwargs=row.kwargs(cast))
    response = getattr(client, row.method)(url, row.data(cast))
    expected = row.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, f"{role} {row.name}: {response.status_code}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == expected, f"{role} {row.name}: got {response.status_code}"


def test_expect_rejects_unknown_roles():
    with pytest.raises(ValueError):
        expect(200, nobody=403)
