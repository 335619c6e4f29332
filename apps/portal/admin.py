"""The audit log in the operator admin: read-only for everyone, filterable, linked to what each
event is about, and exportable as CSV with the filters on screen."""

import functools
import json
import urllib.parse

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.accounts.admin import UserAdmin
from apps.accounts.models import User
from apps.audit.actions import AuditAction, action_label
from apps.audit.models import AuditEvent, AuditEventPartner
from apps.audit.services import audit_record
from apps.core.admin import ReadOnlyAdminMixin, ReadOnlyInline
from apps.core.admin_outbox import OutboundEmailAdmin
from apps.core.models import OutboundEmail
from apps.core.pagination import EstimatedCountPaginator
from apps.customers.admin import ResellerRelationshipAdmin
from apps.customers.models import Customer, CustomerMembership, ResellerRelationship
from apps.partners.models import Partner, PartnerMembership

from .exports import operator_export_response
from .selectors import distinct_actions
from .story import customer_story_filter, relationship_story

# ------------------------------------------------------------------------------
# Links between admin pages (usable by every app's ModelAdmin)
# ------------------------------------------------------------------------------


# reverse() costs 40–70 µs; an audit log page draws about 75 links. The change URL of a model
# is reversed once (per script prefix and language) around this placeholder, which the object's
# id, encoded as reverse() encodes it, replaces.
_PK_PLACEHOLDER = "0pkplaceholder0"
_URL_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unencoded in a path argument


@functools.lru_cache(maxsize=256)
def _change_url_template(label: str, prefix: str, language: str | None) -> str | None:
    app_label, model_name = label.split(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[_PK_PLACEHOLDER])
    except NoReverseMatch:
        return None


def admin_change_url(model, pk) -> str | None:
    """The admin change page of one object, or None when its model is not in the admin."""
    if model is None or pk in (None, "") or not admin.site.is_registered(model):
        return None
    template = _change_url_template(model._meta.label_lower, get_script_prefix(), get_language())
    if template is None:
        return None
    return template.replace(_PK_PLACEHOLDER, urllib.parse.quote(str(pk), safe=_URL_SAFE))


def admin_link(model, pk, text) -> str:
    """A link to an object's admin page, or just its text when it has none."""
    url = admin_change_url(model, pk)
    return format_html('<a href="{}">{}</a>', url, text) if url else format_html("{}", text)


def _name(organization, pk) -> str:
    """An organization's name for a list cell, or its ID when it was deleted since."""
    return organization.name if organization is not None else f"#{pk}"


def model_for_label(label: str):
    """The model named "app_label.model_name" (an event's target_type), or None."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def audit_events_url(**filters) -> str:
    """The audit log filtered, e.g. audit_events_url(partner=partner.pk)."""
    url = reverse("admin:audit_auditevent_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def audit_history_url(obj) -> str:
    """The audit events about one object: a partner's or customer's whole activity, what a user
    did, else the events whose target is the object."""
    if isinstance(obj, Partner):
        return audit_events_url(partner=obj.pk)
    if isinstance(obj, Customer):
        return audit_events_url(customer=obj.pk)
    if isinstance(obj, User):
        return audit_events_url(actor=obj.pk)
    return audit_events_url(target=f"{obj._meta.label_lower}:{obj.pk}")


# ------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------


class InputFilter(admin.SimpleListFilter):
    """A filter typed into a box (a partner ID, an email…): the audit log refers to too many
    organizations and people to list them all in the sidebar."""

    template = "admin/audit/input_filter.html"
    placeholder = ""

    def lookups(self, request, model_admin):
        return ()

    def has_output(self):
        return True

    def describe(self, value):
        """What the value refers to, shown under the box."""
        return value

    def choices(self, changelist):
        value = self.value() or ""
        hidden = [
            (name, item)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for item in values
        ]
        yield {
            "parameter_name": self.parameter_name,
            "value": value,
            "placeholder": self.placeholder,
            "hidden": hidden,
            "described": self.describe(value) if value else "",
            "clear_query_string": changelist.get_query_string(remove=[self.parameter_name]),
        }


# A name typed into an organization filter matches at most this many organizations.
MAX_NAMED_ORGANIZATIONS = 20


def _organization(model, value):
    """A partner or customer from its database ID or its public ID (case-insensitive)."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return model.objects.filter(pk=int(value)).first()
    return model.objects.filter(public_id__iexact=value).first()


