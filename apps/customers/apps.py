from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "apps.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from apps.accounts.organizations import register_organization_provider
        from apps.partners.home import register_home_section

        from . import access
        from .selectors import customer_organization_links, home_section

        register_organization_provider(customer_organization_links)
        register_home_section(home_section)
        # the customer visibility link follows every saved relationship and grant
        access.connect()
