"""Sign-ins, sign-outs and failed sign-ins go to the audit log like every other change."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from apps.audit.services import audit_record


@receiver(user_logged_in, dispatch_uid="accounts_audit_signed_in")
def audit_signed_in(sender, request, user, **kwargs):
    with transaction.atomic():
        audit_record(action="account.signed_in", actor=user, target=user)


@receiver(user_logged_out, dispatch_uid="accounts_audit_signed_out")
def audit_signed_out(sender, request, user, **kwargs):
    if user is None:  # the session had already expired
        return
    with transaction.atomic():
        audit_record(action="account.signed_out", actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="accounts_audit_sign_in_failed")
def audit_sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials`; keep only the email typed.
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    with transaction.atomic():
        audit_record(
            action="account.sign_in_failed",
            target_repr=email,
            data={"email": email},
        )