def _organizations(model, value) -> list:
    """The organizations a typed value names: its database ID or public ID, else every one
    whose name contains it ("Northwind"), the first MAX_NAMED_ORGANIZATIONS by name."""
    exact = _organization(model, value)
    if exact is not None:
        return [exact]
    value = (value or "").strip()
    if len(value) < 2:
        return []
    return list(
        model.objects.filter(name__icontains=value).order_by("name")[:MAX_NAMED_ORGANIZATIONS]
    )


class OrganizationFilter(InputFilter):
    """Events of partners or customers, typed as a database ID, a public ID or (part of) a
    name: "Northwind" finds the events of every organization whose name contains it."""

    model = Partner
    missing = _("No such partner")

    def narrow(self, queryset, organizations):
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def describe(self, value):
        organizations = _organizations(self.model, value)
        return ", ".join(str(o) for o in organizations) if organizations else self.missing

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        organizations = _organizations(self.model, self.value())
        return self.narrow(queryset, organizations) if organizations else queryset.none()


class PartnerConcernedFilter(OrganizationFilter):
    title = _("partner (concerned or acting)")
    parameter_name = "partner"
    placeholder = _("Partner ID or name")

    def narrow(self, queryset, organizations):
        ids = [o.pk for o in organizations]
        return queryset.filter(
            pk__in=AuditEventPartner.objects.filter(partner_id__in=ids).values("event_id")
        )


class ActingPartnerFilter(OrganizationFilter):
    title = _("acting for partner")
    parameter_name = "acting_partner"
    placeholder = _("Partner ID or name")

    def narrow(self, queryset, organizations):
        return queryset.filter(acting_partner__in=organizations)


class CustomerFilter(OrganizationFilter):
    title = _("customer (concerned or acting)")
    parameter_name = "customer"
    placeholder = _("Customer ID or name")
    model = Customer
    missing = _("No such customer")

    def narrow(self, queryset, organizations):
        """What names the customers, and the story of the invitations they answered (the
        invitation's creation and the delivery or forward that reached them name no customer
        when they are recorded)."""
        condition = Q(customer__in=organizations) | Q(acting_customer__in=organizations)
        for customer in organizations:
            condition |= customer_story_filter(customer)
        return queryset.filter(condition)


class ActorFilter(InputFilter):
    """By the person who acted: a user ID or an email (the email snapshot also finds events of
    users deleted since)."""

    title = _("actor")
    parameter_name = "actor"
    placeholder = _("Email or user ID")

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(actor_id=int(value))
        user = User.objects.filter(email__iexact=value).first()
        if user is not None:
            return queryset.filter(actor_id=user.pk)
        return queryset.filter(actor_email=User.objects.normalize_email(value))


class TargetFilter(InputFilter):
    """By the object an event is about: "app_label.model:id", e.g. invitations.invitation:42."""

    title = _("target")
    parameter_name = "target"
    placeholder = _("app.model:id")

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        target_type, _sep, target_id = value.partition(":")
        if not target_type or not target_id:
            return queryset.none()
        return queryset.for_target(target_type.lower(), target_id)


class RequestFilter(InputFilter):
    """Everything one request did, from the request ID a user reports (X-Request-ID)."""

    title = _("request ID")
    parameter_name = "request"
    placeholder = _("Request ID")

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        return queryset.filter(request_id=value) if value else queryset


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(action, action_label(action)) for action in distinct_actions()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


# ------------------------------------------------------------------------------
# The audit log
# ------------------------------------------------------------------------------


