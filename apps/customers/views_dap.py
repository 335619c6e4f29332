"""Pages of delegated admin with a lifetime: requests (both sides and the one-time link), a
grant's end date and auto-extension (customer), giving a grant up (partner), and the grants
nearing their end date (partner)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import FormView, ListView, TemplateView

from apps.core.forms import add_service_errors
from apps.core.links import render_link_problem
from apps.core.pagination import BoundedPaginationMixin, paginate
from apps.core.ratelimit import rate_limit
from apps.partners.mixins import PartnerMixin
from apps.partners.models import Partner

from .dap_links import LINK, request_url, resolve_session_link
from .dap_requests import (
    Origin,
    Status,
    dap_request_approve,
    dap_request_cancel,
    dap_request_create,
    dap_request_decline,
    dap_request_rows,
)
from .forms_dap import CustomerDapRequestForm, DapRequestForm, GrantLifetimeForm, RelinquishForm
from .grants import grant_extend, grant_relinquish, grant_set_auto_extend
from .mixins import CustomerMixin
from .models import Customer, DelegatedAdminGrant
from .models_dap import DelegatedAdminRequest
from .selectors import partner_customer_or_404, partner_visible_grants

DECISION_PREFIX = "decision_"
# the partner's home page and list count what ends within these many days
SOON_DAYS = 30


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _request_queryset():
    return DelegatedAdminRequest.objects.select_related("customer", "partner").prefetch_related(
        "services"
    )


# ------------------------------------------------------------------------------
# The customer
# ------------------------------------------------------------------------------
class CustomerDapRequestListView(CustomerMixin, TemplateView):
    """Requests to and from the customer, open ones first."""

    template_name = "customers/dap_requests_customer.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["requests_page"] = paginate(
            self.request,
            _request_queryset()
            .filter(customer=self.customer)
            .order_by("status", "-created_at", "-pk"),
        )
        return context


class CustomerDapRequestCreateView(CustomerMixin, FormView):
    """The customer asks a partner, named by its partner ID, to hold delegated admin."""

    form_class = CustomerDapRequestForm
    template_name = "customers/dap_request_form_customer.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "side": "customer"}

    def form_valid(self, form):
        partner = Partner.objects.filter(public_id=form.cleaned_data["partner_id"]).first()
        if partner is None:
            form.add_error("partner_id", _("No partner has this partner ID. Check it."))
            return self.form_invalid(form)
        try:
            dap_request_create(
                customer=self.customer,
                partner=partner,
                **form.request_arguments(),
                by=self.request.user,
                origin=Origin.CUSTOMER,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Your request was sent to %(partner)s. Nothing is granted until it confirms; "
                "you see its answer here."
            )
            % {"partner": partner.name},
        )
        return redirect("customers:dap_requests", customer_id=self.customer.public_id)


def _get_request(request_id: str, **scope) -> DelegatedAdminRequest:
    """The request with this public ID within `scope` (its customer or its partner), else 404."""
    found = _request_queryset().filter(public_id=request_id, **scope).first()
    if found is None:
        raise Http404
    return found


class CustomerDapRequestView(CustomerMixin, TemplateView):
    """One request as the customer sees it: today / if you approve, and the answer buttons."""

    template_name = "customers/dap_request_review.html"

    def get_request(self) -> DelegatedAdminRequest:
        return _get_request(self.kwargs["request_id"], customer=self.customer)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dap_request = self.get_request()
        context.update(
            {
                "dap_request": dap_request,
                "rows": dap_request_rows(dap_request),
                "decision_prefix": DECISION_PREFIX,
                "can_approve": dap_request.is_open and dap_request.origin == Origin.PARTNER,
                "can_cancel": dap_request.is_open and dap_request.origin == Origin.CUSTOMER,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        dap_request = self.get_request()
        action = request.POST.get("action")
        try:
            if action == "approve":
                decisions = {
                    key[len(DECISION_PREFIX) :]: value
                    for key, value in request.POST.items()
                    if key.startswith(DECISION_PREFIX)
                }
                dap_request_approve(
                    dap_request=dap_request,
                    by=request.user,
                    acting_customer=self.customer,
                    decisions=decisions,
                    auto_extend=request.POST.get("auto_extend") == "on",
                )
                messages.success(
                    request,
                    _("You approved the request of %(partner)s.")
                    % {"partner": dap_request.partner.name},
                )
            elif action == "decline":
                dap_request_decline(
                    dap_request=dap_request, by=request.user, acting_customer=self.customer
                )
                messages.success(request, _("You declined the request. Nothing changed."))
            elif action == "cancel":
                dap_request_cancel(
                    dap_request=dap_request, by=request.user, acting_customer=self.customer
                )
                messages.success(request, _("Your request was withdrawn."))
            else:
                messages.error(request, _("Choose approve or decline."))
                return redirect(request.path)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect(request.path)
        LINK.clear(request)
        if action == "approve":
            return redirect("customers:relationships", customer_id=self.customer.public_id)
        return redirect("customers:dap_requests", customer_id=self.customer.public_id)


class GrantLifetimeView(CustomerMixin, FormView):
    """The customer sets a new end date or turns auto-extension on or off."""

    form_class = GrantLifetimeForm
    template_name = "customers/grant_lifetime.html"

    def get_grant(self) -> DelegatedAdminGrant:
        if not hasattr(self, "_grant"):
            self._grant = (
                DelegatedAdminGrant.objects.active()
                .select_related("service", "partner")
                .filter(customer=self.customer, pk=self.kwargs["grant_id"])
                .first()
            )
            if self._grant is None:
                raise Http404
        return self._grant

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "grant": self.get_grant()}

    def get_initial(self):
        return {"auto_extend": self.get_grant().auto_extend}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "grant": self.get_grant()}

    def form_valid(self, form):
        grant = self.get_grant()
        try:
            if form.cleaned_data["duration_days"]:
                grant_extend(
                    grant=grant,
                    duration_days=form.cleaned_data["duration_days"],
                    by=self.request.user,
                    acting_customer=self.customer,
                )
            if not grant.is_highest_privilege:
                grant_set_auto_extend(
                    grant=grant,
                    auto_extend=form.cleaned_data["auto_extend"],
                    by=self.request.user,
                    acting_customer=self.customer,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The end date of delegated admin for %(service)s was saved.")
            % {"service": grant.service.display_name},
        )
        return redirect("customers:relationships", customer_id=self.customer.public_id)


# ------------------------------------------------------------------------------
# The one-time link (partner requests)
# ------------------------------------------------------------------------------
@never_cache
@login_not_required
@require_safe
@rate_limit("link_open")
def dap_request_link(request, token: str):
    """Move the token into the session and go to the token-free landing URL."""
    return LINK.put_and_redirect(request, token, reverse("customers:dap_request_landing"))


@never_cache
@require_safe
def dap_request_landing(request):
    """Signed in (the login page brings the person back here): the request's page in the
    customer's own area, for its admins only."""
    link = resolve_session_link(request)
    if not link.ok:
        return render_link_problem(request, link.problem, kind="dap_request")
    customer: Customer = link.dap_request.customer
    if not customer.memberships.filter(user=request.user).exists():
        raise PermissionDenied(
            _(
                "This request is for the admins of %(customer)s. Sign in with an admin account "
                "of that organization."
            )
            % {"customer": customer.name}
        )
    return redirect(
        "customers:dap_request",
        customer_id=customer.public_id,
        request_id=link.dap_request.public_id,
    )


