"""/healthz for load balancers: 200 when the database answers, 503 when it does not."""

from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_answers_200_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "up",
        "outbox": {"queued": 0, "failed": 0, "oldest_queued_age_seconds": 0},
    }
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_does_not(client, caplog):
    broken = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(connections["default"], "cursor", side_effect=broken):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down"}
    assert "no-cache" in response["Cache-Control"]
    assert "database unavailable" in caplog.text


def test_it_needs_no_sign_in_and_no_session(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
