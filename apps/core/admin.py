"""Admin mixins every app's admin uses: read-only screens, and adding through a service.

Nothing here registers a model; the apps' admin modules do.
"""

from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forms import add_service_errors, error_text
from .plans import bounded_search_plan

# Per-request notes of AddThroughServiceMixin (an admin instance serves every request).
_REFUSAL = "_core_admin_service_refusal"
_ADDED = "_core_admin_added_object"


class ReadOnlyAdminMixin:
    """Nobody, not even a superuser, adds, changes or deletes through this admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Related rows shown on a parent's page, never edited there (each row links to its own
    page, where its services apply)."""

    extra = 0
    can_delete = False
    show_change_link = True


class ServiceErrorsAsMessagesMixin:
    """Changes made through services from the admin: a refusal the form could not foresee
    (e.g. a race) comes back as a message, never as a server error; admin actions call the
    service for each selected object and report what happened."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def run_for_each(self, request, queryset, service, done_message) -> int:
        """Call `service(obj)` for each selected object; report each refusal as a warning and
        the successes with `done_message(count)`. Returns how many succeeded."""
        done = 0
        for obj in queryset:
            try:
                service(obj)
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {error_text(exc)}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        return done


class _ServiceRefused(Exception):
    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


def _add_form(form_class, refusal: ValidationError | None):
    """`form_class` checking its fields only: the service owns the model's rules (and says
    them in its words), so the model instance is neither built nor validated here. With a
    `refusal`, the form is invalid with the service's message on it."""

    class AddForm(form_class):
        def _post_clean(self):
            if refusal is not None:
                add_service_errors(self, refusal)

    AddForm.__name__ = form_class.__name__
    return AddForm