# ------------------------------------------------------------------------------
# The partner
# ------------------------------------------------------------------------------
class PartnerDapRequestCreateView(PartnerMixin, FormView):
    """A partner that works with the customer asks it for delegated admin."""

    permission = "delegated_admin.manage"
    form_class = DapRequestForm
    template_name = "customers/dap_request_form.html"

    def get_customer(self) -> Customer:
        if not hasattr(self, "_customer"):
            self._customer = partner_customer_or_404(self.partner, self.kwargs["customer_id"])
        return self._customer

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "side": "partner",
            "customer": self.get_customer(),
        }

    def form_valid(self, form):
        try:
            dap_request = dap_request_create(
                customer=self.get_customer(),
                partner=self.partner,
                **form.request_arguments(),
                by=self.request.user,
                origin=Origin.PARTNER,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "The customer's admins were emailed a link to approve. You can also copy the "
                "link below and send it yourself."
            ),
        )
        return redirect(
            "customers:partner_dap_request",
            partner_id=self.partner.public_id,
            request_id=dap_request.public_id,
        )


class PartnerDapRequestListView(PartnerMixin, BoundedPaginationMixin, ListView):
    """Requests the partner made, and requests customers made to it."""

    permission = "customers.view"
    template_name = "customers/dap_requests_partner.html"
    context_object_name = "dap_requests"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        return _request_queryset().filter(partner=self.partner).order_by("status", "-created_at")


