"""The agency's work queue and the supervisor's view of it. Reads only, always scoped by who asks: staff see
their own agency's applications and nothing of another's, whatever they put in the address."""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from bawaba.accounts.models import StaffRole, User
from bawaba.catalogue.models import Service
from bawaba.core.business_calendar import calendar_from_settings
from bawaba.core.i18n import pick
from bawaba.core.paging import page_get

from .deadlines import SlaStanding, sla_filter
from .models import Application
from .permissions import can_see_agency_queue, can_supervise_agency_queue
from .service_parts import FILEABLE_KINDS, workflow_for

__all__ = [
    "ASSIGNEE_FILTERS",
    "QUEUE_PAGE_SIZE",
    "SLA_FILTERS",
    "STATE_ALL",
    "STATE_CLOSED",
    "OfficerLoad",
    "QueueFilters",
    "TeamOverview",
    "agency_caseworkers",
    "queue_page",
    "queue_services",
    "queue_states",
    "team_list",
    "team_overview",
]

QUEUE_PAGE_SIZE = 25
ASSIGNEE_FILTERS = ("mine", "unassigned")
SLA_FILTERS = tuple(s.value for s in SlaStanding if s != SlaStanding.STOPPED)
STATE_ALL, STATE_CLOSED = "all", "closed"  # besides a state's code; no state means the open ones


@dataclass(frozen=True)
class QueueFilters:
    service: str = ""  # a service code
    state: str = ""  # "" the open ones, STATE_CLOSED, STATE_ALL, or a state's code
    sla: str = ""  # one of SLA_FILTERS
    assignee: str = ""  # one of ASSIGNEE_FILTERS; "" anyone


def _agency_applications(viewer: User, agency: str) -> QuerySet[Application]:
    if not can_see_agency_queue(viewer, agency=agency):
        return Application.objects.none()
    # The applicant's side never sees their own case as staff: the same rule as `permissions.staff_role_on`.
    return Application.objects.filter(agency=agency).exclude(applicant=viewer).exclude(filed_by=viewer)


def _allowed(agency: str) -> list[int]:
    """The SLAs of the agency's services, in working days: where "at risk" begins depends on each."""
    return list(
        Service.objects.filter(agency__code=agency).values_list("sla_working_days", flat=True).distinct()
    )


