"""Operators' view of the email outbox: what is queued, sent or failed, and why; failed
messages can be queued again. Rows are never edited or deleted here."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from . import outbox
from .admin import ReadOnlyAdminMixin
from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "status",
        "recipients",
        "subject",
        "attempts",
        "last_error",
        "age",
        "purpose",
    ]
    list_filter = ["status", "purpose"]
    search_fields = ["subject", "ref"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry"]
    fields = [
        "status",
        "purpose",
        "ref",
        "from_email",
        "to",
        "cc",
        "bcc",
        "reply_to",
        "subject",
        "text_body",
        "html_body",
        "headers",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("to"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.display(description=_("age"))
    def age(self, obj):
        return timesince(obj.created_at, timezone.now())

    def has_retry_permission(self, request):
        return request.user.has_perm("core.change_outboundemail")

    def requeue_one(self, request, email: OutboundEmail) -> None:
        """One retry; the composition layer overrides this to audit it in the same
        transaction (core does not know the audit log)."""
        outbox.requeue(email=email, by=request.user)
        self.log_change(request, email, "Queued again for delivery.")

    @admin.action(description=_("Retry selected failed emails"), permissions=["retry"])
    def retry(self, request, queryset):
        """Queue the selected failed emails again (others are left as they are)."""
        done = skipped = 0
        for email in queryset:
            if email.status != OutboundEmail.Status.FAILED:
                skipped += 1
                continue
            self.requeue_one(request, email)
            done += 1
        if done:
            self.message_user(
                request,
                ngettext("%d email queued again.", "%d emails queued again.", done) % done,
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d email was not failed and was left as it is.",
                    "%d emails were not failed and were left as they are.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )


# The task queue's own rows, read-only as the library ships them, without counting the whole
# table on every page load (it grows with every email until pruned).
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    show_full_result_count = False
