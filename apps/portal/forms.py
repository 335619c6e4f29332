from django import forms
from django.utils.translation import gettext_lazy as _

from apps.audit.actions import action_label, actions_for_audience

from .selectors import ActivityFilters, distinct_actions


class ActivityFilterForm(forms.Form):
    """The filters of an organization's activity page (GET)."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, audience: str = "partner", **kwargs):
        super().__init__(*args, **kwargs)
        # Only what can concern this kind of organization and has happened at least once,
        # labelled in the reader's language and sorted by that label.
        offered = set(actions_for_audience(audience)).intersection(distinct_actions())
        self.fields["action"].choices = [("", _("All actions"))] + sorted(
            ((action, action_label(action)) for action in offered), key=lambda c: str(c[1])
        )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return cleaned

    def filters(self) -> ActivityFilters:
        """What to show: the valid filters, or everything when the form has errors."""
        if not self.is_valid():
            return ActivityFilters()
        return ActivityFilters(
            action=self.cleaned_data.get("action") or "",
            date_from=self.cleaned_data.get("date_from"),
            date_to=self.cleaned_data.get("date_to"),
        )
