"""The customer side of an invitation link: accept, decline, create the organization.

The link's token lives in the session (apps.invitations.tokens); these views never see it in
the URL. Accept and decline are POST only (CSRF protected) and need a signed-in customer admin;
sign-up is public and returns to the landing page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from apps.accounts.forms import SignUpForm
from apps.accounts.services import signup_request
from apps.accounts.signups import signup_sent
from apps.core.confirm import is_confirmed
from apps.core.forms import error_text
from apps.core.links import LinkProblem, render_link_problem
from apps.core.ratelimit import rate_limit
from apps.customers.forms import CustomerOrganizationForm
from apps.customers.models import Customer
from apps.customers.services import customer_create

from .acceptance import Decision, invitation_accept, invitation_decline
from .models import Delivery, Invitation
from .tokens import (
    LINK,
    LinkResolution,
    delivery_token,
    forget_link,
    invitation_token,
    resolve_session_link,
)

DECISION_PREFIX = "decision_"


def landing_url() -> str:
    """The invitation landing page (/i/), where the acceptance panel is shown."""
    try:
        return reverse("invitations:landing")
    except NoReverseMatch:
        return "/i/"


def problem(request, message: str, *, status: int, link: LinkResolution | None = None):
    return render(
        request,
        "invitations/accept_problem.html",
        {"message": message, "link": link, "landing_url": landing_url()},
        status=status,
    )


def link_problem(request, link: LinkResolution):
    """The link in the session does not work (any more): the one link problem page."""
    return render_link_problem(request, link.problem)


def _chosen_customer(request) -> Customer | None:
    """The customer organization named in the form, among those the user administers; the
    only one when the user administers exactly one and the form names none."""
    customers = Customer.objects.exclude(verification_status="closed").administered_by(request.user)
    public_id = request.POST.get("customer", "")
    if public_id:
        return customers.filter(public_id=public_id).first()
    found = list(customers[:2])
    return found[0] if len(found) == 1 else None


@method_decorator(rate_limit("respond"), name="dispatch")
class AcceptView(View):
    http_method_names = ["post"]

    def post(self, request):
        link = resolve_session_link(request)
        if link.invitation is None:
            return link_problem(request, link)
        if (
            not Customer.objects.exclude(verification_status="closed")
            .administered_by(request.user)
            .exists()
        ):
            return problem(
                request,
                _(
                    "You are not an admin of a customer organization yet. Create your "
                    "organization first, then accept."
                ),
                status=400,
                link=link,
            )
        customer = _chosen_customer(request)
        if customer is None:
            return problem(
                request,
                _("Choose the customer organization that accepts this invitation."),
                status=400,
                link=link,
            )
        decisions = {
            key[len(DECISION_PREFIX) :]: value
            for key, value in request.POST.items()
            if key.startswith(DECISION_PREFIX)
            and value in (Decision.MOVE, Decision.KEEP, Decision.GIVE, Decision.LEAVE)
        }
        # the checkbox is on the page only when the invitation proposes auto-extension
        auto_extend = (
            request.POST.get("auto_extend") == "on"
            if request.POST.get("auto_extend_shown")
            else None
        )
        try:
            result = invitation_accept(
                invitation=link.invitation,
                delivery=link.delivery,
                by=request.user,
                customer=customer,
                decisions=decisions,
                auto_extend=auto_extend,
            )
        except ValidationError as exc:
            return problem(request, " ".join(exc.messages), status=409, link=link)
        forget_link(request)
        if result.already:
            messages.info(
                request,
                _("%(customer)s already accepted this invitation. Nothing was changed.")
                % {"customer": customer.name},
            )
        else:
            messages.success(
                request,
                _(
                    "%(customer)s accepted the invitation from %(provider)s. Your partner "
                    "relationships are below."
                )
                % {"customer": customer.name, "provider": link.invitation.provider.name},
            )
        return redirect("customers:relationships", customer_id=customer.public_id)


@method_decorator(rate_limit("respond"), name="dispatch")
class DeclineView(View):
    http_method_names = ["post"]

    def post(self, request):
        link = resolve_session_link(request)
        if link.invitation is None:
            return link_problem(request, link)
        # Declining needs no organization; one named in the form must be the user's own.
        customer = _chosen_customer(request)
        if customer is None and request.POST.get("customer"):
            return problem(
                request,
                _("Choose the customer organization that declines this invitation."),
                status=400,
                link=link,
            )
        if not is_confirmed(request):
            # the Decline button leads here: say what declining does, act only when confirmed
            return render(
                request,
                "invitations/decline_confirm.html",
                {"invitation": link.invitation, "customer": customer},
            )
        try:
            result = invitation_decline(
                invitation=link.invitation,
                delivery=link.delivery,
                by=request.user,
                customer=customer,
            )
        except ValidationError as exc:
            return problem(request, " ".join(exc.messages), status=409, link=link)
        forget_link(request)
        return render(
            request,
            "invitations/accept_declined.html",
            {"invitation": link.invitation, "customer": customer, "already": result.already},
        )


@method_decorator(login_not_required, name="dispatch")
@method_decorator(
    rate_limit("signup", methods=("POST",), email_field="account-email"), name="dispatch"
)
class AcceptSignupView(View):
    """Create the customer organization (and, for a new visitor, the admin account)."""

    template_name = "invitations/accept_signup.html"

    def dispatch(self, request, *args, **kwargs):
        self.link = resolve_session_link(request)
        if not self.link.ok:
            return link_problem(request, self.link)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(
            SignUpForm(prefix="account") if not request.user.is_authenticated else None,
            CustomerOrganizationForm(prefix="organization"),
        )

    def post(self, request):
        anonymous = not request.user.is_authenticated
        account_form = SignUpForm(request.POST, prefix="account") if anonymous else None
        organization_form = CustomerOrganizationForm(request.POST, prefix="organization")
        valid = organization_form.is_valid() & (account_form is None or account_form.is_valid())
        invitation = self.link.invitation
        if (
            valid
            and account_form is not None
            and invitation.kind == invitation.Kind.PERSONAL
            and account_form.cleaned_data["email"] != invitation.recipient_email.lower()
        ):
            account_form.add_error(
                "email",
                _("This personal invitation was sent to a different address. Use that address."),
            )
            valid = False
        if not valid:
            return self.render(account_form, organization_form, status=400)
        org = organization_form.cleaned_data
        if account_form is not None:
            # The same answer whether or not the address has an account: the account and the
            # organization wait for the link in the email (apps/accounts/signups.py).
            account = account_form.cleaned_data
            signup_request(
                email=account["email"],
                display_name=account["display_name"],
                password=account["password1"],
                purpose=CUSTOMER_SIGNUP,
                payload={
                    "invitation": invitation.pk,
                    "delivery": self.link.delivery.pk if self.link.delivery else None,
                    "organization_name": org["organization_name"],
                    "tenant_domain": org["tenant_domain"],
                },
                return_path=landing_url(),
            )
            return signup_sent(request)
        try:
            customer = customer_create(
                name=org["organization_name"],
                tenant_domain=org["tenant_domain"],
                admin=request.user,
            )
        except ValidationError as exc:
            by_field = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, errors in by_field.items():
                name = {"name": "organization_name"}.get(field, field)
                if name in organization_form.fields:
                    organization_form.add_error(name, errors)
                else:
                    organization_form.add_error(None, errors)
            return self.render(account_form, organization_form, status=400)
        return organization_created(request, customer)

    def render(self, account_form, organization_form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "invitation": self.link.invitation,
                "delivery": self.link.delivery,
                "account_form": account_form,
                "organization_form": organization_form,
                "login_url": f"{reverse('accounts:login')}?next={landing_url()}",
            },
            status=status,
        )


CUSTOMER_SIGNUP = "invitations.customer"


def complete_customer_signup(request, user, payload: dict):
    """A confirmed sign-up from an invitation: the link goes back into the session (the
    email may have been opened in another browser), the organization is created with the new
    user as its admin, and the landing page shows the invitation to accept, as after the
    one-step sign-up of a signed-in user."""
    invitation = Invitation.objects.filter(pk=payload.get("invitation")).first()
    delivery = Delivery.objects.filter(
        pk=payload.get("delivery") or 0, invitation=invitation
    ).first()
    if invitation is None:
        return render_link_problem(request, LinkProblem.UNKNOWN)
    LINK.put(request, delivery_token(delivery) if delivery else invitation_token(invitation))
    link = resolve_session_link(request)
    if not link.ok:
        return link_problem(request, link)
    try:
        customer = customer_create(
            name=payload.get("organization_name", ""),
            tenant_domain=payload.get("tenant_domain", ""),
            admin=user,
        )
    except ValidationError as exc:
        # e.g. the domain was taken meanwhile: the signed-in user names the organization again
        messages.error(request, error_text(exc))
        return redirect("invitations:accept_signup")
    return organization_created(request, customer)


def organization_created(request, customer):
    """Back to the invitation, now as the admin of `customer`."""
    messages.success(
        request,
        _("%(customer)s was created and you are its admin. You can now accept the invitation.")
        % {"customer": customer.name},
    )
    return redirect(f"{landing_url()}?customer={customer.public_id}")
