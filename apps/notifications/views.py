from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.core.pagination import paginate

from .forms import EmailPreferencesForm
from .models import RETENTION_DAYS, Notification
from .registry import KINDS
from .selectors import notification_list
from .services import email_preferences, notification_preferences_set, notifications_mark_read


class NotificationListView(TemplateView):
    """The signed-in user's notifications (login required by the middleware)."""

    template_name = "notifications/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"] = paginate(self.request, notification_list(self.request.user))
        context["retention_days"] = RETENTION_DAYS
        return context


class MarkAllReadView(View):
    http_method_names = ["post"]

    def post(self, request):
        notifications_mark_read(user=request.user)
        messages.success(request, _("All notifications are marked as read."))
        return redirect("notifications:list")


class NotificationOpenView(View):
    """Mark one notification read and follow its link. Only its owner; others get 404."""

    def get(self, request, notification_id: int):
        notification = get_object_or_404(
            Notification.objects.for_user(request.user), pk=notification_id
        )
        notifications_mark_read(user=request.user, notification_ids=[notification.pk])
        if notification.url and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(notification.url)
        return redirect("notifications:list")


class NotificationSettingsView(FormView):
    template_name = "notifications/settings.html"
    form_class = EmailPreferencesForm

    def get_initial(self):
        chosen = email_preferences(self.request.user)
        return {"email": [code for code, enabled in chosen.items() if enabled]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["essential_kinds"] = [k for k in KINDS.values() if k.essential]
        return context

    def form_valid(self, form):
        notification_preferences_set(user=self.request.user, email_kinds=form.cleaned_data["email"])
        messages.success(self.request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
