from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Service
from apps.partners.models import Partner

from .models import EFFECTIVE_STATUS_LABELS, Invitation
from .selectors import (
    NO_RESELLER,
    provider_filter_choices,
    reseller_choices_for,
    reseller_filter_choices,
)
from .services import MAX_RECIPIENTS_PER_SEND, MAX_USES_LIMIT, parse_email_list


class InvitationForm(forms.Form):
    """Issue an invitation (providers). The rules live in services.invitation_create."""

    reseller = forms.ModelChoiceField(
        label=_("Issued for"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("No reseller – our own link"),
        help_text=_(
            "Pick one of your active resellers to hand the invitation to them: they forward it "
            "to their customers, and they receive the delegated admin privileges."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Invitation.Kind.choices,
        initial=Invitation.Kind.OPEN,
        widget=forms.RadioSelect,
        help_text=_(
            "Open: one link any number of customers can use (you may set a limit). Personal: "
            "for one recipient's email address, used once."
        ),
    )
    recipient_email = forms.EmailField(
        label=_("Recipient email (personal invitations)"),
        required=False,
        help_text=_("A personal invitation works once, for this address only."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    send_to_recipient = forms.BooleanField(
        label=_("Email the invitation to the recipient now (personal invitations)"),
        required=False,
        initial=True,
    )
    requests_dap = forms.BooleanField(
        label=_("Request delegated admin privileges (DAP)"),
        required=False,
        help_text=_(
            "DAP lets a partner administer the customer's services on its behalf. It goes to "
            "the reseller the invitation is issued for, or to your organization when there is "
            "none. The customer sees what you ask and decides per service when accepting; at "
            "most one partner holds it per service."
        ),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dap_provisioning = forms.BooleanField(
        label=_("Scope: provisioning"),
        required=False,
        help_text=_(
            "Provisioning: set up and change the customer's services in their admin portal, "
            "such as adding users, assigning licences and changing settings."
        ),
    )
    dap_support = forms.BooleanField(
        label=_("Scope: support"),
        required=False,
        help_text=_(
            "Support: look after the customer's service health and open and follow support "
            "requests with the operator for them."
        ),
    )
    dap_duration_days = forms.IntegerField(label=_("Delegated admin lasts (days)"))  # __init__
    dap_auto_extend = forms.BooleanField(
        label=_("Propose auto-extension by 180 days"),
        required=False,
        help_text=_(
            "The customer sees it and can turn it off. Never for both scopes together: that is "
            "the highest privilege."
        ),
    )
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)  # see __init__
    max_uses = forms.IntegerField(
        label=_("Use limit (open invitations)"),
        required=False,
        min_value=1,
        max_value=MAX_USES_LIMIT,
        help_text=_("How many customers may accept it. Leave empty for no limit."),
    )
    message = forms.CharField(
        label=_("Message to the customer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the invitation page and in the emails."),
    )

    def __init__(self, *args, provider: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.fields["reseller"].queryset = reseller_choices_for(provider)
        self.fields["services"].queryset = Service.objects.filter(is_active=True)
        # Settings are read per form, so tests (and deployments) can change the bounds.
        self.fields["dap_duration_days"] = forms.IntegerField(
            label=_("Delegated admin lasts (days)"),
            min_value=settings.DAP_MIN_DAYS,
            max_value=settings.DAP_MAX_DAYS,
            initial=settings.DAP_DEFAULT_DURATION_DAYS,
            required=False,
            help_text=_("From 1 day to 730 days (two years), counted from the acceptance."),
        )
        self.fields["valid_days"] = forms.IntegerField(
            label=_("Valid for (days)"),
            min_value=1,
            max_value=settings.INVITATION_MAX_DAYS,
            initial=settings.INVITATION_DEFAULT_DAYS,
            help_text=_("At most %(max)s days.") % {"max": settings.INVITATION_MAX_DAYS},
        )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        personal = data["kind"] == Invitation.Kind.PERSONAL
        return {
            "reseller": data["reseller"],
            "kind": data["kind"],
            "recipient_email": data["recipient_email"],
            "requests_dap": data["requests_dap"],
            "services": list(data["services"]),
            "dap_provisioning": data["dap_provisioning"],
            "dap_support": data["dap_support"],
            "dap_duration_days": data["dap_duration_days"],
            "dap_auto_extend": data["dap_auto_extend"],
            "valid_days": data["valid_days"],
            "max_uses": data["max_uses"] if not personal else None,
            "message": data["message"],
            "send_to_recipient": personal and data["send_to_recipient"],
        }


class SendForm(forms.Form):
    """Email an invitation from the portal: one delivery (with its own link) per address."""

    emails = forms.CharField(
        label=_("Recipients"),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "email"}),
        # formatted per form (__init__): `lazy % values` here would fix the language at import
        help_text=_(
            "One or more email addresses, separated by commas or new lines (at most %(max)s)."
        ),
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Edit it as you like. The invitation link is added below it, unchanged."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["emails"]
        field.help_text = field.help_text % {"max": MAX_RECIPIENTS_PER_SEND}

    def clean_emails(self):
        return parse_email_list(self.cleaned_data["emails"])


STATUS_CHOICES = [("", _("Any status")), *EFFECTIVE_STATUS_LABELS.items()]
KIND_CHOICES = [("", _("Any kind")), *Invitation.Kind.choices]


class InvitationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    reseller = forms.ChoiceField(label=_("Reseller"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)

    def __init__(self, *args, partner: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        if partner.is_provider:
            del self.fields["provider"]
            self.fields["reseller"].choices = [
                ("", _("Any")),
                (NO_RESELLER, _("Our own links (no reseller)")),
                *((p.public_id, p.name) for p in reseller_filter_choices(partner)),
            ]
        else:
            del self.fields["reseller"]
            self.fields["provider"].choices = [
                ("", _("Any")),
                *((p.public_id, p.name) for p in provider_filter_choices(partner)),
            ]
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else None
            field.widget.attrs["class"] = css or "form-control form-control-sm"

    def filters(self) -> dict:
        """Valid filters only; an unknown value in the query string is ignored, not a 500."""
        if not self.is_valid():
            data = {}
            for name in self.fields:
                value = self.data.get(name, "")
                try:
                    data[name] = self.fields[name].clean(value)
                except ValidationError:
                    data[name] = ""
        else:
            data = self.cleaned_data
        return {
            "search": data.get("q", ""),
            "status": data.get("status", ""),
            "kind": data.get("kind", ""),
            "reseller": data.get("reseller", ""),
            "provider": data.get("provider", ""),
        }


class LinkRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What do you need?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Which customer the link is for, whether it should be personal (one recipient) or "
            "open, and which services need delegated admin for provisioning or support."
        ),
    )
