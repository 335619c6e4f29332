"""What the partner-organization pages share: a service error as one line of text, the
POST-only button view, and the form that emails a one-time link."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from apps.core.dates import format_when

from ..mixins import PartnerMixin


class PostOnlyPartnerView(PartnerMixin, View):
    """A button on another page: POST does one thing and goes back; GET is 405."""

    http_method_names = ["post"]

    def back(self):
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class SendLinkFormView(PartnerMixin, FormView):
    """A form whose service emails a one-time link (team member, reseller): a refusal goes back
    on the form; success says to whom and until when, then goes to `link_sent_url`."""

    def send_link(self, form) -> tuple[object, str, datetime]:
        """Call the service; return what it created, the address and the link's expiry."""
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def link_sent_url(self, sent) -> str:
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def form_valid(self, form):
        try:
            sent, email, expires_at = self.send_link(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invitation sent to %(email)s. The link works once and expires on %(date)s.")
            % {"email": email, "date": format_when(expires_at)},
        )
        return redirect(self.link_sent_url(sent))
