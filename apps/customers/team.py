"""Writes for a customer organization's team: Customer admins invite colleagues by email with a
one-time link (the partner teams' mechanism: only the token's hash is stored, the link opens
through a session stash), revoke open invitations and remove members. A customer always keeps
at least one Customer admin; concurrent changes queue on the customer's row lock."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.services import audit_record
from apps.core.emails import send_email
from apps.core.links import LinkProblem, LinkStash, problem_message
from apps.partners.links import hash_token, new_token
from apps.partners.services.common import (
    NewAccount,
    _normalize_email,
    joining_user,
)

from .models import Customer, CustomerMembership, CustomerRole, CustomerTeamInvitation

# The session slot holding the hash of the customer-team link this browser opened last.
CUSTOMER_TEAM_LINK = LinkStash("customers_team_link")

LAST_ADMIN_MESSAGE = gettext_lazy(
    "A customer organization always keeps at least one Customer admin. Invite another admin first."
)
READER_MESSAGE = gettext_lazy("Readers can look but not change anything. Ask a Customer admin.")

__all__ = ["NewAccount"]


def customer_team_link_url(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("customers:team_link", kwargs={"token": token})


def customer_team_invitation_for_hash(token_hash: str | None) -> CustomerTeamInvitation | None:
    if not token_hash:
        return None
    return (
        CustomerTeamInvitation.objects.select_related("customer", "invited_by")
        .filter(token_hash=token_hash)
        .first()
    )


def customer_team_invitation_for_token(token: str) -> CustomerTeamInvitation | None:
    return customer_team_invitation_for_hash(hash_token(token))


def customer_team_invitation_problem(invitation: CustomerTeamInvitation | None) -> str:
    """'' when the invitation can be accepted now, else a core LinkProblem."""
    if invitation is None:
        return LinkProblem.UNKNOWN
    return {
        CustomerTeamInvitation.Status.PENDING: "",
        CustomerTeamInvitation.Status.EXPIRED: LinkProblem.EXPIRED,
        CustomerTeamInvitation.Status.REVOKED: LinkProblem.REVOKED,
        CustomerTeamInvitation.Status.ACCEPTED: LinkProblem.USED,
    }[invitation.status]


def require_customer_admin(membership: CustomerMembership | None) -> None:
    """Refuse anyone but a Customer admin (services check it, not only views)."""
    if membership is None or not membership.is_admin:
        raise ValidationError(READER_MESSAGE, code="not_admin")


def _lock_customer(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk)


def _acting_membership(customer: Customer, by) -> CustomerMembership | None:
    if by is None or not getattr(by, "is_authenticated", False):
        return None
    return CustomerMembership.objects.filter(customer=customer, user=by).first()


def customer_team_invite(
    *, customer: Customer, email: str, role: str, by
) -> CustomerTeamInvitation:
    """A Customer admin invites a colleague by email with a role (Customer admin or Reader)."""
    email = _normalize_email((email or "").strip())
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    if role not in CustomerRole.values:
        raise ValidationError({"role": _("Choose a role.")})
    token, token_hash = new_token()
    try:
        with transaction.atomic():
            _lock_customer(customer)
            require_customer_admin(_acting_membership(customer, by))
            if CustomerMembership.objects.filter(
                customer=customer, user__email__iexact=email
            ).exists():
                raise ValidationError(
                    {
                        "email": _(
                            "%(email)s is already in the team of %(name)s. Nothing was sent."
                        )
                        % {"email": email, "name": customer.name}
                    }
                )
            if (
                CustomerTeamInvitation.objects.open()
                .filter(customer=customer, email__iexact=email, expires_at__gt=timezone.now())
                .exists()
            ):
                raise ValidationError(
                    {"email": _("An invitation to %(email)s is already open.") % {"email": email}}
                )
            # an expired open invitation is replaced by the new one
            CustomerTeamInvitation.objects.open().filter(
                customer=customer, email__iexact=email
            ).update(revoked_at=timezone.now())
            invitation = CustomerTeamInvitation.objects.create(
                customer=customer,
                email=email,
                role=role,
                token_hash=token_hash,
                invited_by=by,
                expires_at=timezone.now() + timedelta(days=settings.TEAM_INVITATION_DAYS),
            )
            audit_record(
                action="customer.team_invited",
                actor=by,
                acting_customer=customer,
                target=invitation,
                customer=customer,
                data={"email": email, "role": role},
            )
            invitation.link_url = customer_team_link_url(token)  # not stored; email and tests
            send_email(
                template="customers/email/team_invitation",
                to=email,
                context={
                    "invitation": invitation,
                    "customer": customer,
                    "role": CustomerRole(role).label,
                    "invited_by": by,
                    "link": invitation.link_url,
                    "expires_at": invitation.expires_at,
                },
            )
    except IntegrityError:
        raise ValidationError(
            {"email": _("An invitation to %(email)s is already open.") % {"email": email}}
        ) from None
    return invitation


def customer_team_invitation_revoke(
    *, invitation: CustomerTeamInvitation, by
) -> CustomerTeamInvitation:
    with transaction.atomic():
        _lock_customer(invitation.customer)
        require_customer_admin(_acting_membership(invitation.customer, by))
        locked = CustomerTeamInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status not in (
            CustomerTeamInvitation.Status.PENDING,
            CustomerTeamInvitation.Status.EXPIRED,
        ):
            raise ValidationError(
                _("This invitation is %(status)s and cannot be revoked.")
                % {"status": locked.get_status_display().lower()}
            )
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            action="customer.team_invitation_revoked",
            actor=by,
            acting_customer=locked.customer,
            target=locked,
            customer=locked.customer,
            data={"email": locked.email},
        )
    return locked


def customer_team_invitation_accept(
    *, invitation_id: int, by=None, new_account: NewAccount | None = None
) -> CustomerMembership:
    """Join the customer's team with the invited role. The signed-in user's email must be the
    invited address (`new_account` creates that account in the same transaction). A second,
    concurrent acceptance waits for the first and finds the link used."""
    with transaction.atomic():
        try:
            invitation = (
                CustomerTeamInvitation.objects.select_for_update(of=("self",))
                .select_related("customer")
                .get(pk=invitation_id)
            )
        except CustomerTeamInvitation.DoesNotExist:
            raise ValidationError(problem_message(LinkProblem.UNKNOWN)) from None
        problem = customer_team_invitation_problem(invitation)
        if problem:
            raise ValidationError(problem_message(problem))
        by = joining_user(invited_email=invitation.email, by=by, new_account=new_account)
        customer = _lock_customer(invitation.customer)
        if CustomerMembership.objects.filter(customer=customer, user=by).exists():
            raise ValidationError(
                _("You are already in the team of %(name)s.") % {"name": customer.name}
            )
        membership = CustomerMembership.objects.create(
            customer=customer, user=by, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = by
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            action="customer.team_joined",
            actor=by,
            acting_customer=customer,
            target=membership,
            customer=customer,
            data={"email": by.email, "role": invitation.role, "new_account": bool(new_account)},
        )
    return membership


def customer_member_remove(*, customer: Customer, membership_id: int, by) -> None:
    """A Customer admin removes a member (themselves included), never the last Customer admin."""
    with transaction.atomic():
        _lock_customer(customer)
        require_customer_admin(_acting_membership(customer, by))
        membership = (
            CustomerMembership.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=membership_id, customer=customer)
            .first()
        )
        if membership is None:
            raise ValidationError(_("This person is no longer in the team."))
        if (
            membership.is_admin
            and CustomerMembership.objects.filter(
                customer=customer, role=CustomerRole.ADMIN
            ).count()
            <= 1
        ):
            raise ValidationError(LAST_ADMIN_MESSAGE, code="last_admin")
        membership.delete()
        audit_record(
            action="customer.member_removed",
            actor=by,
            acting_customer=customer,
            target=customer,
            customer=customer,
            data={"email": membership.user.email, "role": membership.role},
        )