class AuditExportChangeList(ChangeList):
    """The changelist's filters, search and ordering without fetching a page: the export
    streams `self.queryset` itself."""

    def get_results(self, request):
        self.result_count = None
        self.full_result_count = None
        self.result_list = []
        self.can_show_all = False
        self.multi_page = False
        self.paginator = None


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "action_display",
        "actor_display",
        "acting_for",
        "target_display",
        "customer_display",
        "partners_display",
    ]
    list_display_links = ["created_at"]
    list_filter = [
        ActionFilter,
        PartnerConcernedFilter,
        ActingPartnerFilter,
        CustomerFilter,
        ActorFilter,
        TargetFilter,
        RequestFilter,
        "created_at",
    ]
    # Each term uses an index (docs/performance.md): the target's text anywhere (trigram), the
    # actor's email and the action from their start (btree on UPPER(…) text_pattern_ops). The
    # organization filters take a name (part of it) and find everything that concerns it.
    search_fields = ["target_repr", "^actor_email", "^action"]
    search_help_text = _(
        "Searches the target's text, the actor's email and the action from their start, and "
        "the names of the customer concerned and of the organization acting."
    )
    # at most this many organizations whose name matches a search are looked up by id
    SEARCH_NAMED_ORGANIZATIONS = 20

    def get_search_results(self, request, queryset, search_term):
        """The indexed text search, or an event of an organization whose name matches
        ("Northwind" finds Northwind's events): the names are matched first (trigram index,
        at most SEARCH_NAMED_ORGANIZATIONS each), then events by their indexed foreign keys,
        never a join over the whole log."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return results, may_have_duplicates
        limit = self.SEARCH_NAMED_ORGANIZATIONS
        customers = list(
            Customer.objects.filter(name__icontains=term).values_list("pk", flat=True)[:limit]
        )
        partners = list(
            Partner.objects.filter(name__icontains=term).values_list("pk", flat=True)[:limit]
        )
        named = Q(customer_id__in=customers) | Q(acting_customer_id__in=customers)
        named |= Q(acting_partner_id__in=partners)
        if customers or partners:
            results = results | queryset.filter(named)
        return results, may_have_duplicates

    date_hierarchy = "created_at"
    # Sorting a million rows by anything but the indexed time is not worth a page load
    sortable_by = ["created_at"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    actions = None  # not even delete_selected: the log is append-only
    # as every changelist (apps.portal.admin_site.LIST_PER_PAGE): a row of the log draws links
    # to its actor, organizations and target, about 0.6 ms each
    list_per_page = 25
    fieldsets = [
        (None, {"fields": ["created_at", "action", "request_display", "ip_address"]}),
        (
            _("Who"),
            {"fields": ["actor_display", "actor_email", "acting_for"]},
        ),
        (
            _("About"),
            {"fields": ["target_detail", "target_type", "target_id"]},
        ),
        (
            _("Organizations concerned"),
            {"fields": ["customer_detail", "partners_detail"]},
        ),
        (_("Data"), {"fields": ["data_display"]}),
    ]
    readonly_fields = [
        "created_at",
        "action",
        "request_display",
        "ip_address",
        "actor_display",
        "actor_email",
        "acting_for",
        "target_detail",
        "target_type",
        "target_id",
        "customer_detail",
        "partners_detail",
        "data_display",
    ]

    @admin.display(description=_("action"), ordering="action")
    def action_display(self, obj):
        return format_html("{}<br><code>{}</code>", obj.action_label, obj.action)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("actor", "acting_partner", "acting_customer", "customer")
            .prefetch_related(
                Prefetch(
                    "partner_links",
                    queryset=AuditEventPartner.objects.select_related("partner").order_by(
                        "partner_id"
                    ),
                )
            )
        )

    # --- columns --------------------------------------------------------------

    @admin.display(description=_("actor"))
    def actor_display(self, event):
        if not event.actor_id:
            return event.actor_email or "—"
        return admin_link(User, event.actor_id, event.actor_email or event.actor_id)

    @admin.display(description=_("acting for"))
    def acting_for(self, event):
        if event.acting_partner_id:
            return admin_link(
                Partner,
                event.acting_partner_id,
                _name(event.acting_partner, event.acting_partner_id),
            )
        if event.acting_customer_id:
            return admin_link(
                Customer,
                event.acting_customer_id,
                _name(event.acting_customer, event.acting_customer_id),
            )
        return _("Operator") if event.actor_id else "—"

    @admin.display(description=_("target"))
    def target_display(self, event):
        text = event.target_repr or f"{event.target_type} {event.target_id}".strip() or "—"
        return admin_link(model_for_label(event.target_type), event.target_id, text)

    @admin.display(description=_("customer concerned"))
    def customer_display(self, event):
        if not event.customer_id:
            return "—"
        return admin_link(Customer, event.customer_id, _name(event.customer, event.customer_id))

    @admin.display(description=_("partners concerned"))
    def partners_display(self, event):
        links = event.partner_links.all()
        if not links:
            return "—"
        return format_html_join(
            ", ",
            "{}",
            (
                (admin_link(Partner, link.partner_id, _name(link.partner, link.partner_id)),)
                for link in links
            ),
        )

    # --- the event's own page: the same, with the way to its neighbours ------------

    @admin.display(description=_("target"))
    def target_detail(self, event):
        link = self.target_display(event)
        if not (event.target_type and event.target_id):
            return link
        url = audit_events_url(target=f"{event.target_type}:{event.target_id}")
        return format_html('{} (<a href="{}">{}</a>)', link, url, _("every event about it"))

    @admin.display(description=_("customer concerned"))
    def customer_detail(self, event):
        if not event.customer_id:
            return "—"
        url = audit_events_url(customer=event.customer_id)
        return format_html(
            '{} (<a href="{}">{}</a>)',
            admin_link(Customer, event.customer_id, event.customer or f"#{event.customer_id}"),
            url,
            _("its events"),
        )

    @admin.display(description=_("partners concerned"))
    def partners_detail(self, event):
        links = event.partner_links.all()
        if not links:
            return "—"
        return format_html_join(
            ", ",
            '{} (<a href="{}">{}</a>)',
            (
                (
                    admin_link(Partner, link.partner_id, link.partner or f"#{link.partner_id}"),
                    audit_events_url(partner=link.partner_id),
                    _("its events"),
                )
                for link in links
            ),
        )

    @admin.display(description=_("request ID"))
    def request_display(self, event):
        if not event.request_id:
            return "—"
        return format_html(
            '{} (<a href="{}">{}</a>)',
            event.request_id,
            audit_events_url(request=event.request_id),
            _("every event of this request"),
        )

    @admin.display(description=_("data"))
    def data_display(self, event):
        return format_html(
            "<pre>{}</pre>",
            json.dumps(event.data or {}, ensure_ascii=False, indent=2, sort_keys=True),
        )

    # --- CSV export -------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_view),
            name=f"{opts.app_label}_{opts.model_name}_export",
        )
        return [export, *super().get_urls()]

    def get_changelist(self, request, **kwargs):
        if getattr(request, "audit_export", False):
            return AuditExportChangeList
        return super().get_changelist(request, **kwargs)

    def export_view(self, request):
        """The events the changelist shows with the same query string, as a streamed CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.audit_export = True
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, _("Those filters are not valid; nothing was exported."))
            return HttpResponseRedirect(reverse("admin:audit_auditevent_changelist") + "?e=1")
        return operator_export_response(changelist.queryset)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse("admin:audit_auditevent_export"),
        }
        return super().changelist_view(request, extra_context=extra_context)


