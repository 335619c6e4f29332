"""Forms of delegated admin requests and of a grant's lifetime."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Service


def duration_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Duration (days)"),
        min_value=settings.DAP_MIN_DAYS,
        max_value=settings.DAP_MAX_DAYS,
        initial=settings.DAP_DEFAULT_DURATION_DAYS,
        help_text=_("From 1 day to 730 days (two years)."),
        **kwargs,
    )


class DapRequestForm(forms.Form):
    """What delegated admin is asked for: services, scopes, duration, auto-extension."""

    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    provisioning = forms.BooleanField(
        label=_("Provisioning"),
        required=False,
        help_text=_("Create and change users, licenses and resources."),
    )
    support = forms.BooleanField(
        label=_("Support"),
        required=False,
        help_text=_("Open and manage support requests on the customer's behalf."),
    )
    auto_extend = forms.BooleanField(
        label=_("Auto-extend by 180 days at the end date"),
        required=False,
        help_text=_("Not possible with both scopes: that is the highest privilege."),
    )
    message = forms.CharField(
        label=_("Message"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.filter(is_active=True)
        self.fields["duration_days"] = duration_field()
        self.order_fields(["services", "provisioning", "support", "duration_days"])

    def request_arguments(self) -> dict:
        """What `dap_request_create` is asked (besides who asks whom)."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "services",
                "provisioning",
                "support",
                "duration_days",
                "auto_extend",
                "message",
            )
        }


class CustomerDapRequestForm(DapRequestForm):
    """The customer names the partner by the partner ID it was given (never from a list)."""

    partner_id = forms.CharField(
        label=_("Partner ID"),
        max_length=16,
        help_text=_("The partner ID the partner gave you, for example P7K2M9QX."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["partner_id", "services", "provisioning", "support", "duration_days"])

    def clean_partner_id(self):
        return self.cleaned_data["partner_id"].strip().upper()


class GrantLifetimeForm(forms.Form):
    """A new end date (counted from today) and auto-extension."""

    auto_extend = forms.BooleanField(
        label=_("Auto-extend by 180 days at the end date"), required=False
    )

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_days"] = duration_field(required=False)
        self.fields["duration_days"].label = _("New end date: days from today")
        self.fields["duration_days"].initial = None
        self.fields["duration_days"].help_text = _(
            "Leave empty to keep the end date. From 1 day to 730 days (two years)."
        )
        self.order_fields(["duration_days", "auto_extend"])
        if grant.is_highest_privilege:
            self.fields["auto_extend"].disabled = True
            self.fields["auto_extend"].help_text = _(
                "Delegated admin with both provisioning and support never extends itself."
            )


class RelinquishForm(forms.Form):
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer receives this reason by email."),
    )
