"""Reading accounts, always for the person asking."""

from bawaba.audit.models import AuditEntry

from .models import User

# The audit actions a citizen sees in their security log, and how the page names them.
SECURITY_ACTIONS = (
    "accounts.citizen.registered",
    "accounts.mobile.verified",
    "accounts.signed-in",
    "accounts.certificate.used",
    "accounts.sign-in.failed",
    "accounts.stepped-up",
    "accounts.mandate.granted",
    "accounts.mandate.revoked",
    "accounts.acting-for.started",
    "accounts.password.changed",
    "accounts.password.reset",
    "accounts.mobile.changed",
    "accounts.email.changed",
    "accounts.authenticator.added",
    "accounts.passkey.added",
    "accounts.passkey.removed",
    "accounts.passkey.used",
    "accounts.passkey.refused",
    "accounts.passkey.clone-suspected",
    "accounts.signed-out-everywhere",
    "accounts.registration.repeated",
)


def security_log(*, user: User, limit: int = 20) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            subject_type="user", subject_id=str(user.uuid), action__in=SECURITY_ACTIONS
        ).order_by("-sequence")[:limit]
    )
