from django.views.generic import TemplateView

from .mixins import CustomerMixin


class CustomerHomeView(CustomerMixin, TemplateView):
    template_name = "customers/home.html"
