"""The working-day calendar of the installation: the `holidays` library's table plus the operator's overrides.

Services flush; the caller commits. The calendar is national (one per installation, like the indicator catalog):
only the operator (an admin of a root unit, or the command line: `actor` None) changes it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.audit.services import record
from app.core.calendar import LAST_YEAR, ONE_DAY, WorkCalendar, library_year
from app.core.errors import DomainError
from app.core.i18n import N_
from app.extensions import db
from app.workdays.models import CalendarDay

WEEKDAYS = (N_("Thứ Hai"), N_("Thứ Ba"), N_("Thứ Tư"), N_("Thứ Năm"), N_("Thứ Sáu"), N_("Thứ Bảy"), N_("Chủ nhật"))
NOTE_MAX = 255
# The years an administrator may view and override (the library itself covers 1901–2100).
MIN_YEAR, MAX_YEAR = 2000, LAST_YEAR


def calendar_for(years: Iterable[int]) -> WorkCalendar:
    """The calendar of `years`: the library's holidays and make-up days, then the overrides stored for them."""
    years = sorted(set(years))
    if not years:
        raise ValueError("calendar_for needs at least one year")
    rows = db.session.execute(
        sa.select(CalendarDay.day, CalendarDay.is_working_day, CalendarDay.note)
        .where(CalendarDay.day.between(date(years[0], 1, 1), date(years[-1], 12, 31)))
    ).all()
    rows = [r for r in rows if r.day.year in years]
    return WorkCalendar.for_years(years, {r.day: r.is_working_day for r in rows}, notes={r.day: r.note for r in rows})


def calendar_around(today: date) -> WorkCalendar:
    """The calendar of the year of `today`, the year before and the year after (what deadlines and scans need)."""
    return calendar_for(range(today.year - 1, today.year + 2))


def default_is_working_day(day: date) -> bool:
    """Whether `day` is a working day without any override (weekends, the library's holidays and make-up days)."""
    _check_year(day)
    return WorkCalendar.for_years([day.year]).is_working_day(day)


def find_day(day: date) -> CalendarDay | None:
    """The override stored for `day`, if any."""
    return db.session.scalar(sa.select(CalendarDay).where(CalendarDay.day == day))


def set_day(day: date, *, is_working_day: bool, note: str, actor, now: datetime) -> CalendarDay:
    """Make `day` a working day or a day off against the default, with a note (operator only, audited)."""
    _operator_only(actor)
    _check_year(day)
    note = (note or "").strip()
    if not note:
        raise DomainError(gettext("Nhập ghi chú: lý do hoặc căn cứ điều chỉnh (ví dụ số văn bản thông báo)."), "note")
    if len(note) > NOTE_MAX:
        raise DomainError(gettext("Ghi chú không quá %(NOTE_MAX)s ký tự.", NOTE_MAX=NOTE_MAX), "note")
    row = find_day(day)
    if is_working_day == default_is_working_day(day):
        what = gettext("ngày làm việc") if is_working_day else gettext("ngày nghỉ (%(why)s)", why=_why_off(day))
        advice = (gettext(" Muốn trả ngày này về mặc định, hãy xóa điều chỉnh đang có.") if row is not None
                  else gettext(" Không cần điều chỉnh."))
        raise DomainError(gettext("Ngày %(label)s vốn đã là %(what)s theo lịch mặc định.%(advice)s", label=_label(day), what=what, advice=advice), "is_working_day")
    before = _snapshot(row) if row is not None else None
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.is_working_day, row.note = is_working_day, note
    row.created_by_id, row.created_at = getattr(actor, "id", None), now  # who set the current value, when
    db.session.flush()
    record(actor, "calendar.set_day", row, before=before, after=_snapshot(row))
    return row


def clear_day(day: date, *, actor) -> None:
    """Remove the override of `day`, so it follows the default again (operator only, audited)."""
    _operator_only(actor)
    row = find_day(day)
    if row is None:
        raise DomainError(gettext("Ngày %(label)s không có điều chỉnh nào để xóa.", label=_label(day)), "day")
    record(actor, "calendar.clear_day", row, before=_snapshot(row), after=None)
    db.session.delete(row)
    db.session.flush()


MAKE_UP_DAY = N_("Ngày làm việc bù (đi làm ngày cuối tuần để hoán đổi ngày nghỉ)")


