"""Sessions: which ways in a session has completed (so its assurance level), and signing out everywhere."""

from django.contrib.auth import login, logout, update_session_auth_hash
from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record

from .assurance import Level, reached
from .models import User, UserSession
from .oidc import providers

METHODS_KEY = "bawaba_auth_methods"
SESSION_KEY = "bawaba_session"


def session_sign_in(request, *, user: User, methods: list[str]) -> None:
    # login() gives the session a new key: a session id planted before sign-in is worth nothing after it.
    login(request, user, backend="bawaba.accounts.backends.NationalIdBackend")
    methods = sorted(set(methods))
    with transaction.atomic():
        record = UserSession.objects.create(
            user=user,
            methods=methods,
            address=request.META.get("REMOTE_ADDR") or None,
            device=request.headers.get("user-agent", "")[:300],
        )
        audit_record(
            action="accounts.signed-in",
            actor=f"user:{user.uuid}",
            subject_type="user",
            subject_id=str(user.uuid),
            data={"methods": methods, "address": record.address},
        )
    request.session[METHODS_KEY] = methods
    request.session[SESSION_KEY] = str(record.uuid)


def session_add_method(request, method: str) -> None:
    methods = sorted({*request.session.get(METHODS_KEY, []), method})
    request.session[METHODS_KEY] = methods
    request.session.cycle_key()
    UserSession.objects.filter(uuid=request.session.get(SESSION_KEY)).update(methods=methods)
    audit_record(
        action="accounts.stepped-up",
        actor=f"user:{request.user.uuid}",
        subject_type="user",
        subject_id=str(request.user.uuid),
        data={"method": method},
    )


def session_level(request) -> Level:
    if not request.user.is_authenticated:
        return Level.NONE
    provider_levels = {provider.method: provider.level for provider in providers()}
    return reached(request.session.get(METHODS_KEY, []), provider_levels=provider_levels)


def session_sign_out(request) -> None:
    UserSession.objects.filter(uuid=request.session.get(SESSION_KEY), ended_at=None).update(
        ended_at=timezone.now()
    )
    logout(request)


@transaction.atomic
def sessions_end_all_others(request) -> int:
    """Sign the account out of every other session, wherever it runs; this one stays signed in."""
    user = User.objects.select_for_update().get(pk=request.user.pk)
    user.session_generation += 1
    user.save(update_fields=["session_generation"])
    update_session_auth_hash(request, user)
    ended = UserSession.objects.filter(user=user, ended_at=None).exclude(
        uuid=request.session.get(SESSION_KEY)
    )
    count = ended.update(ended_at=timezone.now())
    audit_record(
        action="accounts.signed-out-everywhere",
        actor=f"user:{user.uuid}",
        subject_type="user",
        subject_id=str(user.uuid),
        data={"sessions": count},
    )
    return count
