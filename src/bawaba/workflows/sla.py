"""Where an application stands against its service's SLA: working days used, left, the due date, breach.

Only time in states whose clock runs counts; waiting for the citizen (more information, payment) pauses the
clock and a decision stops it. Days are the business calendar's working days, in the agency's time zone.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from bawaba.core.business_calendar import BusinessCalendar

from .engine import Clock, Workflow

__all__ = ["SlaStatus", "sla_status"]

AT_RISK_SHARE = 0.2  # the last fifth of the allowed time


@dataclass(frozen=True)
class SlaStatus:
    allowed: int
    used: int
    clock: Clock
    due: date | None  # the last working day allowed, while the clock runs

    @property
    def left(self) -> int:
        return self.allowed - self.used

    @property
    def breached(self) -> bool:
        return self.used > self.allowed

    @property
    def at_risk(self) -> bool:
        return (
            not self.breached
            and self.clock == Clock.RUNNING
            and self.left <= max(1, self.allowed * AT_RISK_SHARE)
        )


def sla_status(
    *,
    workflow: Workflow,
    history: Sequence[tuple[str, datetime]],
    now: datetime,
    allowed_working_days: int,
    calendar: BusinessCalendar,
    zone: tzinfo,
) -> SlaStatus:
    """`history` lists (state, entered at) in order, the current state last."""
    used = 0
    for (state, entered), (_, left) in zip(history, [*history[1:], (None, now)], strict=True):
        if workflow.states[state].clock == Clock.RUNNING:
            used += calendar.working_days_between(
                entered.astimezone(zone).date(), left.astimezone(zone).date()
            )
    clock = workflow.states[history[-1][0]].clock if history else Clock.STOPPED
    due = None
    if clock == Clock.RUNNING and used <= allowed_working_days:
        due = calendar.add_working_days(now.astimezone(zone).date(), allowed_working_days - used)
    return SlaStatus(allowed=allowed_working_days, used=used, clock=clock, due=due)
