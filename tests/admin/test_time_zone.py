"""The admin shows times in the operator's own zone and says which (issue 16, point 8)."""

import datetime

from django.urls import reverse

from apps.customers.models import ResellerRelationship


def test_the_admin_names_the_operators_zone_and_shows_times_in_it(client, cast):
    relationship = ResellerRelationship.objects.create(
        customer=cast.customer,
        provider=cast.provider,
        started_at=datetime.datetime(2026, 12, 7, 13, 0, tzinfo=datetime.UTC),
    )
    client.force_login(cast.staff)
    url = reverse("admin:customers_resellerrelationship_change", args=[relationship.pk])
    page = client.get(url).content.decode()
    assert "Times in Asia/Shanghai (CST)" in page  # the portal's zone by default

    cast.staff.time_zone = "Europe/Rome"
    cast.staff.save()
    page = client.get(url).content.decode()
    assert "Times in Europe/Rome (CET)" in page
    assert "2 p.m." in page  # 13:00 UTC, in Rome (the admin keeps Django's own format)