def _form_showing(form_class, refusal: ValidationError):
    """`form_class`, but invalid with the service's refusal on it."""

    class RefusedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            add_service_errors(self, refusal)

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class AddThroughServiceMixin:
    """The admin's add form validates its fields; then `save_model` calls the portal's own
    service (the function the portal's page calls) through `add_through_service`, so the
    admin checks, locks, audits and emails exactly as the portal does. The model is never
    saved directly. A service's ValidationError (or PermissionDenied) is put back on the form
    and the page shown again, with everything the attempt wrote rolled back. `call_service`
    does the same for services called while saving a change (e.g. from save_formset).

    Put this mixin first among the bases. Set `add_form` / `add_fields` for an add form that
    differs from the change form, and `read_only_after_add` for objects that are only viewed
    afterwards (their changes are admin actions calling services).
    """

    add_form = None
    add_fields: list[str] | None = None
    read_only_after_add = False

    def add_through_service(self, request, form):
        """Call the service with `form.cleaned_data` and return the object it created."""
        raise NotImplementedError(f"{type(self).__name__} must say which service adds")

    # -- the form ---------------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None and self.add_form is not None:
            kwargs["form"] = self.add_form
        if obj is None and self.add_fields is not None:
            kwargs.setdefault("fields", self.add_fields)
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if obj is None:
            return _add_form(form, refusal)
        if refusal is not None:
            return _form_showing(form, refusal)
        return form

    def get_fields(self, request, obj=None):
        if obj is None and self.add_fields is not None:
            return self.add_fields
        if obj is not None and self.read_only_after_add:
            return self.get_readonly_fields(request, obj)
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None and self.add_fields is not None:
            return []
        return super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        # Related rows come from the service (or later), not from inline forms on the add page.
        return [] if obj is None else super().get_inlines(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and not (self.read_only_after_add and obj is not None)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only_after_add and super().has_delete_permission(request, obj)

    # -- the view ---------------------------------------------------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _ServiceRefused as refused:
            # The attempt's transaction has rolled back; show the form again, invalid.
            setattr(request, _REFUSAL, refused.error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def call_service(self, service, /, *args, **kwargs):
        """Call `service` while saving (save_model, save_formset): if it refuses, the whole
        save rolls back and the page is shown again with its message on the form."""
        try:
            return service(*args, **kwargs)
        except ValidationError as exc:
            raise _ServiceRefused(exc) from exc
        except PermissionDenied as exc:
            message = str(exc) or _("You may not make this change.")
            raise _ServiceRefused(ValidationError(message)) from exc

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        setattr(request, _ADDED, self.call_service(self.add_through_service, request, form))

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
        # else: the service saved the new object's relations itself

    def log_addition(self, request, obj, message):
        return super().log_addition(request, getattr(request, _ADDED, obj), message)

    def response_add(self, request, obj, post_url_continue=None):
        return super().response_add(request, getattr(request, _ADDED, obj), post_url_continue)


class QuickActionCheckbox:
    """Mixed into every registered ModelAdmin (apps.portal.admin_site): the changelist's
    per-row action checkbox written directly, the same HTML Django's `action_checkbox` renders
    through a widget template. That template cost about 0.45 ms a row, as much as all the
    row's other columns: a 100-row page spent 45 ms on checkboxes."""

    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )


# A "loose index scan": the smallest value, then the smallest greater than the last, and so on
DISTINCT_VALUES_SQL = """
    WITH RECURSIVE v(value) AS (
        (SELECT {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY 1 LIMIT 1)
        UNION ALL
        SELECT (SELECT {column} FROM {table} WHERE {column} > v.value ORDER BY 1 LIMIT 1)
        FROM v WHERE v.value IS NOT NULL
    )
    SELECT value FROM v WHERE value IS NOT NULL
"""


class DistinctValuesFilter(admin.AllValuesFieldListFilter):
    """Django's "all values" filter (a list of the column's distinct values), with the values
    read on PostgreSQL by skipping through the column's index (a recursive query, one index
    probe per distinct value) instead of `SELECT DISTINCT` over every row: a country filter
    over 100,000 customers took 9 ms, and now well under one. Needs an index on the column;
    elsewhere (SQLite) Django's query."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        connection = connections[model_admin.get_queryset(request).db]
        if connection.vendor != "postgresql" or "__" in field_path:
            return
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(field.column)
        # names from the model's own metadata, quoted: no user input reaches this SQL
        sql = DISTINCT_VALUES_SQL.format(table=table, column=column)
        with connection.cursor() as cursor:
            cursor.execute(sql)
            self.lookup_choices = [row[0] for row in cursor.fetchall()]


class _BoundedSearchResults:
    """Mixed into a ChangeList class: its searched page and count run in a bounded plan, and
    its rows' links carry the preserved filters without resolving each link again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's admin adds the list's filters and search to each row's link (so that "Save"
        # returns to the same list) through `add_preserved_filters`, which resolves the link
        # against every admin URL pattern to learn that a change page is not the changelist:
        # 0.1–0.2 ms a row on a searched or filtered list, the same answer every time. The
        # query string is the same for every row: built once here with Django's own function
        # and put on the link by `url_for_result`; the per-row call then has nothing to add
        # (it reads `preserved_filters`, which no other code of the admin reads).
        self.row_link_filters = self.preserved_filters
        self.preserved_filters = ""
        self._row_link_query = None

    def url_for_result(self, result):
        url = super().url_for_result(result)
        if not self.row_link_filters:
            return url
        if self._row_link_query is None:
            context = {"preserved_filters": self.row_link_filters, "opts": self.opts}
            self._row_link_query = urlsplit(add_preserved_filters(context, url)).query
        return f"{url}?{self._row_link_query}" if self._row_link_query else url

    def get_results(self, request):
        if not self.query:
            return super().get_results(request)
        with bounded_search_plan(self.queryset):
            super().get_results(request)
            # the page is a lazy queryset, read when the template draws it: read it here,
            # inside the plan (it stays a queryset, its rows cached)
            fetch = getattr(self.result_list, "_fetch_all", None)
            if fetch is not None:
                fetch()


_bounded_classes: dict[type, type] = {}


def bounded_search_changelist(changelist_class: type) -> type:
    """`changelist_class` whose searched results run in a bounded plan (made once a class)."""
    if changelist_class not in _bounded_classes:
        _bounded_classes[changelist_class] = type(
            changelist_class.__name__, (_BoundedSearchResults, changelist_class), {}
        )
    return _bounded_classes[changelist_class]


class BoundedSearchPlanMixin:
    """Mixed into every registered ModelAdmin (apps.portal.admin_site): a searched changelist
    reads its matches from the search's own indexes (trigram, or the prefix indexes of the
    audit log) while PostgreSQL expects few enough of them (apps.core.plans), instead of
    walking the ordering's index past every row that does not match. The planner's choice is
    fragile: on the audit log a search for one address (1,000 of 5,000,000 events, estimated
    996) was read by a walk through the time index for a page of 25 (449 ms) and by a bitmap
    for a page of 50 (6 ms). Only the count and the page run in the bounded plan, not the
    filters' own queries; an admin's own ChangeList class is kept (wrapped)."""

    def get_changelist(self, request, **kwargs):
        return bounded_search_changelist(super().get_changelist(request, **kwargs))
