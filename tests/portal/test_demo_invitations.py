import io

from apps.invitations.models import Delivery, Invitation
from apps.portal.demo import invitations as demo


def test_the_demo_seeds_two_contoso_invitations_once(
    cast, services, django_capture_on_commit_callbacks
):
    partners = {"contoso": cast.provider, "fabrikam": cast.reseller}
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(partners=partners, customer=cast.customer, stdout=io.StringIO())
        demo.seed(partners=partners, customer=cast.customer, stdout=io.StringIO())
    for_fabrikam = Invitation.objects.get(reseller=cast.reseller)
    assert for_fabrikam.requests_dap
    assert {s.code for s in for_fabrikam.services.all()} == {"office365", "azure"}
    assert for_fabrikam.dap_recipient == cast.reseller
    own = Invitation.objects.get(reseller__isnull=True)
    assert own.kind == Invitation.Kind.OPEN and own.provider == cast.provider
    delivery = Delivery.objects.get()
    assert delivery.invitation == for_fabrikam
    assert delivery.email == cast.customer_admin.email
    assert delivery.sent_at is not None
