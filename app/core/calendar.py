"""The working-day calendar: Monday–Friday, minus public holidays, plus make-up working days (pure, no database).

Conventions (every function below follows them):
- `add_working_days(d, n)`: n > 0 is the n-th working day after d, n < 0 the |n|-th working day before d, and
  n = 0 is d itself when it is a working day, else the next working day (a deadline "within 0 days" of a
  dossier received on a holiday falls on the first working day).
- `working_days_between(a, b)`: the working days in the half-open span (a, b]: a is not counted, b is; negative
  (minus the count of (b, a]) when b < a. So `working_days_between(d, add_working_days(d, n)) == n` for n ≥ 1,
  and for every n when d is a working day.
- Working hours: office periods of each working day (default 07:30–11:30 and 13:30–17:30, Vietnam time, 8 h).
  `add_working_hours(m, h)` is the earliest instant t ≥ m with h working hours in [m, t] (h < 0: the latest
  t ≤ m with |h| hours in [t, m]); h = 0 returns m itself. Instants in and out are timezone-aware; results are
  in Vietnam time; naive datetimes raise ValueError.
- A calendar built for some years (`for_years`) refuses days outside them with ValueError: a holiday table it
  does not hold would silently give wrong deadlines.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from app.core.time import VN_TZ

ONE_DAY = timedelta(days=1)
FIRST_YEAR, LAST_YEAR = 1901, 2100  # what the `holidays` library covers for Vietnam
DEFAULT_HOLIDAY_NAME = "Ngày nghỉ lễ"
DEFAULT_DAY_OFF_NAME = "Ngày nghỉ theo điều chỉnh"


@dataclass(frozen=True)
class OfficeHours:
    """The office periods of a working day, as local (Vietnam) times: sorted, non-overlapping, within one day."""

    periods: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 30)))

    def __post_init__(self):
        if not self.periods:
            raise ValueError("office hours need at least one period")
        previous_end = time.min
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("office periods are local times without a time zone")
            if not start < end:
                raise ValueError(f"an office period must end after it starts: {start}–{end}")
            if start < previous_end:
                raise ValueError("office periods must be sorted and must not overlap")
            previous_end = end

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day."""
        return sum((_span(start, end) for start, end in self.periods), timedelta())

    @property
    def hours_per_day(self) -> float:
        """Working hours in one working day (8.0 by default)."""
        return self.day_length.total_seconds() / 3600


DEFAULT_HOURS = OfficeHours()


