from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.confirm import ConfirmationForm
from apps.partners.models import Partner

from .models import Customer, CustomerRole, Service
from .selectors import grant_eligible_partners


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_kind_display()} · {obj.public_id}"


class GrantForm(forms.Form):
    """Choose who holds delegated admin for a service, and with which scopes."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        to_field_name="code",
        label=_("Service"),
        empty_label=_("Choose a service"),
    )
    partner = PartnerChoiceField(
        queryset=Partner.objects.none(),
        to_field_name="public_id",
        label=_("Partner"),
        empty_label=_("Choose a partner"),
        help_text=_(
            "The partners you work with: your providers and the resellers you came through. "
            "To give delegated admin to another partner, ask it by its partner ID. Only one "
            "partner holds delegated admin for a service at a time."
        ),
    )
    provisioning = forms.BooleanField(
        label=_("Provisioning"),
        required=False,
        help_text=_("Create and change users, licenses and resources."),
    )
    support = forms.BooleanField(
        label=_("Support"),
        required=False,
        help_text=_("Open and manage support requests on your behalf."),
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(is_active=True)
        self.fields["partner"].queryset = grant_eligible_partners(customer)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("provisioning") or cleaned.get("support")):
            raise forms.ValidationError(_("Choose at least one scope: provisioning or support."))
        return cleaned


class GrantRemoveForm(ConfirmationForm):
    note = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The partner receives this reason by email."),
    )


class RelationshipEndForm(ConfirmationForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer and the partners concerned receive this reason by email."),
    )


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search customers"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, tenant domain or customer ID"), "type": "search"}
        ),
    )


class CustomerFilterForm(CustomerSearchForm):
    """The customer list's search and filters (GET). A value that is not offered makes the
    form invalid, and an invalid form filters nothing (the whole list is shown)."""

    reseller = forms.ChoiceField(label=_("Reseller"), required=False)
    service = forms.ChoiceField(label=_("Delegated admin for"), required=False)
    status = forms.ChoiceField(
        label=_("Delegated admin"),
        required=False,
        choices=[
            ("", _("Any")),
            ("delegated", _("You or your resellers hold some")),
            ("not_delegated", _("None held")),
            ("delegated_only", _("Delegated admin only, no relationship")),
        ],
    )

    def __init__(self, *args, partner, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        if partner.is_provider:
            self.fields["reseller"].choices = [
                ("", _("Any")),
                ("direct", _("None (direct)")),
                *((r.public_id, r.name) for r in choices["resellers"]),
            ]
        else:
            del self.fields["reseller"]
        self.fields["service"].choices = [("", _("Any service"))] + [
            (s.code, s.display_name) for s in choices["services"]
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {"search": "", "reseller": "", "service": "", "status": ""}
        data = self.cleaned_data
        return {
            "search": (data.get("q") or "").strip(),
            "reseller": data.get("reseller") or "",
            "service": data.get("service") or "",
            "status": data.get("status") or "",
        }


class CustomerOrganizationForm(forms.Form):
    """The customer organization created while accepting an invitation."""

    organization_name = forms.CharField(label=_("Organization name"), max_length=200)
    tenant_domain = forms.CharField(
        label=_("Tenant domain"),
        max_length=253,
        help_text=_(
            "Your organization's domain in the cloud, for example contoso.partner.onmschina.cn."
        ),
    )


class CustomerTeamInviteForm(forms.Form):
    """A Customer admin invites a colleague into the customer organization's team."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CustomerRole.choices,
        initial=CustomerRole.READER,
        widget=forms.RadioSelect,
        help_text=_(
            "Customer admins do everything, including the team. Readers see relationships, "
            "delegated admin and activity, and change nothing."
        ),
    )


class OperatorVerifyForm(forms.Form):
    """Operator staff verify a tenant after an out-of-band check."""

    note = forms.CharField(
        label=_("How was the tenant checked?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who confirmed that this organization owns the tenant, and how."),
    )
