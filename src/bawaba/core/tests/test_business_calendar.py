"""Working days and SLA deadlines: weekends and holidays are never counted, counting is consistent both ways."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.business_calendar import BusinessCalendar, calendar_from_settings

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
weekends = st.frozensets(st.integers(1, 7), max_size=3)
holidays = st.frozensets(days, max_size=40)
calendars = st.builds(BusinessCalendar, weekend=weekends, holidays=holidays)

EGYPT = BusinessCalendar.of(weekend=[5, 6], holidays=["2026-10-06"])


@given(calendars, days, st.integers(0, 60))
def test_a_deadline_always_falls_on_a_working_day(calendar, start, n):
    assert calendar.is_working_day(calendar.add_working_days(start, n))


@given(calendars, days, st.integers(0, 60))
def test_counting_back_gives_the_days_added(calendar, start, n):
    # A request made on a day off starts counting on the next working day, which then counts too.
    end = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, end) == n + (0 if calendar.is_working_day(start) else 1)


@given(calendars, days, st.integers(-20, 800))
def test_working_days_between_counts_each_working_day_after_start_up_to_end(calendar, start, span):
    end = start + timedelta(days=span)
    walked = sum(calendar.is_working_day(start + timedelta(days=i)) for i in range(1, span + 1))
    assert calendar.working_days_between(start, end) == walked


def test_a_holiday_on_a_weekend_is_not_taken_off_twice():
    # Friday 2 January falls on the weekend anyway; Sunday 4 January is a working day made a holiday.
    calendar = BusinessCalendar.of(weekend=[5, 6], holidays=["2026-01-02", "2026-01-04"])
    # After Thursday 1 January up to Thursday 8 January: Sunday 4 to Thursday 8 are working days but for the 4th.
    assert calendar.working_days_between(date(2026, 1, 1), date(2026, 1, 8)) == 4


@given(calendars, days, st.integers(0, 60), st.integers(0, 60))
def test_more_days_never_give_an_earlier_deadline(calendar, start, a, b):
    if a < b:
        assert calendar.add_working_days(start, a) < calendar.add_working_days(start, b)


@given(calendars, days, st.integers(1, 60))
def test_every_day_skipped_is_a_weekend_day_or_a_holiday(calendar, start, n):
    end = calendar.add_working_days(start, n)
    skipped = [
        start + timedelta(days=i)
        for i in range(1, (end - start).days)
        if start + timedelta(days=i) != calendar.add_working_days(start, 0)
    ]
    working = [d for d in skipped if d.isoweekday() not in calendar.weekend and d not in calendar.holidays]
    assert len(working) == n - 1


def test_a_friday_request_with_two_days_is_due_on_tuesday_in_egypt():
    friday = date(2026, 11, 27)
    assert EGYPT.add_working_days(friday, 0) == date(2026, 11, 29)  # Sunday
    assert EGYPT.add_working_days(friday, 2) == date(2026, 12, 1)  # Tuesday


def test_a_holiday_pushes_the_deadline():
    monday = date(2026, 10, 5)
    assert EGYPT.add_working_days(monday, 1) == date(2026, 10, 7)  # 6 October is Armed Forces Day


def test_the_deadline_is_local_midnight_after_the_last_day():
    cairo = ZoneInfo("Africa/Cairo")
    submitted = datetime(2026, 11, 26, 21, 30, tzinfo=UTC)  # Thursday 23:30 in Cairo
    assert EGYPT.deadline(submitted, 1, cairo) == datetime(2026, 11, 30, 0, 0, tzinfo=cairo)


def test_a_weekend_without_working_days_is_refused():
    with pytest.raises(ValueError):
        BusinessCalendar(weekend=frozenset(range(1, 8)))
    with pytest.raises(ValueError):
        EGYPT.add_working_days(date(2026, 1, 1), -1)


def test_the_configured_calendar_is_friday_saturday_with_holidays(settings):
    calendar = calendar_from_settings()
    assert calendar.weekend == {5, 6} and date(2026, 10, 6) in calendar.holidays
