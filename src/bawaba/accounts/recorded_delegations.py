"""Delegations an agency's officers record from papers: parents of minors and company representatives.

Which agencies hold these powers is configuration (`BAWABA_CHILD_DELEGATION_AGENCIES`,
`BAWABA_COMPANY_DELEGATION_AGENCIES`). Every function checks the officer's role in the agency named, and an
agency sees and ends only what its own staff recorded. Ending one takes effect at once: `acting_for` drops a
delegation that is no longer in force on the next request.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from bawaba.audit.models import AuditEntry
from bawaba.audit.services import audit_record

from .delegation import DelegationRefused, delegation_record, recorded_by_agency
from .models import Delegation, User
from .national_id import InvalidNationalId, NationalId, clean, parse
from .permissions import (
    can_record_child_delegations,
    can_record_company_delegations,
    can_record_delegation_kind,
)
from .services import national_id_rule

__all__ = [
    "DelegationState",
    "RecordRefused",
    "RecordedDelegation",
    "child_delegation_record",
    "company_delegation_record",
    "delegation_end",
    "delegation_recorded_get",
    "delegations_recorded",
    "recorded_delegation_rows",
]

# Commercial registry numbers as offices write them: digits, letters, and / or - between them.
REGISTRY_NUMBER = re.compile(r"^[A-Z0-9](?:[A-Z0-9/-]{0,28}[A-Z0-9])?$")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class RecordRefused(DelegationRefused):
    """`field` names the input at fault: agent, principal, principal_name, evidence, expires_on, reason, or ""."""

    def __init__(self, problem: str, field: str = ""):
        super().__init__(problem)
        self.field = field


class DelegationState(StrEnum):
    IN_FORCE = "in-force"
    EXPIRED = "expired"
    ENDED = "ended"


@dataclass(frozen=True)
class RecordedDelegation:
    delegation: Delegation
    state: DelegationState
    end_reason: str


def _national_id(raw: str, *, field: str, today: date) -> NationalId:
    try:
        return parse(raw, national_id_rule(), today=today)
    except InvalidNationalId as exc:
        raise RecordRefused(exc.problem.value, field) from exc


def _citizen(number: str) -> User:
    citizen = User.objects.filter(national_id=number, is_active=True).first()
    if citizen is None:
        raise RecordRefused("no-such-citizen", "agent")
    return citizen


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February: the birthday falls on 1 March in other years
        return date(born.year + years, 3, 1)


def _text(value: str, *, problem: str, field: str, limit: int) -> str:
    text = " ".join(value.split())
    if not text:
        raise RecordRefused(problem, field)
    return text[:limit]


def _refuse_repeat(*, agent: User, kind: str, principal_identifier: str) -> None:
    now = timezone.now()
    in_force = Delegation.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        agent=agent,
        kind=kind,
        principal_identifier=principal_identifier,
        revoked_at=None,
        valid_from__lte=now,
    )
    if in_force.exists():
        raise RecordRefused("already-recorded", "principal")


@transaction.atomic
def child_delegation_record(
    *,
    officer: User,
    agency: str,
    parent_national_id: str,
    child_national_id: str,
    child_name: str,
    evidence: str,
    today: date | None = None,
) -> Delegation:
    """A parent or guardian of a minor, from the civil register; it ends on the child's coming of age."""
    if not can_record_child_delegations(officer, agency=agency):
        raise RecordRefused("not-allowed")
    today = today or timezone.localdate()
    parent = _national_id(parent_national_id, field="agent", today=today)
    child = _national_id(child_national_id, field="principal", today=today)
    if parent.number == child.number:
        raise RecordRefused("self", "principal")
    if child.birth_date is None:  # a rule without embedded birth dates cannot tell a minor
        raise RecordRefused("birth-date-unknown", "principal")
    of_age = _birthday(child.birth_date, settings.BAWABA_AGE_OF_MAJORITY)
    if of_age <= today:
        raise RecordRefused("not-a-minor", "principal")
    if parent.birth_date is not None and parent.birth_date >= child.birth_date:
        raise RecordRefused("parent-not-older", "agent")
    name = _text(child_name, problem="name-needed", field="principal_name", limit=200)
    proof = _text(evidence, problem="evidence-needed", field="evidence", limit=300)
    agent = _citizen(parent.number)
    _refuse_repeat(agent=agent, kind=Delegation.Kind.MINOR_CHILD, principal_identifier=child.number)
    return delegation_record(
        recorded_by=officer,
        agency=agency,
        kind=Delegation.Kind.MINOR_CHILD,
        agent=agent,
        principal=User.objects.filter(national_id=child.number).first(),
        principal_identifier=child.number,
        principal_name=name,
        evidence=proof,
        expires_on=of_age - timedelta(days=1),  # in force to the end of the day before the birthday
    )