def _sorted(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.order_by(F("due_on").asc(nulls_last=True), "submitted_at", "pk")


def queue_page(
    *, viewer: User, agency: str, filters: QueueFilters, page: int = 1, today: date | None = None
) -> Page:
    """The agency's applications the filters select, the soonest due first, then the longest waiting."""
    applications = (
        _agency_applications(viewer, agency)
        .select_related("service", "assignee", "proposed_by")
        .prefetch_related("service_version")
    )
    if filters.service:
        applications = applications.filter(service__code=filters.service)
    if filters.state == "":
        applications = applications.filter(closed_at__isnull=True)
    elif filters.state == STATE_CLOSED:
        applications = applications.filter(closed_at__isnull=False)
    elif filters.state != STATE_ALL:
        applications = applications.filter(state=filters.state)
    if filters.sla:
        applications = applications.filter(
            sla_filter(SlaStanding(filters.sla), allowed=_allowed(agency), today=today)
        )
    if filters.assignee == "mine":
        applications = applications.filter(assignee=viewer)
    elif filters.assignee == "unassigned":
        applications = applications.filter(assignee__isnull=True)
    return page_get(_sorted(applications), page, QUEUE_PAGE_SIZE)


def queue_services(*, viewer: User, agency: str) -> list[Service]:
    """The agency's services that take applications, for the queue's filter."""
    if not can_see_agency_queue(viewer, agency=agency):
        return []
    return list(Service.objects.filter(agency__code=agency, kind__in=FILEABLE_KINDS).order_by("code"))


def queue_states(*, viewer: User, agency: str) -> list[tuple[str, str]]:
    """(code, label in the current language) of every state in the workflows of the agency's services."""
    states: dict[str, str] = {}
    for service in queue_services(viewer=viewer, agency=agency):
        if service.current_version_id is None:
            continue
        for code, state in workflow_for(service.current_version).states.items():
            states.setdefault(code, pick(state.label))
    return sorted(states.items(), key=lambda item: item[1])


def agency_caseworkers(*, viewer: User, agency: str) -> list[User]:
    """The agency's active officers and supervisors, whom applications can be assigned to."""
    if not can_see_agency_queue(viewer, agency=agency):
        return []
    return list(
        User.objects.filter(
            is_active=True,
            staff_memberships__agency=agency,
            staff_memberships__role__in=[StaffRole.OFFICER, StaffRole.SUPERVISOR],
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@dataclass
class OfficerLoad:
    user: User
    open: int = 0
    breached: int = 0
    at_risk: int = 0


@dataclass
class TeamOverview:
    load: list[OfficerLoad] = field(default_factory=list)
    open: int = 0
    unassigned: int = 0
    breached: int = 0
    at_risk: int = 0
    paused: int = 0
    escalated: int = 0  # breached and flagged by the SLA sweep


def team_overview(*, viewer: User, agency: str, today: date | None = None) -> TeamOverview | None:
    """For supervisors: each officer's open applications, and the agency's breached and at-risk ones."""
    if not can_supervise_agency_queue(viewer, agency=agency):
        return None
    today = today or timezone.localdate()
    calendar, allowed = calendar_from_settings(), _allowed(agency)
    breached = sla_filter(SlaStanding.BREACHED, allowed=allowed, today=today, calendar=calendar)
    at_risk = sla_filter(SlaStanding.AT_RISK, allowed=allowed, today=today, calendar=calendar)
    open_ones = Application.objects.filter(agency=agency, closed_at__isnull=True)
    counts = open_ones.aggregate(
        open=Count("pk"),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        breached=Count("pk", filter=breached),
        at_risk=Count("pk", filter=at_risk),
        paused=Count("pk", filter=sla_filter(SlaStanding.PAUSED, allowed=allowed)),
        escalated=Count("pk", filter=breached & Q(sla_breached_at__isnull=False)),
    )
    per_officer = {
        row["assignee"]: row
        for row in open_ones.filter(assignee__isnull=False)
        .values("assignee")
        .annotate(
            open=Count("pk"),
            breached=Count("pk", filter=breached),
            at_risk=Count("pk", filter=at_risk),
        )
    }
    people = {user.pk: user for user in agency_caseworkers(viewer=viewer, agency=agency)}
    # Someone who left the agency may still hold applications: they show, so they can be reassigned.
    missing = set(per_officer) - set(people)
    people.update({user.pk: user for user in User.objects.filter(pk__in=missing)})
    load = [
        OfficerLoad(
            user,
            per_officer.get(pk, {}).get("open", 0),
            per_officer.get(pk, {}).get("breached", 0),
            per_officer.get(pk, {}).get("at_risk", 0),
        )
        for pk, user in people.items()
    ]
    load.sort(
        key=lambda entry: (-entry.breached, -entry.open, entry.user.get_full_name() or entry.user.username)
    )
    return TeamOverview(load=load, **counts)


def team_list(
    *, viewer: User, agency: str, standing: SlaStanding, limit: int = 50, today: date | None = None
) -> list[Application]:
    """For supervisors: the agency's open applications in that standing (breached, at risk), soonest due first."""
    if not can_supervise_agency_queue(viewer, agency=agency):
        return []
    applications = Application.objects.filter(agency=agency, closed_at__isnull=True).filter(
        sla_filter(standing, allowed=_allowed(agency), today=today)
    )
    applications = applications.select_related("service", "assignee", "proposed_by")
    return list(_sorted(applications.prefetch_related("service_version"))[:limit])