# ------------------------------------------------------------------------------
# Django's own admin history (raw admin edits)
# ------------------------------------------------------------------------------


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What operators changed through the admin's own forms, as Django records it (each
    object's History page shows its part). Services record their changes in the audit log."""

    list_display = ["action_time", "user", "action_flag", "object_link", "change_summary"]
    list_filter = ["action_flag", "content_type", "action_time"]
    search_fields = ["object_repr", "object_id", "user__email", "change_message"]
    date_hierarchy = "action_time"
    list_select_related = ["user", "content_type"]
    sortable_by = ["action_time"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = None
    fields = [
        "action_time",
        "user",
        "action_flag",
        "content_type",
        "object_id",
        "object_link",
        "change_summary",
    ]
    readonly_fields = fields

    @admin.display(description=_("Subject"))
    def object_link(self, entry):
        model = entry.content_type.model_class() if entry.content_type_id else None
        if entry.action_flag == DELETION:
            return entry.object_repr
        return admin_link(model, entry.object_id, entry.object_repr)

    @admin.display(description=_("Change"))
    def change_summary(self, entry):
        return entry.get_change_message()


# ------------------------------------------------------------------------------
# django-axes' sign-in logs
# ------------------------------------------------------------------------------


def _needing_delete_permission(action):
    @admin.action(description=action.short_description, permissions=["delete"])
    def wrapped(modeladmin, request, queryset):
        return action(modeladmin, request, queryset)

    wrapped.__name__ = action.__name__
    return wrapped


def _tune_axes_admins() -> None:
    """django-axes' tables grow with every sign-in: their lists do not count every row on each
    page load, and "Clean up expired attempts" (which deletes) needs the delete permission,
    like Django's own "Delete selected"."""
    try:
        from axes.admin import AccessAttemptAdmin
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    except ImportError:  # pragma: no cover - axes is a dependency
        return
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        if not admin.site.is_registered(model):
            continue
        base = type(admin.site.get_model_admin(model))
        attrs = {"show_full_result_count": False, "__module__": __name__}
        if issubclass(base, AccessAttemptAdmin):
            attrs["cleanup_expired_attempts"] = _needing_delete_permission(
                AccessAttemptAdmin.cleanup_expired_attempts
            )
        admin.site.unregister(model)
        admin.site.register(model, type(base.__name__, (base,), attrs))


_tune_axes_admins()


# ------------------------------------------------------------------------------
# The email outbox: an operator's retry is audited with the retry, in one transaction
# ------------------------------------------------------------------------------
admin.site.unregister(OutboundEmail)


@admin.register(OutboundEmail)
class AuditedOutboundEmailAdmin(OutboundEmailAdmin):
    def requeue_one(self, request, email: OutboundEmail) -> None:
        with transaction.atomic():
            super().requeue_one(request, email)
            audit_record(
                action=AuditAction.EMAIL_REQUEUED,
                actor=request.user,
                target=email,
                target_repr=email.subject,
                data={"to": email.to, "purpose": email.purpose, "last_error": email.last_error},
            )


# ------------------------------------------------------------------------------
# Users: the account (apps/accounts) plus the organizations it belongs to
# ------------------------------------------------------------------------------
class OrganizationListFilter(admin.SimpleListFilter):
    title = _("organization")
    parameter_name = "organization"

    def lookups(self, request, model_admin):
        return [
            ("partner", _("Partner staff")),
            ("customer", _("Customer admins")),
            ("none", _("No organization")),
        ]

    def queryset(self, request, queryset):
        in_partner = Exists(PartnerMembership.objects.filter(user=OuterRef("pk")))
        in_customer = Exists(CustomerMembership.objects.filter(user=OuterRef("pk")))
        if self.value() == "partner":
            return queryset.filter(in_partner)
        if self.value() == "customer":
            return queryset.filter(in_customer)
        if self.value() == "none":
            return queryset.filter(~in_partner, ~in_customer)
        return queryset


class UserMembershipInline(ReadOnlyInline):
    """Memberships are managed by the organizations' own screens and services; here they are
    shown, never edited."""

    fk_name = "user"
    show_change_link = False


class PartnerMembershipInline(UserMembershipInline):
    model = PartnerMembership
    verbose_name = _("partner membership")
    verbose_name_plural = _("partner memberships")
    fields = ["partner_link", "partner_kind", "role", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner")

    @admin.display(description=_("partner"))
    def partner_link(self, membership):
        return admin_link(Partner, membership.partner_id, membership.partner)

    @admin.display(description=_("kind"))
    def partner_kind(self, membership):
        return membership.partner.get_kind_display()


class CustomerMembershipInline(UserMembershipInline):
    model = CustomerMembership
    verbose_name = _("customer organization administered")
    verbose_name_plural = _("customer organizations administered")
    fields = ["customer_link", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer")

    @admin.display(description=_("customer"))
    def customer_link(self, membership):
        return admin_link(Customer, membership.customer_id, membership.customer)


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_filter = [*UserAdmin.list_filter[:3], OrganizationListFilter, *UserAdmin.list_filter[3:]]
    search_fields = [
        *UserAdmin.search_fields,
        "partner_memberships__partner__name",
        "partner_memberships__partner__public_id",
        "customer_memberships__customer__name",
        "customer_memberships__customer__tenant_domain",
    ]
    search_help_text = _("Email, name, or the name or ID of an organization the user belongs to.")
    inlines = [PartnerMembershipInline, CustomerMembershipInline]

    def get_inlines(self, request, obj):
        # Memberships exist only for a saved user; the add page shows none.
        return self.inlines if obj is not None else []


# ------------------------------------------------------------------------------
# A relationship's whole story (apps/portal/story.py): the customers app cannot see the
# invitation a relationship came from, so the composition layer adds it to that admin page.
# ------------------------------------------------------------------------------
admin.site.unregister(ResellerRelationship)


@admin.register(ResellerRelationship)
class RelationshipStoryAdmin(ResellerRelationshipAdmin):
    readonly_fields = [*ResellerRelationshipAdmin.readonly_fields, "whole_story"]

    @admin.display(description=_("Whole story"))
    def whole_story(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return render_to_string(
            "admin/customers/relationship_story.html", {"story": relationship_story(obj)}
        )