@dataclass(frozen=True)
class DayRow:
    """One day of the year's page: a library holiday or make-up working day, an override, or both."""

    day: date
    is_working_day: bool  # what the day is now
    default_is_working_day: bool  # what it would be without the override
    library_name: str | None  # the library's holiday name, or MAKE_UP_DAY
    override: CalendarDay | None

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.day.weekday()]

    @property
    def source(self) -> str:
        if self.override is not None:
            return N_("Điều chỉnh của quản trị")
        return N_("Luật định, thông báo hoán đổi (thư viện holidays)")

    def name_in(self, locale: str) -> str | None:
        """The library's name of the day in a language of the interface (the library translates its holidays)."""
        if not self.library_name or locale == "vi" or self.library_name == MAKE_UP_DAY:
            return gettext(self.library_name) if self.library_name else None
        return _holiday_names(self.day.year, locale).get(self.day, self.library_name)


@dataclass(frozen=True)
class Break:
    """Consecutive days off longer than a weekend (e.g. Tết 2026: 14/02–22/02/2026, 9 days)."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class YearOverview:
    """What the calendar page shows for one year."""

    year: int
    rows: list[DayRow]
    working_days: int
    breaks: list[Break]


def days_of_year(year: int) -> list[DayRow]:
    """Every library holiday and make-up working day of `year` and every override, merged and sorted by day."""
    _check_year(date(year, 1, 1))
    return _rows(year, _overrides_of(year))


def year_overview(year: int) -> YearOverview:
    """The year's days (as `days_of_year`), its number of working days and its breaks longer than a weekend."""
    _check_year(date(year, 1, 1))
    overrides = _overrides_of(year)
    calendar = WorkCalendar.for_years([year], {d: r.is_working_day for d, r in overrides.items()},
                                      notes={d: r.note for d, r in overrides.items()})
    first, last = date(year, 1, 1), date(year, 12, 31)
    breaks, day = [], first
    while day <= last:
        start = day
        while day <= last and not calendar.is_working_day(day):
            day += ONE_DAY
        if (day - start).days > 2:
            breaks.append(Break(start, day - ONE_DAY))
        day += ONE_DAY
    return YearOverview(year, _rows(year, overrides), calendar.working_days_between(first - ONE_DAY, last), breaks)


def _overrides_of(year: int) -> dict[date, CalendarDay]:
    return {r.day: r for r in db.session.scalars(
        sa.select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))}


def _rows(year: int, overrides: dict[date, CalendarDay]) -> list[DayRow]:
    named, workdays = library_year(year)
    library = dict(named) | dict.fromkeys(workdays, MAKE_UP_DAY)
    default = WorkCalendar.for_years([year])
    rows = []
    for day in sorted(library.keys() | overrides.keys()):
        row = overrides.get(day)
        usual = default.is_working_day(day)
        rows.append(DayRow(day=day, is_working_day=row.is_working_day if row else usual, default_is_working_day=usual,
                           library_name=library.get(day), override=row))
    return rows


def _operator_only(actor) -> None:
    """The calendar applies to every unit: only an operator changes it (a root-unit admin or the command line)."""
    if actor is not None and not (actor.role == "admin" and actor.is_operator):
        raise DomainError(gettext("Lịch làm việc dùng chung cho mọi đơn vị: chỉ quản trị cấp cao nhất (đơn vị gốc) hoặc "
                                  "người vận hành máy chủ mới được sửa."))


def _check_year(day: date) -> None:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DomainError(gettext("Chỉ điều chỉnh được lịch các năm từ %(MIN_YEAR)s đến %(MAX_YEAR)s.", MIN_YEAR=MIN_YEAR, MAX_YEAR=MAX_YEAR), "day")


def _why_off(day: date) -> str:
    name = WorkCalendar.for_years([day.year]).holiday_name(day)
    return name or (gettext("cuối tuần") if day.weekday() >= 5 else gettext("ngày nghỉ"))


def _label(day: date) -> str:
    return f"{day:%d/%m/%Y} ({WEEKDAYS[day.weekday()]})"


def _snapshot(row: CalendarDay) -> dict:
    return {"day": row.day.isoformat(), "is_working_day": row.is_working_day, "note": row.note}


@functools.cache
def _holiday_names(year: int, locale: str) -> dict:
    import holidays

    language = {"en": "en_US"}.get(locale, locale)
    return dict(holidays.country_holidays("VN", years=year, language=language))
