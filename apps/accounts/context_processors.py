from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .organizations import organizations_for_request


def portal(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        # lazy: only pages that render the switcher pay for the queries, and once per request
        # (the dashboard's view asks for the same list)
        "user_organizations": SimpleLazyObject(lambda: organizations_for_request(request)),
    }
