from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.forms import SignUpForm
from apps.core.confirm import ConfirmationForm

from .models import Partner, Role
from .selectors import reseller_organizations_administered_by


class TeamInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.SALES_AGENT,
        help_text=_(
            "Global admin: everything, including users and resellers. Admin agent: invitations, "
            "customers, delegated admin. Sales agent: create and send invitations, view "
            "customers. Helpdesk agent: view customers and what the organization may administer."
        ),
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class EndPartnershipForm(ConfirmationForm):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Both organizations can read it."),
    )


class ResellerInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of the reseller's Global admin"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    reseller_partner_id = forms.CharField(
        label=_("Reseller's partner ID (optional)"),
        required=False,
        max_length=16,
        help_text=_(
            "If the reseller already uses this portal, enter its partner ID so that only that "
            "organization can accept. Leave empty to let the recipient choose or sign up."
        ),
    )

    def clean_reseller_partner_id(self) -> Partner | None:
        value = (self.cleaned_data.get("reseller_partner_id") or "").strip().upper()
        if not value:
            return None
        partner = Partner.objects.filter(public_id=value).first()
        if partner is None:
            raise forms.ValidationError(
                _("No organization has the partner ID %(id)s. Check it with the reseller.")
                % {"id": value}
            )
        return partner


class PartnerProfileForm(forms.Form):
    name = forms.CharField(label=_("Organization name"), max_length=200)
    contact_email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        help_text=_("Where providers, resellers and the operator can reach the organization."),
    )


class PartnerMFAForm(forms.Form):
    require_mfa = forms.BooleanField(
        label=_("Require two-step verification for our team"),
        required=False,
        help_text=_(
            "Members without it are asked to set it up before they can open any page of the "
            "organization."
        ),
    )


class PartnerCreateForm(forms.Form):
    """Operator staff: a new partner organization and its first Global admin."""

    name = forms.CharField(label=_("Organization name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Partner.Kind.choices)
    first_admin_email = forms.EmailField(
        label=_("First Global admin's email"),
        help_text=_("They receive a link to set a password and join the organization."),
    )
    contact_email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        help_text=_("Defaults to the first Global admin's email."),
    )
    country = forms.CharField(label=_("Country code"), max_length=2, initial="CN")
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Partner.Status.ACTIVE, _("Active (approved now)")),
            (Partner.Status.PENDING, _("Pending (approve later)")),
        ],
        initial=Partner.Status.ACTIVE,
    )


class TeamSignUpForm(SignUpForm):
    """Sign-up while accepting a team invitation: the account's email is the invited one."""

    def __init__(self, *args, invited_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].disabled = True
        self.fields["email"].initial = invited_email
        self.fields["email"].help_text = _("The invitation was sent to this address.")


class ResellerSignUpForm(SignUpForm):
    """Sign-up while accepting a provider's invitation: an account and a new reseller
    organization with the new user as its Global admin."""

    organization_name = forms.CharField(
        label=_("Your reseller organization's name"), max_length=200
    )

    field_order = ["organization_name", "display_name", "email", "password1", "password2"]


NEW_ORGANIZATION = "new"


class PartnershipAcceptForm(forms.Form):
    """A signed-in user picks the reseller organization to accept for, or names a new one."""

    organization = forms.ChoiceField(label=_("Accept for"), widget=forms.RadioSelect)
    organization_name = forms.CharField(
        label=_("Name of the new reseller organization"), max_length=200, required=False
    )

    def __init__(self, *args, user, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        resellers = list(reseller_organizations_administered_by(user))
        if partnership.reseller_id:
            resellers = [r for r in resellers if r.pk == partnership.reseller_id]
        self.resellers = {r.public_id: r for r in resellers}
        choices = [(r.public_id, f"{r.name} ({r.public_id})") for r in resellers]
        if not partnership.reseller_id:
            choices.append((NEW_ORGANIZATION, _("A new reseller organization")))
        else:
            del self.fields["organization_name"]
        self.fields["organization"].choices = choices
        if len(choices) == 1:
            self.fields["organization"].initial = choices[0][0]

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("organization")
        cleaned["reseller"] = self.resellers.get(choice)
        if choice == NEW_ORGANIZATION and not (cleaned.get("organization_name") or "").strip():
            self.add_error("organization_name", _("Name the new reseller organization."))
        return cleaned
