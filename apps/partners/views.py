from django.views.generic import TemplateView

from .mixins import PartnerMixin


class PartnerHomeView(PartnerMixin, TemplateView):
    """The organization's start page: what it can do next, by kind and role."""

    permission = "organization.view"
    template_name = "partners/home.html"
