"""The operator admin site: Django's, with guards for read-only staff (auditors).

Django already refuses add, change and delete views to a user without those permissions, but
an admin action that declares no `allowed_permissions` (django-axes' "cleanup" actions, for
one), or a custom admin view, would run for anyone who may view the model. Here:

- every POST to an admin page from staff who hold no write permission at all is refused,
  except signing out and changing their own password;
- such staff are offered no admin action on any model.

And for everyone: a date-hierarchy filter that is not a plausible year, month or day (Django
turns `?created_at__year=99999999999999999999999` into an OverflowError, a 500) goes to the
changelist's own "invalid filters" answer (`?e=1`), like any other lookup Django refuses. NUL
bytes never get here (apps.core.middleware.RejectNulBytesMiddleware).

Every registered ModelAdmin also gets the quick action checkbox and the bounded search plan
(apps.core.admin) and pages of LIST_PER_PAGE rows unless it chose its own size (issue 18,
docs/performance.md).
"""

import re
import types
from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from apps.core.admin import BoundedSearchPlanMixin, QuickActionCheckbox

# Rows on a changelist page, unless an admin says otherwise (Django's default is 100): drawing a
# row of eight columns costs about 0.3 ms, so 100 of them were most of a page's time at scale.
# The portal's own lists show 25 (PORTAL_PAGE_SIZE); so does the admin (docs/performance.md).
LIST_PER_PAGE = 25
# Admin URL names that read-only staff may still POST to.
READ_ONLY_STAFF_MAY_POST = frozenset({"logout", "password_change"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Date-hierarchy lookups and the digits a real value has.
DATE_PARTS = {
    "__year": re.compile(r"\d{1,4}"),
    "__month": re.compile(r"\d{1,2}"),
    "__day": re.compile(r"\d{1,2}"),
}


def invalid_date_filter(query) -> bool:
    for key, value in query.items():
        for suffix, pattern in DATE_PARTS.items():
            if key.endswith(suffix) and not pattern.fullmatch(value):
                return True
    return False


class NoActionsForReadOnlyStaff:
    """Mixed into every registered ModelAdmin: read-only staff see no action to run."""

    def get_actions(self, request):
        from .auditors import is_read_only_staff

        if is_read_only_staff(request.user):
            return {}
        return super().get_actions(request)


class PortalAdminSite(admin.AdminSite):
    site_header = _("Partner Portal operator admin")
    site_title = _("Partner Portal admin")
    index_title = _("Operator administration")

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, NoActionsForReadOnlyStaff):
            mixins = (NoActionsForReadOnlyStaff, QuickActionCheckbox, BoundedSearchPlanMixin)
            body = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
            if admin_class.list_per_page == admin.ModelAdmin.list_per_page:
                body["list_per_page"] = LIST_PER_PAGE
            admin_class = types.new_class(
                admin_class.__name__,
                (*mixins, admin_class),
                exec_body=lambda ns: ns.update(body),
            )
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        from .auditors import is_read_only_staff  # models are not loaded when this module is

        @wraps(view)
        def refuse_writes_from_read_only_staff(request, *args, **kwargs):
            if request.method not in SAFE_METHODS and is_read_only_staff(request.user):
                url_name = getattr(request.resolver_match, "url_name", None)
                if url_name not in READ_ONLY_STAFF_MAY_POST:
                    raise PermissionDenied(_("Auditors can look but not change anything."))
            if invalid_date_filter(request.GET) and "e" not in request.GET:
                return HttpResponseRedirect(request.path + "?e=1")
            return view(request, *args, **kwargs)

        # Django wraps admin views in never_cache unless `cacheable`; here the portal's rule
        # for every signed-in page applies instead (apps.core.middleware.
        # PrivateCacheControlMiddleware: `private, no-store`, so no browser or proxy keeps an
        # admin page), and the page cache may serve a changelist again to the same session
        # while the database has not changed (apps.core.page_cache)
        return super().admin_view(refuse_writes_from_read_only_staff, cacheable=True)


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's admin site, in INSTALLED_APPS in its place."""

    default_site = "apps.portal.admin_site.PortalAdminSite"
