from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "apps.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from apps.accounts.organizations import register_organization_provider
        from apps.accounts.signups import register_signup_purpose

        from .selectors import partner_organization_links
        from .views.links import RESELLER_SIGNUP, complete_reseller_signup

        register_organization_provider(partner_organization_links)
        register_signup_purpose(RESELLER_SIGNUP, complete_reseller_signup)
