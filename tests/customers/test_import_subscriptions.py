import io

import pytest
from django.core.management import CommandError, call_command

from apps.audit.models import AuditEvent
from apps.customers.models import Subscription

HEADER = (
    "customer,service,subscription_id,offer,seats,status,purchase_channel,"
    "partner_of_record,start_date\n"
)


def write_csv(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "subscriptions.csv"
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def run(path, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_subscriptions", path, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_it_imports_operator_direct_advisor_and_csp_subscriptions(cast, services, tmp_path):
    path = write_csv(
        tmp_path,
        "northwind.partner.onmschina.cn,office365,SUB-1,E3,50,active,operator_direct,,2025-01-01\n"
        f"{cast.customer.public_id},azure,SUB-2,Pay as you go,1,,CSP,{cast.provider.public_id},\n"
        f"NORTHWIND.partner.onmschina.cn,powerbi,SUB-3,Pro,5,suspended,advisor,,\n",
    )
    out, err = run(path, operator=cast.staff.email)
    assert "3 created, 0 updated" in out
    direct, csp, advisor = Subscription.objects.order_by("external_id")
    assert direct.purchase_channel == "operator_direct" and direct.partner_of_record is None
    assert direct.seats == 50 and str(direct.started_at) == "2025-01-01"
    assert csp.purchase_channel == "csp" and csp.partner_of_record == cast.provider
    assert advisor.status == "suspended"
    events = AuditEvent.objects.filter(action="subscription.imported")
    assert events.count() == 3
    assert {e.actor_id for e in events} == {cast.staff.pk}


def test_it_imports_nothing_when_one_row_is_wrong_and_names_each_problem(cast, services, tmp_path):
    path = write_csv(
        tmp_path,
        "northwind.partner.onmschina.cn,office365,SUB-1,E3,50,active,operator_direct,,\n"
        "nowhere.example,office365,SUB-2,E3,ten,active,csp,,\n"
        f"northwind.partner.onmschina.cn,tv,SUB-3,,1,active,operator_direct,{cast.provider.public_id},31/01/2025\n"
        "northwind.partner.onmschina.cn,azure,SUB-1,,1,active,advisor,,\n",
    )
    with pytest.raises(CommandError, match="Nothing was imported: 3 problem"):
        run(path)
    assert not Subscription.objects.exists()
    assert not AuditEvent.objects.filter(action="subscription.imported").exists()


def test_its_messages_say_which_row_and_what_is_wrong(cast, services, tmp_path, capsys):
    path = write_csv(
        tmp_path,
        "northwind.partner.onmschina.cn,office365,SUB-1,E3,50,active,operator_direct,,\n"
        "nowhere.example,office365,SUB-2,E3,ten,active,csp,,\n"
        f"northwind.partner.onmschina.cn,tv,SUB-3,,1,active,operator_direct,{cast.provider.public_id},31/01/2025\n"
        "northwind.partner.onmschina.cn,azure,SUB-1,,1,active,advisor,,\n",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_subscriptions", path, stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Row 3: unknown customer “nowhere.example”")
    assert "seats must be a whole number" in lines[0]
    assert "a CSP subscription needs its partner of record" in lines[0]
    assert lines[1].startswith("Row 4: unknown service “tv”")
    assert "operator-direct subscription has no partner of record" in lines[1]
    assert "start_date must look like 2026-01-31" in lines[1]
    assert lines[2] == "Row 5: subscription_id SUB-1 also appears on row 2."


def test_it_updates_a_subscription_imported_before(cast, services, tmp_path):
    Subscription.objects.create(
        customer=cast.customer,
        service=services["office365"],
        external_id="SUB-1",
        seats=10,
        purchase_channel="operator_direct",
    )
    path = write_csv(
        tmp_path,
        f"northwind.partner.onmschina.cn,office365,SUB-1,E5,80,active,csp,{cast.provider.public_id},\n",
    )
    out, _ = run(path)
    assert "0 created, 1 updated" in out
    subscription = Subscription.objects.get()
    assert (subscription.seats, subscription.partner_of_record) == (80, cast.provider)


def test_it_refuses_to_move_a_subscription_to_another_customer(cast, services, tmp_path):
    from tests import factories

    other = factories.make_customer("Contoso Pharma", "pharma.partner.onmschina.cn")
    Subscription.objects.create(
        customer=other,
        service=services["office365"],
        external_id="SUB-1",
        purchase_channel="operator_direct",
    )
    path = write_csv(
        tmp_path, "northwind.partner.onmschina.cn,office365,SUB-1,,1,active,operator_direct,,\n"
    )
    with pytest.raises(CommandError):
        run(path)
    assert Subscription.objects.get().customer == other


def test_it_refuses_a_file_without_the_required_columns(cast, tmp_path):
    path = write_csv(tmp_path, "x,y\n", header="customer,seats\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_subscriptions", path, stdout=io.StringIO(), stderr=err)
    assert "Missing columns: service, subscription_id, purchase_channel." in err.getvalue()


def test_it_says_when_the_file_cannot_be_read(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"))


def test_it_refuses_an_unknown_operator(cast, services, tmp_path):
    path = write_csv(
        tmp_path, "northwind.partner.onmschina.cn,office365,SUB-1,,1,active,operator_direct,,\n"
    )
    with pytest.raises(CommandError, match="No operator staff account"):
        run(path, operator=cast.customer_admin.email)
    assert not Subscription.objects.exists()
