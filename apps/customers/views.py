from contextlib import nullcontext

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from apps.core.forms import add_service_errors
from apps.core.pagination import POSITION_PARAMS, bounded_count, keyset_page, paginate
from apps.core.plans import bounded_search_plan
from apps.partners.mixins import PartnerMixin

from .exports import partner_customers_csv_response
from .forms import CustomerFilterForm, GrantForm, GrantRemoveForm, RelationshipEndForm
from .mixins import CustomerMixin
from .models import DelegatedAdminGrant, ResellerRelationship
from .selectors import (
    CUSTOMER_LINK_ORDER,
    customer_relationships,
    customer_service_rows,
    customer_services,
    customers_of_links,
    filter_partner_customers,
    partner_customer_count_source,
    partner_customer_filter_choices,
    partner_customer_links,
    partner_customer_or_404,
    partner_customer_subscriptions,
    partner_customers,
    partner_relationships,
)
from .services import grant_remove, grant_set, relationship_end


def _page(request, items, param: str = "page"):
    return paginate(request, items, param)


def _error_messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


# ------------------------------------------------------------------------------
# Customer pages
# ------------------------------------------------------------------------------
class CustomerHomeView(CustomerMixin, TemplateView):
    """The customer's start page: how many partners it works with and how many of its
    services a partner administers (two queries), then the way to Partner relationships."""

    template_name = "customers/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partner_count"] = (
            ResellerRelationship.objects.filter(
                customer=self.customer, state=ResellerRelationship.State.ACTIVE
            )
            .values("provider")
            .distinct()
            .count()
        )
        context["delegated_count"] = (
            DelegatedAdminGrant.objects.active().filter(customer=self.customer).count()
        )
        return context


class CustomerRelationshipsView(CustomerMixin, TemplateView):
    """Partner relationships: per service who holds delegated admin, and every relationship."""

    template_name = "customers/relationships.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services_page = _page(self.request, customer_services(self.customer), "services_page")
        context["services_page"] = services_page
        context["service_rows"] = customer_service_rows(self.customer, services_page.object_list)
        context["relationships_page"] = _page(
            self.request, customer_relationships(self.customer), "page"
        )
        return context


def _scope_names(provisioning: bool, support: bool) -> list[str]:
    names = []
    if provisioning:
        names.append(_("provisioning"))
    if support:
        names.append(_("support"))
    return names


