from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .organizations import organizations_for


def portal(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        # lazy: only pages that render the switcher pay for the query
        "user_organizations": SimpleLazyObject(
            lambda: organizations_for(user) if user is not None else []
        ),
    }
