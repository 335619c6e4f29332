import pytest

from apps.invitations.services import invitation_create

from .builders import make_invitation


class FailingEmailBackend:
    """An email backend whose server is always down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server is down")


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = "tests.invitations.conftest.FailingEmailBackend"


@pytest.fixture
def dap_invitation(cast, services):
    """Contoso → Fabrikam, open, asking DAP (provisioning + support) for Office 365 and Azure."""
    return invitation_create(
        provider=cast.provider,
        by=cast.provider_admin,
        reseller=cast.reseller,
        requests_dap=True,
        services=[services["office365"], services["azure"]],
        dap_provisioning=True,
        dap_support=True,
        message="Welcome aboard",
    )


@pytest.fixture
def own_invitation(cast):
    """Contoso's own open link (no reseller)."""
    return make_invitation(cast.provider)