class PartnerDapRequestView(PartnerMixin, TemplateView):
    """One request on the partner's side: its link (while open), confirm / decline a
    customer's request, withdraw its own."""

    permission = "delegated_admin.manage"
    template_name = "customers/dap_request_partner.html"

    def get_request(self) -> DelegatedAdminRequest:
        return _get_request(self.kwargs["request_id"], partner=self.partner)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dap_request = self.get_request()
        context.update(
            {
                "dap_request": dap_request,
                "rows": dap_request_rows(dap_request),
                "link": (
                    request_url(dap_request)
                    if dap_request.is_open and dap_request.origin == Origin.PARTNER
                    else ""
                ),
                "can_confirm": dap_request.is_open and dap_request.origin == Origin.CUSTOMER,
                "can_cancel": dap_request.is_open and dap_request.origin == Origin.PARTNER,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        dap_request = self.get_request()
        action = request.POST.get("action")
        actions = {
            "confirm": (dap_request_approve, _("You confirmed: you now hold delegated admin.")),
            "decline": (dap_request_decline, _("You declined the request. Nothing changed.")),
            "cancel": (
                dap_request_cancel,
                _("Your request was withdrawn; its link no longer works."),
            ),
        }
        if action not in actions:
            messages.error(request, _("Choose confirm or decline."))
            return redirect(request.path)
        service, text = actions[action]
        try:
            service(dap_request=dap_request, by=request.user, acting_partner=self.partner)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect(request.path)
        messages.success(request, text)
        return redirect("customers:partner_dap_requests", partner_id=self.partner.public_id)


class GrantRelinquishView(PartnerMixin, FormView):
    """The partner holding delegated admin gives it up."""

    permission = "delegated_admin.manage"
    form_class = RelinquishForm
    template_name = "customers/grant_relinquish.html"

    def get_grant(self) -> DelegatedAdminGrant:
        if not hasattr(self, "_grant"):
            self._grant = (
                DelegatedAdminGrant.objects.active()
                .select_related("service", "partner", "customer")
                .filter(
                    partner=self.partner,
                    customer__public_id=self.kwargs["customer_id"],
                    pk=self.kwargs["grant_id"],
                )
                .first()
            )
            if self._grant is None:
                raise Http404
        return self._grant

    def get_context_data(self, **kwargs):
        grant = self.get_grant()
        return {**super().get_context_data(**kwargs), "grant": grant, "customer": grant.customer}

    def form_valid(self, form):
        grant = self.get_grant()
        try:
            grant_relinquish(
                grant=grant,
                by=self.request.user,
                acting_partner=self.partner,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(self.request, _errors(exc))
        else:
            messages.success(
                self.request,
                _("You gave up delegated admin for %(service)s at %(customer)s.")
                % {"service": grant.service.display_name, "customer": grant.customer.name},
            )
        return redirect("customers:partner_customers", partner_id=self.partner.public_id)


def expiring_grants(partner: Partner, *, within_days: int = SOON_DAYS):
    """Active grants the partner sees (its own, and for a provider its resellers' through its
    relationships) that end within `within_days`, soonest first."""
    return (
        partner_visible_grants(partner)
        .filter(ends_at__lte=timezone.now() + timedelta(days=within_days))
        .select_related("customer", "service", "partner")
        .order_by("ends_at", "pk")
    )


def expiring_counts(partner: Partner) -> dict[str, int]:
    """How many visible grants end within 7 and 30 days (one query)."""
    from django.db.models import Count

    now = timezone.now()
    # only the grants ending within the month are read (the partial index on ends_at)
    soon = partner_visible_grants(partner).filter(ends_at__lte=now + timedelta(days=SOON_DAYS))
    return soon.aggregate(
        week=Count("pk", filter=Q(ends_at__lte=now + timedelta(days=7))),
        month=Count("pk", filter=Q(ends_at__lte=now + timedelta(days=SOON_DAYS))),
    )


class ExpiringGrantsView(PartnerMixin, BoundedPaginationMixin, ListView):
    """Delegated admin nearing its end date."""

    permission = "customers.view"
    template_name = "customers/grants_expiring.html"
    context_object_name = "grants"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        return expiring_grants(self.partner)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "counts": expiring_counts(self.partner),
            "soon_days": SOON_DAYS,
            "status_pending": Status.PENDING,
        }
