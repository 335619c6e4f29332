"""API fixtures: a key per role of the cast's organizations, and a client that sends one."""

import pytest
from rest_framework.test import APIClient

from apps.api.services import api_key_create, staff_api_key_create
from apps.partners.permissions import Role


class KeyClient(APIClient):
    def __init__(self, secret: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if secret:
            self.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")


def make_key(partner, by, role=Role.GLOBAL_ADMIN, **kwargs):
    return api_key_create(
        partner=partner, name=kwargs.pop("name", f"{role} key"), role=role, by=by, **kwargs
    )


@pytest.fixture
def provider_key(cast):
    return make_key(cast.provider, cast.provider_admin, Role.ADMIN_AGENT)


@pytest.fixture
def reseller_key(cast):
    return make_key(cast.reseller, cast.reseller_admin, Role.GLOBAL_ADMIN)


@pytest.fixture
def outsider_key(cast):
    return make_key(cast.other_provider, cast.outsider, Role.GLOBAL_ADMIN)


@pytest.fixture
def staff_key(cast):
    return staff_api_key_create(name="operator reads", by=cast.staff)


@pytest.fixture
def provider_api(provider_key):
    return KeyClient(provider_key[1])


@pytest.fixture
def reseller_api(reseller_key):
    return KeyClient(reseller_key[1])


@pytest.fixture
def outsider_api(outsider_key):
    return KeyClient(outsider_key[1])


@pytest.fixture
def staff_api(staff_key):
    return KeyClient(staff_key[1])