def _registry_number(raw: str) -> str:
    number = "".join(raw.translate(_ARABIC_DIGITS).split()).upper()
    if not REGISTRY_NUMBER.match(number):
        raise RecordRefused("registry-number-format", "principal")
    return number


@transaction.atomic
def company_delegation_record(
    *,
    officer: User,
    agency: str,
    representative_national_id: str,
    registry_number: str,
    company_name: str,
    evidence: str,
    expires_on: date | None = None,
    today: date | None = None,
) -> Delegation:
    """A person who represents a company, from the commercial register; until a date, or until ended."""
    if not can_record_company_delegations(officer, agency=agency):
        raise RecordRefused("not-allowed")
    today = today or timezone.localdate()
    representative = _national_id(representative_national_id, field="agent", today=today)
    number = _registry_number(registry_number)
    name = _text(company_name, problem="name-needed", field="principal_name", limit=200)
    proof = _text(evidence, problem="evidence-needed", field="evidence", limit=300)
    if expires_on is not None and expires_on <= today:
        raise RecordRefused("expiry-in-the-past", "expires_on")
    agent = _citizen(representative.number)
    _refuse_repeat(agent=agent, kind=Delegation.Kind.COMPANY, principal_identifier=number)
    return delegation_record(
        recorded_by=officer,
        agency=agency,
        kind=Delegation.Kind.COMPANY,
        agent=agent,
        principal_identifier=number,
        principal_name=name,
        evidence=proof,
        expires_on=expires_on,
    )


def _recorded_here(agency: str) -> QuerySet[Delegation]:
    return Delegation.objects.filter(recorded_by__startswith=recorded_by_agency(agency))


def _kinds_seen(viewer: User, agency: str) -> list[str]:
    return [
        kind
        for kind in (Delegation.Kind.MINOR_CHILD, Delegation.Kind.COMPANY)
        if can_record_delegation_kind(viewer, agency=agency, kind=kind)
    ]


def delegations_recorded(*, viewer: User, agency: str, query: str = "") -> QuerySet[Delegation]:
    """What the agency's staff recorded, of the kinds the viewer may record there; newest first."""
    kinds = _kinds_seen(viewer, agency)
    if not kinds:
        return Delegation.objects.none()
    found = _recorded_here(agency).filter(kind__in=kinds).select_related("agent")
    if text := query.strip():
        found = found.filter(
            Q(principal_identifier__iexact="".join(text.translate(_ARABIC_DIGITS).split()))
            | Q(agent__national_id=clean(text))
            | Q(principal_name__icontains=text)
        )
    return found.order_by("-valid_from", "-pk")


def delegation_recorded_get(*, viewer: User, agency: str, delegation_uuid) -> Delegation | None:
    try:
        return (
            delegations_recorded(viewer=viewer, agency=agency)
            .filter(uuid=delegation_uuid)
            .select_related("agent")
            .first()
        )
    except ValidationError:  # not a UUID
        return None


def recorded_delegation_rows(delegations) -> list[RecordedDelegation]:
    """Each delegation with whether it is in force, and why it was ended (from the audit log)."""
    delegations = list(delegations)
    ended = [str(d.uuid) for d in delegations if d.revoked_at]
    reasons = {
        entry.data.get("delegation"): entry.data.get("reason", "")
        for entry in AuditEntry.objects.filter(action="accounts.delegation.ended", data__delegation__in=ended)
    }
    now = timezone.now()
    rows = []
    for delegation in delegations:
        if delegation.revoked_at:
            state = DelegationState.ENDED
        elif delegation.expires_at and delegation.expires_at <= now:
            state = DelegationState.EXPIRED
        else:
            state = DelegationState.IN_FORCE
        rows.append(RecordedDelegation(delegation, state, reasons.get(str(delegation.uuid), "")))
    return rows


@transaction.atomic
def delegation_end(*, officer: User, agency: str, delegation_uuid, reason: str) -> Delegation:
    """End a delegation the agency recorded (the papers were wrong, a court decided, the company said so)."""
    try:
        delegation = (
            _recorded_here(agency)
            .select_for_update()
            .filter(uuid=delegation_uuid)
            .select_related("agent")
            .first()
        )
    except ValidationError:
        delegation = None
    if delegation is None or not can_record_delegation_kind(officer, agency=agency, kind=delegation.kind):
        raise RecordRefused("not-found")
    why = _text(reason, problem="reason-needed", field="reason", limit=300)
    if delegation.revoked_at is not None:
        raise RecordRefused("already-ended")
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    audit_record(
        action="accounts.delegation.ended",
        actor=f"user:{officer.uuid}",
        subject_type="user",
        subject_id=str(delegation.agent.uuid),
        data={
            "delegation": str(delegation.uuid),
            "agency": agency,
            "kind": delegation.kind,
            "principal": delegation.principal_identifier,
            "reason": why,
        },
    )
    return delegation
