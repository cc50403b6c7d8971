"""SLA status: only working days in running states count; waiting for the citizen pauses the clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.business_calendar import BusinessCalendar
from bawaba.workflows.definitions import standard_workflows
from bawaba.workflows.engine import Clock
from bawaba.workflows.sla import sla_status

REVIEW = standard_workflows()["review"]
CAIRO = ZoneInfo("Africa/Cairo")
EGYPT = BusinessCalendar.of(weekend=[5, 6], holidays=[])
START = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)  # a Sunday


def status(history, now, allowed=5):
    return sla_status(
        workflow=REVIEW, history=history, now=now, allowed_working_days=allowed, calendar=EGYPT, zone=CAIRO
    )


def test_a_week_in_review_uses_five_working_days_not_seven():
    history = [("submitted", START), ("received", START), ("in-review", START + timedelta(hours=1))]
    result = status(history, START + timedelta(days=7))
    assert result.used == 5 and result.left == 0 and result.clock == Clock.RUNNING
    assert result.due == date(2026, 11, 29) and not result.breached and result.at_risk


def test_waiting_for_the_citizen_pauses_the_clock():
    history = [
        ("in-review", START),
        ("more-information-requested", START + timedelta(days=1)),  # Monday
        ("resubmitted", START + timedelta(days=15)),
    ]
    result = status(history, START + timedelta(days=16))
    assert (
        result.used == 2
    )  # Sunday→Monday, then the day after the answer; the fortnight waiting is not counted
    paused = status(history[:2], START + timedelta(days=10))
    assert paused.clock == Clock.PAUSED and paused.due is None and not paused.at_risk


def test_late_is_breached():
    result = status([("in-review", START)], START + timedelta(days=14), allowed=5)
    assert result.breached and result.due is None


@given(
    st.lists(st.sampled_from(sorted(REVIEW.states)), min_size=1, max_size=8),
    st.integers(0, 40),
    st.integers(1, 40),
    st.integers(0, 7),
)
def test_pausing_never_uses_more_days_and_time_never_gives_days_back(states, gap_days, later_days, paused_at):
    history = [(state, START + timedelta(days=i * gap_days)) for i, state in enumerate(states)]
    now = history[-1][1] + timedelta(days=1)
    first, later = status(history, now), status(history, now + timedelta(days=later_days))
    assert later.used >= first.used
    # The same path with one step spent waiting for the citizen instead never uses more working days.
    waiting = [
        (("more-information-requested" if i == paused_at else s), at) for i, (s, at) in enumerate(history)
    ]
    assert status(waiting, now).used <= first.used
    if all(REVIEW.states[s].clock != Clock.RUNNING for s in states):
        assert first.used == 0
