"""A reseller relationship's whole story, for the operator's admin (issue 16, point 5): the
invitation it came from, the delivery (the email, who sent or forwarded it), who accepted,
the delegated admin grants obtained through it, and every audit event about any of these
objects, whatever object each event was recorded against.

The audit log records events against their own target (the invitation, a grant, the
relationship), so no single filter finds them all; these helpers gather the pieces.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from apps.audit.models import AuditEvent
from apps.customers.models import Customer, DelegatedAdminGrant, ResellerRelationship
from apps.invitations.models import Acceptance, Invitation

INVITATION = Invitation._meta.label_lower
GRANT = DelegatedAdminGrant._meta.label_lower
RELATIONSHIP = ResellerRelationship._meta.label_lower
# Events about an invitation itself, whoever it was later sent to (not its other customers').
INVITATION_LIFE = ("invitation.created", "invitation.revoked", "invitation.extended")
# Events about one sending of it, recognised by the delivery they name.
DELIVERY_ACTIONS = (
    "invitation.delivered",
    "invitation.forwarded",
    "invitation.resent",
    "invitation.opened",
)


@dataclass
class RelationshipStory:
    relationship: ResellerRelationship
    acceptances: list = field(default_factory=list)
    grants: list = field(default_factory=list)
    events: list = field(default_factory=list)


def invitation_story_filter(*, invitation_ids, delivery_ids, customer=None) -> Q:
    """The events of the invitations (their creation, revocation, extension) and of the
    deliveries (sent, forwarded, resent, opened) through which a customer came, and its own
    answers to them."""
    invitation_ids = [str(pk) for pk in invitation_ids]
    if not invitation_ids:
        return Q(pk__in=[])
    about_invitations = Q(target_type=INVITATION, target_id__in=invitation_ids)
    condition = Q(action__in=INVITATION_LIFE)
    if delivery_ids:
        condition |= Q(action__in=DELIVERY_ACTIONS, data__delivery_id__in=list(delivery_ids))
    if customer is not None:
        condition |= Q(customer=customer)
    return about_invitations & condition


def customer_story_filter(customer: Customer) -> Q:
    """For the admin's customer filter: the invitations and deliveries the customer answered,
    besides the events that name it (AuditEvent.objects.for_customer)."""
    answers = list(
        Acceptance.objects.filter(customer=customer).values_list("invitation_id", "delivery_id")
    )
    return invitation_story_filter(
        invitation_ids={i for i, _d in answers},
        delivery_ids={d for _i, d in answers if d},
        customer=customer,
    )


def relationship_story(relationship: ResellerRelationship) -> RelationshipStory:
    """Everything about one relationship, oldest first. A handful of queries, whatever the
    length of the story."""
    acceptances = list(
        Acceptance.objects.filter(relationship=relationship)
        .select_related(
            "invitation__provider",
            "invitation__reseller",
            "invitation__created_by",
            "delivery__sent_by",
            "delivery__sent_by_partner",
            "user",
        )
        .order_by("created_at", "pk")
    )
    grants = list(
        DelegatedAdminGrant.objects.filter(relationship=relationship)
        .select_related("service", "partner", "granted_by", "revoked_by")
        .order_by("granted_at", "pk")
    )
    about_relationship = Q(target_type=RELATIONSHIP, target_id=str(relationship.pk))
    about_grants = Q(target_type=GRANT, target_id__in=[str(g.pk) for g in grants])
    story = invitation_story_filter(
        invitation_ids={a.invitation_id for a in acceptances},
        delivery_ids={a.delivery_id for a in acceptances if a.delivery_id},
        customer=relationship.customer_id,
    )
    events: QuerySet = (
        AuditEvent.objects.filter(about_relationship | about_grants | story)
        .select_related("actor", "acting_partner", "acting_customer")
        .order_by("created_at", "pk")
    )
    return RelationshipStory(
        relationship=relationship,
        acceptances=acceptances,
        grants=grants,
        events=list(events[:500]),
    )
