"""Working days: which days an agency works, and when a deadline counted in working days falls.

A pure engine over dates. The weekend and the public holidays are configuration (BAWABA_WEEKEND,
BAWABA_HOLIDAYS): states differ (a Friday–Saturday weekend in Egypt and Saudi Arabia, Saturday–Sunday elsewhere)
and many holidays follow the Hijri calendar, so they are listed per year rather than computed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

__all__ = ["BusinessCalendar", "calendar_from_settings"]

# ISO weekday numbers: Monday is 1, Sunday is 7.
FRIDAY, SATURDAY = 5, 6


@dataclass(frozen=True)
class BusinessCalendar:
    weekend: frozenset[int] = frozenset({FRIDAY, SATURDAY})
    holidays: frozenset[date] = frozenset()

    def __post_init__(self):
        if not self.weekend <= set(range(1, 8)) or len(self.weekend) > 6:
            raise ValueError("the weekend is a set of ISO weekdays (1–7) and leaves at least one working day")

    @classmethod
    def of(cls, *, weekend: Iterable[int], holidays: Iterable[date | str]) -> "BusinessCalendar":
        return cls(
            weekend=frozenset(int(day) for day in weekend),
            holidays=frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in holidays),
        )

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The day itself if the agency works that day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, days: int) -> date:
        """The working day `days` working days after `start`; `start` itself is not counted.

        With 0 it is the first working day from `start` on: a request made on a Friday is due the next Sunday.
        """
        if days < 0:
            raise ValueError("a number of working days is never negative")
        day = self.next_working_day(start)
        for _ in range(days):
            day = self.next_working_day(day + timedelta(days=1))
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days come after `start` up to and including `end` (0 when `end` is not later)."""
        if end <= start:
            return 0
        # Whole weeks at once, then the days left over, then the holidays that fell on a working weekday: the
        # lists count breaches months old, and a day-by-day walk made each row cost hundreds of steps.
        weeks, rest = divmod((end - start).days, 7)
        count = weeks * (7 - len(self.weekend))
        day = start + timedelta(days=7 * weeks)
        for _ in range(rest):
            day += timedelta(days=1)
            count += day.isoweekday() not in self.weekend
        count -= sum(1 for h in self.holidays if start < h <= end and h.isoweekday() not in self.weekend)
        return count

    def deadline(self, start: datetime, working_days: int, zone: tzinfo) -> datetime:
        """The end of the last working day allowed (local midnight), for something started at `start`."""
        last_day = self.add_working_days(start.astimezone(zone).date(), working_days)
        return datetime.combine(last_day + timedelta(days=1), time(0), zone)


def calendar_from_settings() -> BusinessCalendar:
    from django.conf import settings

    return BusinessCalendar.of(weekend=settings.BAWABA_WEEKEND, holidays=settings.BAWABA_HOLIDAYS)
