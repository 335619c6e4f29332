"""The partnership transitions table: every allowed transition works and records its event;
every other (state, action) pair is refused with a message and changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.partners import services
from apps.partners.models import ResellerPartnership

State = ResellerPartnership.State
ACTIONS = ["accept", "decline", "revoke", "suspend", "reactivate", "end"]

# The product rules, written out independently of the table they check.
ALLOWED = {
    (State.INVITED, "accept"): (State.ACTIVE, "partnership.accepted"),
    (State.INVITED, "decline"): (State.DECLINED, "partnership.declined"),
    (State.INVITED, "revoke"): (State.REVOKED, "partnership.invitation_revoked"),
    (State.ACTIVE, "suspend"): (State.SUSPENDED, "partnership.suspended"),
    (State.SUSPENDED, "reactivate"): (State.ACTIVE, "partnership.reactivated"),
    (State.ACTIVE, "end"): (State.ENDED, "partnership.ended"),
    (State.SUSPENDED, "end"): (State.ENDED, "partnership.ended"),
}
# What a refusal says, by action; the link holder's actions say what is wrong with the link.
LINK_REFUSALS = {
    State.ACTIVE: "already used",
    State.SUSPENDED: "already used",
    State.ENDED: "already used",
    State.DECLINED: "was declined",
    State.REVOKED: "was revoked",
}
REFUSALS = {
    "revoke": "Only an open invitation can be revoked.",
    "suspend": "Only an active partnership can be suspended.",
    "reactivate": "Only a suspended partnership can be reactivated.",
    "end": "Only an active or suspended partnership can be ended.",
}


def partnership_in(cast, state) -> ResellerPartnership:
    """The cast's partnership, put in `state` (an invitation with a link still valid)."""
    partnership = ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)
    ResellerPartnership.objects.filter(pk=partnership.pk).update(
        state=state, expires_at=timezone.now() + timedelta(days=7)
    )
    partnership.refresh_from_db()
    return partnership


def take(cast, partnership, action):
    """Take `action` the way the portal does: the link holder accepts or declines, the
    provider's Global admin does the rest."""
    if action == "accept":
        return services.partnership_accept(
            partnership_id=partnership.pk, by=cast.reseller_admin, reseller=cast.reseller
        )
    if action == "decline":
        return services.partnership_decline(partnership_id=partnership.pk, by=cast.reseller_admin)
    service = {
        "revoke": services.partnership_invitation_revoke,
        "suspend": services.partnership_suspend,
        "reactivate": services.partnership_reactivate,
        "end": services.partnership_end,
    }[action]
    return service(partnership=partnership, by=cast.provider_admin, acting_partner=cast.provider)


def test_the_table_allows_exactly_the_product_rules():
    assert {
        key: (target, services.PARTNERSHIP_ACTIONS[key[1]].audit_action)
        for key, target in services.PARTNERSHIP_TRANSITIONS.items()
    } == ALLOWED
    assert set(services.PARTNERSHIP_ACTIONS) == set(ACTIONS)


@pytest.mark.parametrize(("state", "action"), list(ALLOWED))
def test_every_allowed_transition_changes_the_state_and_records_its_event(cast, state, action):
    partnership = partnership_in(cast, state)
    before = timezone.now()
    take(cast, partnership, action)
    partnership.refresh_from_db()
    target, audit_action = ALLOWED[(state, action)]
    assert partnership.state == target
    assert partnership.changed_at >= before
    event = AuditEvent.objects.get()
    assert event.action == audit_action
    assert event.target_id == str(partnership.pk)
    if action in ("accept", "decline"):
        assert event.actor == cast.reseller_admin
        assert partnership.responded_by == cast.reseller_admin
        assert partnership.responded_at >= before
    else:
        assert event.actor == cast.provider_admin
        assert event.acting_partner == cast.provider


def test_each_transition_stamps_when_and_by_whom(cast):
    partnership = partnership_in(cast, State.ACTIVE)
    take(cast, partnership, "suspend")
    partnership.refresh_from_db()
    assert partnership.suspended_by == cast.provider_admin
    assert partnership.suspended_at == partnership.changed_at
    take(cast, partnership, "reactivate")
    take(cast, partnership, "end")
    partnership.refresh_from_db()
    assert partnership.ended_by == cast.provider_admin
    assert partnership.ended_by_partner == cast.provider
    assert partnership.ended_at == partnership.changed_at
    event = AuditEvent.objects.get(action="partnership.ended")
    assert event.data == {"from": State.ACTIVE, "reason": ""}


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (state, action)
        for state in State.values
        for action in ACTIONS
        if (state, action) not in ALLOWED
    ],
)
def test_every_other_transition_is_refused_with_a_message_and_changes_nothing(cast, state, action):
    partnership = partnership_in(cast, state)
    row_before = model_to_dict(partnership)
    expected = LINK_REFUSALS[state] if action in ("accept", "decline") else REFUSALS[action]
    with pytest.raises(ValidationError, match=expected):
        take(cast, partnership, action)
    partnership.refresh_from_db()
    assert model_to_dict(partnership) == row_before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_an_expired_invitation_cannot_be_accepted_or_declined(cast, action):
    partnership = partnership_in(cast, State.INVITED)
    ResellerPartnership.objects.filter(pk=partnership.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="has expired"):
        take(cast, partnership, action)
    partnership.refresh_from_db()
    assert partnership.state == State.INVITED
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("state", "action"),
    [(State.INVITED, "revoke"), (State.ACTIVE, "suspend"), (State.SUSPENDED, "reactivate")],
)
def test_the_reseller_cannot_take_the_providers_actions(cast, state, action):
    partnership = partnership_in(cast, state)
    with pytest.raises(ValidationError, match="Only the provider"):
        services.partnership_transition(
            partnership_id=partnership.pk,
            action=action,
            by=cast.reseller_admin,
            acting_partner=cast.reseller,
        )
    partnership.refresh_from_db()
    assert partnership.state == state
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("state", [State.ACTIVE, State.SUSPENDED])
def test_operator_staff_acting_for_no_organization_may_end_a_partnership(cast, state):
    partnership = partnership_in(cast, state)
    services.partnership_transition(partnership_id=partnership.pk, action="end", by=cast.staff)
    partnership.refresh_from_db()
    assert partnership.state == State.ENDED
    assert partnership.ended_by == cast.staff
    assert partnership.ended_by_partner is None
    assert AuditEvent.objects.get().acting_partner is None
