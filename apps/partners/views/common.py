"""What the partner-organization pages share: a service error as one line of text, and the
POST-only button view."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views import View

from ..mixins import PartnerMixin


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


class PostOnlyPartnerView(PartnerMixin, View):
    """A button on another page: POST does one thing and goes back; GET is 405."""

    http_method_names = ["post"]

    def back(self):
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError
