"""Bulk actions on the invitation list: revoke or extend the selected invitations, always
through a confirmation page that lists them and says what will happen (issue 16, point 10).

Step 1 (POST from the list, no `confirm`): the confirmation page. Step 2 (POST with
`confirm`): the same service as the single-invitation pages, once per invitation, each in its
own transaction; one that cannot be changed (revoked meanwhile, used up) is reported and the
others still go through. Only the provider's own invitations are ever touched.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from apps.partners.mixins import PartnerMixin

from .selectors import invitations_to_manage
from .services import invitation_extend, invitation_revoke

ACTIONS = ("revoke", "extend")
EXTEND_DAYS = (7, 30, 90)


class InvitationBulkView(PartnerMixin, View):
    permission = "invitations.manage"
    http_method_names = ["post"]

    def list_url(self) -> str:
        url = reverse("invitations:list", kwargs={"partner_id": self.partner.public_id})
        query = self.request.POST.get("return_query", "")
        return f"{url}?{query}" if query and "\x00" not in query else url

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        days = self.days()
        ids = [value for value in request.POST.getlist("invitation") if value.isalnum()]
        invitations = list(invitations_to_manage(partner=self.partner, public_ids=ids))
        if action not in ACTIONS or days is None:
            messages.error(request, _("Choose what to do with the selected invitations."))
            return redirect(self.list_url())
        if not invitations:
            messages.error(request, _("Select at least one of your invitations first."))
            return redirect(self.list_url())
        if not request.POST.get("confirm"):
            return render(
                request,
                "invitations/bulk_confirm.html",
                {
                    "partner": self.partner,
                    "membership": self.membership,
                    "action": action,
                    "days": days,
                    "invitations": invitations,
                    "return_query": request.POST.get("return_query", ""),
                    "cancel_url": self.list_url(),
                },
            )
        done, refused = 0, []
        for invitation in invitations:
            try:
                if action == "revoke":
                    invitation_revoke(invitation=invitation, by=request.user)
                else:
                    invitation_extend(invitation=invitation, by=request.user, days=days)
            except ValidationError as exc:
                refused.append(f"{invitation.public_id}: {' '.join(exc.messages)}")
            else:
                done += 1
        if done:
            text = (
                ngettext(
                    "%(count)s invitation revoked: its links no longer work.",
                    "%(count)s invitations revoked: their links no longer work.",
                    done,
                )
                if action == "revoke"
                else ngettext(
                    "%(count)s invitation extended by %(days)s days.",
                    "%(count)s invitations extended by %(days)s days.",
                    done,
                )
            )
            messages.success(request, text % {"count": done, "days": days})
        for line in refused:
            messages.warning(request, _("Not changed: %(reason)s") % {"reason": line})
        return redirect(self.list_url())

    def days(self) -> int | None:
        value = self.request.POST.get("days", "") or "30"
        try:
            days = int(value)
        except ValueError:
            return None
        return days if days in EXTEND_DAYS else None