def _span(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


def _weekdays_through(d: date) -> int:
    """Monday–Friday days from 0001-01-01 (a Monday) to d inclusive."""
    weeks, rest = divmod(d.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


def _is_weekday(d: date) -> bool:
    return d.weekday() < 5


@functools.cache
def library_year(year: int) -> tuple[tuple[tuple[date, str], ...], frozenset[date]]:
    """The `holidays` library's Vietnamese holidays of one year (date, Vietnamese name) and its make-up working
    weekend days of that year; cached, since building the table is slow."""
    import holidays

    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the holiday tables cover {FIRST_YEAR}–{LAST_YEAR}, not {year}")
    table = holidays.VN(years=year, language="vi")
    named = tuple(sorted((d, name) for d, name in table.items() if d.year == year))
    workdays = frozenset(d for d in table.weekend_workdays if d.year == year)
    return named, workdays


class WorkCalendar:
    """Which days are working days, and working-day / working-hour arithmetic over them (an immutable value).

    A day is a working day when it is an extra working day; else not when it is an extra day off or a holiday;
    else when it falls Monday–Friday. `years` (None: unbounded) are the years the calendar knows.
    """

    __slots__ = ("_holidays", "_working", "_off", "_years", "_hours", "_changes", "_deltas")

    def __init__(self, holidays: Mapping[date, str] | Iterable[date] = (), extra_working_days: Iterable[date] = (),
                 extra_days_off: Mapping[date, str] | Iterable[date] = (), *, hours: OfficeHours = DEFAULT_HOURS,
                 years: Iterable[int] | None = None):
        self._holidays = _named(holidays, DEFAULT_HOLIDAY_NAME)
        self._working = frozenset(extra_working_days)
        self._off = _named(extra_days_off, DEFAULT_DAY_OFF_NAME)
        both = self._working & self._off.keys()
        if both:
            raise ValueError(f"days both working and off: {sorted(both)}")
        self._years = None if years is None else frozenset(years)
        self._hours = hours
        # Days whose status differs from Monday–Friday, with +1 (a working weekend day) or -1 (a weekday off):
        # they make working_days_between() arithmetic instead of a walk over every day.
        changes = sorted(d for d in self._holidays.keys() | self._working | self._off.keys()
                         if self._status(d) != _is_weekday(d))
        self._changes = changes
        self._deltas = [0, *accumulate(1 if self._status(d) else -1 for d in changes)]

    @classmethod
    def for_years(cls, years: Iterable[int], overrides: Mapping[date, bool] | None = None, *,
                  notes: Mapping[date, str] | None = None, hours: OfficeHours = DEFAULT_HOURS) -> WorkCalendar:
        """The calendar of `years` from the `holidays` library (its make-up weekend days are working days), then the
        administrator's overrides (True: a working day, False: a day off, named by `notes`)."""
        years = frozenset(years)
        if not years:
            raise ValueError("a calendar needs at least one year")
        overrides = overrides or {}
        notes = notes or {}
        outside = sorted(d for d in overrides if d.year not in years)
        if outside:
            raise ValueError(f"overrides outside the calendar's years: {outside}")
        holidays: dict[date, str] = {}
        working: set[date] = set()
        for year in sorted(years):
            named, workdays = library_year(year)
            holidays.update(named)
            working |= workdays
        off: dict[date, str] = {}
        for d, is_working in overrides.items():
            if is_working:
                working.add(d)
            else:
                working.discard(d)
                off[d] = notes.get(d) or DEFAULT_DAY_OFF_NAME
        return cls(holidays, working, off, hours=hours, years=years)

    # -- the days ----------------------------------------------------------------------------------------------

    @property
    def years(self) -> frozenset[int] | None:
        """The years the calendar knows (None: any day)."""
        return self._years

    @property
    def hours(self) -> OfficeHours:
        """The office periods of a working day."""
        return self._hours

    @property
    def holidays(self) -> Mapping[date, str]:
        """The public holidays it was built with (a copy), whatever the overrides say."""
        return dict(self._holidays)

    def covers(self, d: date) -> bool:
        """Whether the calendar knows the holidays of d's year."""
        return self._years is None or d.year in self._years

    def _check(self, d: date) -> None:
        _require_date(d)
        if not self.covers(d):
            raise ValueError(f"{d.isoformat()} is outside the calendar's years {sorted(self._years or ())}")

    def _status(self, d: date) -> bool:
        if d in self._working:
            return True
        if d in self._off or d in self._holidays:
            return False
        return _is_weekday(d)

    def is_working_day(self, d: date) -> bool:
        """Whether civil servants work on d."""
        self._check(d)
        return self._status(d)

    def holiday_name(self, d: date) -> str | None:
        """Why d is a day off besides the weekend (the holiday's or the override's name); None on working days."""
        if self.is_working_day(d):
            return None
        return self._off.get(d) or self._holidays.get(d)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before d."""
        return self.add_working_days(d, -1)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d (before it when n < 0); n = 0 gives d if working, else the next one."""
        if not isinstance(n, int):
            raise TypeError("the number of working days is a whole number")
        if n == 0:
            while not self.is_working_day(d):
                d += ONE_DAY
            return d
        step = ONE_DAY if n > 0 else -ONE_DAY
        left = abs(n)
        while left:
            d += step
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]: a excluded, b included; minus those of (b, a] when b < a."""
        _require_date(a)
        _require_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        if a == b:
            return 0
        for year in range((a + ONE_DAY).year, b.year + 1):
            self._check(date(year, 1, 1))
        lo = bisect.bisect_right(self._changes, a)
        hi = bisect.bisect_right(self._changes, b)
        return _weekdays_through(b) - _weekdays_through(a) + self._deltas[hi] - self._deltas[lo]

    # -- the hours ---------------------------------------------------------------------------------------------

    def _periods(self, d: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(d):
            return []
        return [(datetime.combine(d, s, VN_TZ), datetime.combine(d, e, VN_TZ)) for s, e in self._hours.periods]

    def _worked(self, d: date, lo: datetime, hi: datetime) -> timedelta:
        total = timedelta()
        for start, end in self._periods(d):
            if min(end, hi) > max(start, lo):
                total += min(end, hi) - max(start, lo)
        return total

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """The instant `hours` working hours after `moment` (before it when negative), in Vietnam time."""
        t = _local(moment)
        left = timedelta(hours=hours)
        if left == timedelta():
            return t
        day = t.date()
        if left > timedelta():
            while True:
                for start, end in self._periods(day):
                    begin = max(start, t)
                    if end > begin:
                        if left <= end - begin:
                            return begin + left
                        left -= end - begin
                day += ONE_DAY
        left = -left
        while True:
            for start, end in reversed(self._periods(day)):
                finish = min(end, t)
                if finish > start:
                    if left <= finish - start:
                        return finish - left
                    left -= finish - start
            day -= ONE_DAY

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours in [a, b] (negative when b < a)."""
        a, b = _local(a), _local(b)
        if b < a:
            return -self.working_hours_between(b, a)
        da, db = a.date(), b.date()
        if da == db:
            total = self._worked(da, a, b)
        else:
            whole_days = self.working_days_between(da, db) - self.is_working_day(db)  # the days strictly between
            total = (self._worked(da, a, datetime.combine(da + ONE_DAY, time.min, VN_TZ))
                     + whole_days * self._hours.day_length
                     + self._worked(db, datetime.combine(db, time.min, VN_TZ), b))
        return total.total_seconds() / 3600

    # -- a value -----------------------------------------------------------------------------------------------

    def _key(self):
        return self._holidays, self._working, self._off, self._years, self._hours

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkCalendar) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        years = f"years={sorted(self._years)}, " if self._years is not None else ""
        return (f"WorkCalendar({years}{len(self._holidays)} holidays, {len(self._working)} extra working days, "
                f"{len(self._off)} extra days off)")


def _named(days: Mapping[date, str] | Iterable[date], default: str) -> dict[date, str]:
    if isinstance(days, Mapping):
        return {d: (name or default) for d, name in days.items()}
    return dict.fromkeys(days, default)


def _require_date(d: date) -> None:
    if isinstance(d, datetime) or not isinstance(d, date):
        # A datetime never equals a date key: holidays would be missed silently.
        raise TypeError(f"a date is required, not {type(d).__name__}")


def _local(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required (naive datetimes are ambiguous)")
    return moment.astimezone(VN_TZ)
