"""Where an application stands against its SLA today, as the back office shows it and filters the queue by it.

The due date stored on an application (`due_on`) does not move while its clock runs, so "today" against that
date is all it takes: days left, at risk in the last fifth of the allowed time (as `workflows.sla` says), or
breached once a working day has passed after it. A weekend or a holiday after the due date breaches nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone

from bawaba.core.business_calendar import BusinessCalendar, calendar_from_settings
from bawaba.workflows.engine import Clock
from bawaba.workflows.sla import AT_RISK_SHARE

__all__ = [
    "SlaStanding",
    "SlaView",
    "at_risk_days",
    "last_working_day",
    "sla_filter",
    "sla_view",
    "working_days_before",
]


class SlaStanding(StrEnum):
    ON_TIME = "on-time"
    AT_RISK = "at-risk"
    BREACHED = "breached"
    PAUSED = "paused"  # waiting for the applicant: more information, payment
    STOPPED = "stopped"  # decided or finished


@dataclass(frozen=True)
class SlaView:
    standing: SlaStanding
    due_on: date | None
    # Working days left until the due date (on time, at risk) or gone past it (breached); None otherwise.
    days: int | None = None


def last_working_day(calendar: BusinessCalendar, day: date) -> date:
    """The day itself if the agency works that day, else the last working day before it."""
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_days_before(calendar: BusinessCalendar, day: date, days: int) -> date:
    """The working day `days` working days before `day` (counting back from its last working day)."""
    day = last_working_day(calendar, day)
    for _ in range(max(days, 0)):
        day = last_working_day(calendar, day - timedelta(days=1))
    return day


def at_risk_days(allowed: int) -> int:
    """With this many working days left or fewer, an application is at risk."""
    return int(max(1, allowed * AT_RISK_SHARE))


def sla_view(application, *, today: date | None = None, calendar: BusinessCalendar | None = None) -> SlaView:
    """`application` needs its service loaded (its allowed working days)."""
    if application.clock == Clock.PAUSED:
        return SlaView(SlaStanding.PAUSED, None)
    if application.clock == Clock.STOPPED or application.due_on is None:
        return SlaView(SlaStanding.STOPPED, None)
    calendar = calendar or calendar_from_settings()
    today = today or timezone.localdate()
    worked_up_to = last_working_day(calendar, today)
    due = application.due_on
    if due < worked_up_to:
        return SlaView(SlaStanding.BREACHED, due, calendar.working_days_between(due, worked_up_to))
    left = calendar.working_days_between(worked_up_to, due)
    if left <= at_risk_days(application.service.sla_working_days):
        return SlaView(SlaStanding.AT_RISK, due, left)
    return SlaView(SlaStanding.ON_TIME, due, left)


def sla_filter(
    standing: SlaStanding,
    *,
    allowed: Iterable[int],
    today: date | None = None,
    calendar: BusinessCalendar | None = None,
) -> Q:
    """The applications in that standing today, as a query; `allowed` lists the SLAs (working days) of the
    services concerned, since where "at risk" begins depends on each one."""
    if standing == SlaStanding.PAUSED:
        return Q(clock=Clock.PAUSED)
    if standing == SlaStanding.STOPPED:
        return Q(clock=Clock.STOPPED)
    calendar = calendar or calendar_from_settings()
    worked_up_to = last_working_day(calendar, today or timezone.localdate())
    running = Q(clock=Clock.RUNNING, due_on__isnull=False)
    if standing == SlaStanding.BREACHED:
        return running & Q(due_on__lt=worked_up_to)
    risky = Q(pk__in=[])
    for days in sorted(set(allowed)):
        risky |= Q(
            service__sla_working_days=days,
            due_on__lte=calendar.add_working_days(worked_up_to, at_risk_days(days)),
        )
    if standing == SlaStanding.AT_RISK:
        return running & Q(due_on__gte=worked_up_to) & risky
    return running & Q(due_on__gte=worked_up_to) & ~risky
