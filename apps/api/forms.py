from django import forms
from django.utils.translation import gettext_lazy as _

from apps.partners.permissions import Role

from .events import event_type_choices


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Optional. After this day the key stops working."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("https, on a public address. We sign every delivery (Standard Webhooks)."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_type_choices,
        widget=forms.CheckboxSelectMultiple,
    )