class GrantSetView(CustomerMixin, FormView):
    """Give or move delegated admin for a service, after a confirmation step showing the change.

    The confirmation carries the holder the customer saw; if someone changed it meanwhile, the
    confirmation is shown again instead of acting on stale information.
    """

    requires_customer_admin = True

    form_class = GrantForm
    template_name = "customers/grant_form.html"
    confirm_template_name = "customers/grant_confirm.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "customer": self.customer}

    def get_initial(self):
        initial = super().get_initial()
        for name in ("service", "partner"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial

    def current_holder(self, service):
        return (
            DelegatedAdminGrant.objects.active()
            .select_related("partner")
            .filter(customer=self.customer, service=service)
            .first()
        )

    def render_confirmation(self, form, current, *, changed_meanwhile: bool):
        service = form.cleaned_data["service"]
        partner = form.cleaned_data["partner"]
        provisioning = form.cleaned_data["provisioning"]
        support = form.cleaned_data["support"]
        return render(
            self.request,
            self.confirm_template_name,
            {
                "customer": self.customer,
                "form": form,
                "service": service,
                "partner": partner,
                "current": current,
                "holder_key": str(current.pk) if current else "none",
                "scopes": _scope_names(provisioning, support),
                "current_scopes": (
                    _scope_names(current.provisioning, current.support) if current else []
                ),
                "is_move": current is not None and current.partner_id != partner.pk,
                "is_same": current is not None
                and current.partner_id == partner.pk
                and (current.provisioning, current.support) == (provisioning, support),
                "changed_meanwhile": changed_meanwhile,
            },
        )

    def form_valid(self, form):
        service = form.cleaned_data["service"]
        partner = form.cleaned_data["partner"]
        provisioning = form.cleaned_data["provisioning"]
        support = form.cleaned_data["support"]
        current = self.current_holder(service)
        holder_key = str(current.pk) if current else "none"
        confirmed = self.request.POST.get("confirm") == "yes"
        if not confirmed or self.request.POST.get("expected_holder") != holder_key:
            return self.render_confirmation(form, current, changed_meanwhile=confirmed)
        try:
            # The holder the person saw is compared again under the lock, in the service: a
            # check here alone let concurrent confirmations each act (issue 15, defect 3).
            change = grant_set(
                customer=self.customer,
                service=service,
                partner=partner,
                provisioning=provisioning,
                support=support,
                by=self.request.user,
                confirm_move=True,
                acting_customer=self.customer,
                expected_holder=current.pk if current else None,
            )
        except ValidationError as exc:
            if exc.error_list[0].code == "holder_changed":
                return self.render_confirmation(
                    form, self.current_holder(service), changed_meanwhile=True
                )
            add_service_errors(form, exc)
            return self.form_invalid(form)
        texts = {
            "created": _("%(partner)s now holds delegated admin for %(service)s."),
            "moved": _("Delegated admin for %(service)s moved to %(partner)s."),
            "updated": _("The scopes of %(partner)s for %(service)s were changed."),
            "unchanged": _(
                "%(partner)s already held delegated admin for %(service)s; nothing changed."
            ),
        }
        messages.success(
            self.request,
            texts[change.outcome] % {"partner": partner.name, "service": service.display_name},
        )
        return redirect("customers:relationships", customer_id=self.customer.public_id)


class GrantRemoveView(CustomerMixin, FormView):
    """Remove delegated admin for a service, with a reason. The relationship stays."""

    requires_customer_admin = True

    form_class = GrantRemoveForm
    template_name = "customers/grant_remove.html"

    def get_grant(self) -> DelegatedAdminGrant:
        if not hasattr(self, "_grant"):
            self._grant = (
                DelegatedAdminGrant.objects.select_related("service", "partner")
                .filter(customer=self.customer, pk=self.kwargs["grant_id"])
                .first()
            )
            if self._grant is None:
                raise Http404
        return self._grant

    def get(self, request, *args, **kwargs):
        if not self.get_grant().is_active:
            messages.info(request, _("This delegated admin was already removed."))
            return redirect("customers:relationships", customer_id=self.customer.public_id)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["grant"] = self.get_grant()
        return context

    def form_valid(self, form):
        grant = self.get_grant()
        try:
            grant_remove(
                grant=grant,
                by=self.request.user,
                note=form.cleaned_data["note"],
                acting_customer=self.customer,
            )
        except ValidationError as exc:
            messages.error(self.request, " ".join(_error_messages(exc)))
            return redirect("customers:relationships", customer_id=self.customer.public_id)
        messages.success(
            self.request,
            _(
                "Delegated admin for %(service)s was removed from %(partner)s. Your relationship "
                "with the partner stays in place."
            )
            % {"service": grant.service.display_name, "partner": grant.partner.name},
        )
        return redirect("customers:relationships", customer_id=self.customer.public_id)


# ------------------------------------------------------------------------------
# Partner pages
# ------------------------------------------------------------------------------
class FilteredCustomersMixin:
    """The customer list's search and filters, shared by the page and its CSV export."""

    def customer_filters(self) -> dict:
        self.search_form = CustomerFilterForm(
            self.request.GET or None,
            partner=self.partner,
            choices=partner_customer_filter_choices(self.partner),
        )
        filters = self.search_form.filters()
        self.is_filtered = any(filters.values())
        self.search = filters.pop("search")
        return filters

    def filtered_customers(self):
        filters = self.customer_filters()
        customers = partner_customers(self.partner, search=self.search)
        return filter_partner_customers(customers, partner=self.partner, **filters)

    def filtered_links(self):
        """The same list as the customers' links (CustomerAccess), which a page is read
        from."""
        filters = self.customer_filters()
        links = partner_customer_links(self.partner, search=self.search)
        return filter_partner_customers(
            links, partner=self.partner, customer="customer_id", **filters
        )


class PartnerCustomerListView(PartnerMixin, FilteredCustomersMixin, TemplateView):
    """A provider's customers (with the resellers attached) or a reseller's customers, by
    name, a page at a time from a cursor (`?after=`): the same cost on the last page of
    50,000 customers as on the first (docs/performance.md)."""

    permission = "customers.view"
    template_name = "customers/partner_customer_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page is read from the partner's links alone: an index-only walk of the list's
        # index in order, testing a search in the index itself; then its 25 customers are
        # loaded (docs/performance.md).
        links = self.filtered_links()
        if self.is_filtered:
            # how many match, up to a bound: a broad search does not count 50,000 rows. A
            # search matching few enough links (the planner's estimate, apps.core.plans) is
            # counted from the trigram index, which stops at the bound, instead of walking
            # every link before its matches
            with bounded_search_plan(links) if self.search else nullcontext():
                count = bounded_count(links)
        else:
            # the partner's links alone (an index-only scan)
            count = (partner_customer_count_source(self.partner).count(), False)
        page = keyset_page(self.request, links, CUSTOMER_LINK_ORDER)
        page.object_list = customers_of_links(self.partner, page.object_list)
        query = self.request.GET.copy()
        for key in POSITION_PARAMS:
            query.pop(key, None)
        context.update(
            customers=page.object_list,
            page_obj=page,
            count=count[0],
            count_is_bound=count[1],
            search_form=self.search_form,
            is_filtered=self.is_filtered,
            query_string=query.urlencode(),
        )
        return context


class PartnerCustomerExportView(PartnerMixin, FilteredCustomersMixin, View):
    """The customer list with the page's search and filters, as a streamed CSV."""

    permission = "customers.view"

    def get(self, request, *args, **kwargs):
        customers = self.filtered_customers()
        return partner_customers_csv_response(customers, partner=self.partner)


class PartnerCustomerDetailView(PartnerMixin, TemplateView):
    """One customer as a partner sees it: relationships, delegated admin, subscriptions."""

    permission = "customers.view"
    template_name = "customers/partner_customer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        customer = partner_customer_or_404(self.partner, self.kwargs["customer_id"])
        grants = customer.partner_grants
        for grant in grants:
            grant.portal_url = grant.service.admin_portal_url(customer)
        service_ids = {g.service_id for g in grants}
        context.update(
            {
                "customer": customer,
                "grants": grants,
                "relationships": partner_relationships(self.partner)
                .filter(customer=customer)
                .select_related("provider", "reseller")
                .order_by("-started_at"),
                "subscriptions_page": _page(
                    self.request,
                    partner_customer_subscriptions(self.partner, customer, service_ids),
                ),
                "can_end": self.membership.has_perm("customers.manage"),
            }
        )
        return context


class RelationshipEndView(PartnerMixin, FormView):
    """A provider ends a relationship it owns; delegated admin obtained through it ends too."""

    permission = "customers.manage"
    form_class = RelationshipEndForm
    template_name = "customers/relationship_end.html"

    def get_relationship(self) -> ResellerRelationship:
        if not hasattr(self, "_relationship"):
            self._relationship = (
                ResellerRelationship.objects.select_related("customer", "provider", "reseller")
                .filter(
                    pk=self.kwargs["relationship_id"],
                    provider=self.partner,
                    customer__public_id=self.kwargs["customer_id"],
                )
                .first()
            )
            if self._relationship is None:
                raise Http404
        return self._relationship

    def detail_url(self) -> str:
        """The customer's page, or the customer list once the provider no longer works with the
        customer (after the last relationship ended the customer's page answers 404)."""
        if (
            not partner_customers(self.partner)
            .filter(public_id=self.kwargs["customer_id"])
            .exists()
        ):
            return reverse(
                "customers:partner_customers", kwargs={"partner_id": self.partner.public_id}
            )
        return reverse(
            "customers:partner_customer",
            kwargs={
                "partner_id": self.partner.public_id,
                "customer_id": self.kwargs["customer_id"],
            },
        )

    def get(self, request, *args, **kwargs):
        if self.get_relationship().state != ResellerRelationship.State.ACTIVE:
            messages.info(request, _("This relationship has already ended."))
            return redirect(self.detail_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        relationship = self.get_relationship()
        context["relationship"] = relationship
        context["customer"] = relationship.customer
        context["grants"] = (
            DelegatedAdminGrant.objects.active()
            .filter(relationship=relationship)
            .select_related("service", "partner")
            .order_by("service__position", "service__name")
        )
        return context

    def form_valid(self, form):
        relationship = self.get_relationship()
        try:
            relationship_end(
                relationship=relationship,
                by=self.request.user,
                reason=form.cleaned_data["reason"],
                acting_partner=self.partner,
            )
        except ValidationError as exc:
            messages.error(self.request, " ".join(_error_messages(exc)))
            return redirect(self.detail_url())
        messages.success(
            self.request,
            _("The relationship with %(customer)s was ended.")
            % {"customer": relationship.customer.name},
        )
        return redirect(self.detail_url())
