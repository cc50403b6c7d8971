"""Acting for someone else: who may act for whom, for which services, until when; and recording it.

Every action taken under a delegation records both the agent (actor) and the principal (on behalf of), and
the principal sees it in their own log.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record
from bawaba.core.ratelimit import Limit, hit

from .models import Delegation, User
from .national_id import clean

__all__ = [
    "DelegationRefused",
    "acting_for",
    "acting_for_start",
    "acting_for_stop",
    "delegation_active",
    "delegation_allows",
    "delegation_given",
    "delegation_record",
    "mandate_grant",
    "mandate_revoke",
    "recorded_by_agency",
]

GRANT_LIMIT = Limit("mandate-grant", attempts=10, window_seconds=3600)


class DelegationRefused(Exception):
    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Scope:
    """The pure part: is a delegation in force now, and does it cover a service."""

    services: tuple[str, ...]
    valid_from: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def in_force(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.valid_from <= now
            and (self.expires_at is None or now < self.expires_at)
        )

    def covers(self, service_code: str) -> bool:
        return not self.services or service_code in self.services


def _scope(delegation: Delegation) -> Scope:
    return Scope(
        tuple(delegation.services), delegation.valid_from, delegation.expires_at, delegation.revoked_at
    )


def delegation_allows(delegation: Delegation, *, service_code: str, now: datetime | None = None) -> bool:
    scope = _scope(delegation)
    return scope.in_force(now or timezone.now()) and scope.covers(service_code)


def _in_force(delegations, now: datetime | None) -> list[Delegation]:
    now = now or timezone.now()
    return [d for d in delegations.filter(revoked_at=None) if _scope(d).in_force(now)]


def delegation_active(*, agent: User, now: datetime | None = None) -> list[Delegation]:
    """The delegations an agent may act under now."""
    return _in_force(Delegation.objects.filter(agent=agent), now)


def delegation_given(*, principal: User, now: datetime | None = None) -> list[Delegation]:
    """The delegations in force that let others act for this person."""
    return _in_force(Delegation.objects.filter(principal=principal).select_related("agent"), now)


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


@transaction.atomic
def mandate_grant(
    *, principal: User, agent_national_id: str, services: list[str], expires_on: date
) -> Delegation:
    """An adult lets another citizen act for them, for some services, until a date."""
    if not hit(GRANT_LIMIT, str(principal.uuid)).allowed:
        raise DelegationRefused("too-many")
    agent = User.objects.filter(national_id=clean(agent_national_id), is_active=True).first()
    if agent is None:
        raise DelegationRefused("no-such-citizen")
    if agent == principal:
        raise DelegationRefused("self")
    if expires_on <= timezone.localdate():
        raise DelegationRefused("expiry-in-the-past")
    delegation = Delegation.objects.create(
        kind=Delegation.Kind.MANDATE,
        agent=agent,
        principal=principal,
        principal_identifier=principal.national_id or "",
        principal_name=principal.get_full_name() or principal.national_id or principal.username,
        services=sorted(set(services)),
        expires_at=_end_of(expires_on),
        recorded_by=f"user:{principal.uuid}",
    )
    audit_record(
        action="accounts.mandate.granted",
        actor=f"user:{principal.uuid}",
        subject_type="user",
        subject_id=str(principal.uuid),
        data={"agent": str(agent.uuid), "services": delegation.services},
    )
    return delegation


@transaction.atomic
def mandate_revoke(*, principal: User, delegation_uuid) -> None:
    delegation = (
        Delegation.objects.select_for_update().filter(uuid=delegation_uuid, principal=principal).first()
    )
    if delegation is None:
        raise DelegationRefused("not-yours")
    if delegation.revoked_at is None:
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_record(
            action="accounts.mandate.revoked",
            actor=f"user:{principal.uuid}",
            subject_type="user",
            subject_id=str(principal.uuid),
            data={"delegation": str(delegation.uuid)},
        )


def recorded_by_agency(agency: str) -> str:
    """How `Delegation.recorded_by` starts for everything an agency's staff recorded: the agency's lists."""
    return f"agency:{agency}/"


@transaction.atomic
def delegation_record(
    *,
    recorded_by: User,
    agency: str,
    kind: str,
    agent: User,
    principal_identifier: str,
    principal_name: str,
    evidence: str,
    expires_on: date | None = None,
    principal: User | None = None,
) -> Delegation:
    """A delegation recorded by an agency's staff from papers (a birth record, a company's register).

    The caller checks the role (see recorded_delegations); `agency` is the agency the staff member acted for.
    """
    if kind == Delegation.Kind.MANDATE:
        raise DelegationRefused("mandates-are-granted-by-the-principal")
    if not evidence.strip():
        raise DelegationRefused("evidence-needed")
    if not agency:
        raise DelegationRefused("agency-needed")
    delegation = Delegation.objects.create(
        kind=kind,
        agent=agent,
        principal=principal,
        principal_identifier=principal_identifier,
        principal_name=principal_name,
        expires_at=_end_of(expires_on) if expires_on else None,
        recorded_by=f"{recorded_by_agency(agency)}user:{recorded_by.uuid}",
        evidence=evidence,
    )
    audit_record(
        action="accounts.delegation.recorded",
        actor=f"user:{recorded_by.uuid}",
        subject_type="user",
        subject_id=str(agent.uuid),
        data={"kind": kind, "principal": principal_identifier, "evidence": evidence, "agency": agency},
    )
    return delegation


ACTING_FOR_KEY = "bawaba_acting_for"


def acting_for_start(request, *, delegation_uuid) -> Delegation:
    """From now on this session acts for the delegation's principal; recorded for both people."""
    try:
        found = _in_force(Delegation.objects.filter(agent=request.user, uuid=delegation_uuid), None)
    except ValidationError:  # not a UUID
        found = []
    delegation = found[0] if found else None
    if delegation is None:
        raise DelegationRefused("not-yours")
    request.session[ACTING_FOR_KEY] = str(delegation.uuid)
    audit_record(
        action="accounts.acting-for.started",
        actor=f"user:{request.user.uuid}",
        on_behalf_of=delegation.principal_identifier,
        subject_type="user",
        subject_id=str(delegation.principal.uuid)
        if delegation.principal
        else delegation.principal_identifier,
        data={"delegation": str(delegation.uuid), "kind": delegation.kind},
    )
    return delegation


def acting_for_stop(request) -> None:
    request.session.pop(ACTING_FOR_KEY, None)


def acting_for(request) -> Delegation | None:
    """The delegation this session acts under, if it is still in force (revocation takes effect at once)."""
    key = request.session.get(ACTING_FOR_KEY)
    if not key or not request.user.is_authenticated:
        return None
    delegation = Delegation.objects.filter(uuid=key, agent=request.user).first()
    if delegation is None or not _scope(delegation).in_force(timezone.now()):
        request.session.pop(ACTING_FOR_KEY, None)
        return None
    return delegation
