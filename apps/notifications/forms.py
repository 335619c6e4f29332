from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import optional_kinds


class EmailPreferencesForm(forms.Form):
    """One checkbox per optional kind: email me about it."""

    email = forms.MultipleChoiceField(
        label=_("Email me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].choices = [(k.code, k.label) for k in optional_kinds()]
