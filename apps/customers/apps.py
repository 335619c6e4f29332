from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "apps.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from apps.accounts.organizations import register_organization_provider

        from .selectors import customer_organization_links

        register_organization_provider(customer_organization_links)
