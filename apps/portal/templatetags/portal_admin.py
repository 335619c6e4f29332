"""Admin template helpers: the audit history link on every change page, and the audit log's
"next page" under an estimated count. (The date hierarchy every changelist uses, which never
asks for DISTINCT dates over millions of rows, is apps.core.templatetags.admin_lists.)"""

from django import template
from django.contrib.admin.views.main import ChangeList

from apps.audit.models import AuditEvent, AuditEventPartner

register = template.Library()


@register.simple_tag
def audit_history_url(obj) -> str:
    """The audit log filtered to one object ("" for the audit log's own rows)."""
    from apps.portal.admin import audit_history_url as history_url

    if isinstance(obj, AuditEvent | AuditEventPartner):
        return ""
    return history_url(obj)


@register.simple_tag
def audit_next_page_url(cl: ChangeList) -> str:
    """With an estimated count, the next page's URL while this page is full (an estimate may
    be low, and no older event may be out of reach); "" otherwise."""
    paginator = cl.paginator
    if not getattr(paginator, "is_estimate", False) or cl.show_all:
        return ""
    if len(cl.result_list) < cl.list_per_page:
        return ""
    return cl.get_query_string({"p": cl.page_num + 1})
