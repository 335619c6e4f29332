"""Audit audiences (issue 15, defect 2): the personal data in an event (the email addresses of
an organization's contacts) is read by the organization the event belongs to, never by the
other organizations it concerns, on the Activity page and in its CSV export alike."""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from apps.audit.actions import AuditAction, personal_data_keys
from apps.audit.services import audit_record
from apps.invitations import services as invitation_services
from apps.invitations.models import Invitation

ROOT = Path(__file__).resolve().parents[2]
SECRET = "contact@tailspin.test"


def _page(client, user, org, kind: str) -> str:
    client.force_login(user)
    response = client.get(reverse(f"portal:{kind}_activity", args=[org.public_id]))
    assert response.status_code == 200
    return _rows_text(response.context["rows"])


def _rows_text(rows) -> str:
    return " ".join(
        f"{row.get('subject', row['event'].target_repr)} {row['details']}" for row in rows
    )


def _export(client, user, org, kind: str) -> str:
    client.force_login(user)
    response = client.get(reverse(f"portal:{kind}_activity_export", args=[org.public_id]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _seen(client, user, org, kind: str) -> str:
    return _page(client, user, org, kind) + "\n" + _export(client, user, org, kind)


def test_a_reseller_never_sees_the_address_its_provider_emailed_an_invitation_to(client, cast):
    """The reported defect: the provider emails an invitation issued for a reseller; the
    reseller (concerned by the event) read the recipient's address on its Activity page."""
    invitation = invitation_services.invitation_create(
        provider=cast.provider,
        by=cast.provider_admin,
        kind=Invitation.Kind.OPEN,
        reseller=cast.reseller,
    )
    invitation_services.delivery_send(
        invitation=invitation, partner=cast.provider, by=cast.provider_admin, emails=SECRET
    )
    reseller_sees = _seen(client, cast.reseller_admin, cast.reseller, "partner")
    assert "invitation.delivered" in reseller_sees  # the event itself stays visible
    assert SECRET not in reseller_sees
    assert "(hidden)" in reseller_sees
    assert SECRET in _seen(client, cast.provider_admin, cast.provider, "partner")


def _record_every_action(*, acting_partner=None, acting_customer=None, cast) -> None:
    with transaction.atomic():
        for action in AuditAction:
            data = dict.fromkeys(personal_data_keys(action), SECRET)
            data["note"] = f"Forwarded by Ann <{SECRET}>"  # an address under an unlisted key
            data["count"] = 3
            audit_record(
                action=action,
                actor=cast.staff,
                acting_partner=acting_partner,
                acting_customer=acting_customer,
                target_repr=f"{SECRET} → {action}",
                partners=[cast.provider, cast.reseller],
                customer=cast.customer,
                data=data,
            )


def _all_pages(client, user, org, kind: str) -> str:
    client.force_login(user)
    texts, params = [], {}
    while True:
        url = reverse(f"portal:{kind}_activity", args=[org.public_id])
        response = client.get(url, params)
        texts.append(_rows_text(response.context["rows"]))
        if not response.context["page"].has_next:
            return " ".join(texts)
        params = {"after": response.context["page"].next_cursor}


@pytest.mark.parametrize("acting", ["provider", "customer", "operator"])
def test_every_action_shows_personal_data_to_its_own_organization_only(client, cast, acting):
    """Walks every registered action, recorded as the provider's, the customer's or an
    operator's (concerning provider, reseller and customer), and reads each concerned party's
    Activity pages and CSV export."""
    _record_every_action(
        cast=cast,
        acting_partner=cast.provider if acting == "provider" else None,
        acting_customer=cast.customer if acting == "customer" else None,
    )
    readers = {
        "provider": (cast.provider_admin, cast.provider, "partner"),
        "reseller": (cast.reseller_admin, cast.reseller, "partner"),
        "customer": (cast.customer_admin, cast.customer, "customer"),
    }
    for name, (user, org, kind) in readers.items():
        page = _all_pages(client, user, org, kind)
        export = _export(client, user, org, kind)
        rows = list(csv.reader(io.StringIO(export)))[1:]
        assert len(rows) >= len(AuditAction)
        owner = name == acting
        for text in (page, export):
            assert (SECRET in text) is owner, (name, acting)
            assert "3" in text  # what is not personal stays readable
        if not owner:
            assert text.count("(hidden)") >= len(AuditAction)


def test_an_operator_event_concerning_one_organization_belongs_to_it(client, cast):
    """The operator creates a partner with its first admin's address: the partner reads it."""
    with transaction.atomic():
        audit_record(
            action="partner.created",
            actor=cast.staff,
            target=cast.reseller,
            partners=[cast.reseller],
            data={"first_admin_email": SECRET},
        )
    assert SECRET in _seen(client, cast.reseller_admin, cast.reseller, "partner")


def _email_keys_at_call_sites() -> dict[str, set[str]]:
    """{action: data keys whose name says email} for every audit_record call with literals."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "apps").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_record"):
                continue
            kwargs = {k.arg: k.value for k in node.keywords}
            action, data = kwargs.get("action"), kwargs.get("data")
            if not (isinstance(action, ast.Constant) and isinstance(data, ast.Dict)):
                continue
            keys = {k.value for k in data.keys if isinstance(k, ast.Constant)}
            found.setdefault(action.value, set()).update(
                k for k in keys if "email" in k or k == "admin"
            )
    return found


def test_every_address_the_code_records_is_registered_as_personal_data():
    found = _email_keys_at_call_sites()
    assert found["invitation.created"] == {"recipient_email"}
    for action, keys in found.items():
        assert keys <= personal_data_keys(action), action


def test_the_operator_export_keeps_everything(client, cast):
    _record_every_action(cast=cast, acting_partner=cast.provider)
    client.force_login(cast.staff)
    response = client.get(reverse("admin:audit_auditevent_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert SECRET in text
