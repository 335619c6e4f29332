"""The confirmation step of an irreversible action.

Every button that revokes, declines, removes or ends something first leads to a page that says
what will happen. The page's form carries `confirm=yes`; the view acts only on a POST that
carries it. A POST without it (the old one-click button, a hand-made request, a replayed form)
shows the confirmation page again and changes nothing.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CONFIRM_FIELD = "confirm"
CONFIRMED = "yes"

UNCONFIRMED_MESSAGE = _(
    "Nothing was changed yet. Read what will happen, then confirm on this page."
)


def is_confirmed(request) -> bool:
    """True when the POST came from a confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRMED


class ConfirmationForm(forms.Form):
    """A form whose POST counts only when sent from its confirmation page. Forms that also ask
    something (a reason) subclass it."""

    confirm = forms.CharField(widget=forms.HiddenInput, initial=CONFIRMED, required=False)

    def clean_confirm(self):
        if self.cleaned_data.get("confirm") != CONFIRMED:
            raise ValidationError(UNCONFIRMED_MESSAGE, code="unconfirmed")
        return CONFIRMED

    @property
    def unconfirmed(self) -> bool:
        return self.is_bound and self.has_error("confirm", code="unconfirmed")


class ConfirmActionMixin:
    """For a view with no other input: GET and an unconfirmed POST render the confirmation
    page (`template_name`, context from `get_context_data`); a confirmed POST calls `act()`."""

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**kwargs))

    def post(self, request, *args, **kwargs):
        if not is_confirmed(request):
            context = self.get_context_data(**kwargs)
            context["unconfirmed"] = True
            return self.render_to_response(context)
        return self.act()

    def act(self):  # pragma: no cover - every subclass defines it
        raise NotImplementedError
