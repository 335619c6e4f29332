"""schemathesis runs the whole OpenAPI schema against the live test server: no 5xx, every
status documented, every response conforming to the schema. A bounded number of examples
per operation keeps it in the normal test run."""

import json

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from apps.partners.permissions import Role
from tests.invitations.builders import make_invitation

from .conftest import make_key

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(json.dumps(raw, cls=DjangoJSONEncoder)))


def test_the_schema_is_openapi_3_1(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/invitations/" in schema["paths"]


@pytest.fixture
def api_headers(cast, services, settings):
    settings.API_RATE_LIMIT = ""
    make_invitation(cast.provider, cast.reseller)
    _key, secret = make_key(cast.provider, cast.provider_admin, Role.GLOBAL_ADMIN)
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db(transaction=True)
def test_the_api_conforms_to_its_schema(live_server, api_headers, api_schema):
    """Every operation, a bounded number of generated requests each (derandomized, so a
    failure reproduces). schemathesis' own pytest plugin does not run on pytest 9 yet, so the
    operations are walked here with its Hypothesis strategies."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            case.call_and_validate(base_url=live_server.url, headers=api_headers, checks=CHECKS)

        run()
