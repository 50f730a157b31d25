"""The working-day calendar: Vietnamese holidays from the `holidays` library, overrides, day and hour arithmetic."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.calendar import DEFAULT_HOURS, OfficeHours, WorkCalendar, library_year
from app.core.time import VN_TZ

YEARS = range(2024, 2029)
CAL = WorkCalendar.for_years(YEARS)
# Keep arithmetic inside the years the calendar knows (2024–2028): start in 2025–2027, move at most 200 working days
# (under 300 calendar days).
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
working_days = days.map(lambda d: CAL.add_working_days(d, 0))
steps = st.integers(min_value=-200, max_value=200)
FAST = settings(max_examples=150, deadline=None, database=None)


def vn(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


# --- which days are working days -------------------------------------------------------------------------------

TET_2026 = [date(2026, 2, 14) + timedelta(days=i) for i in range(9)]  # 14/02–22/02/2026


@pytest.mark.parametrize("day", TET_2026, ids=str)
def test_tet_2026_is_nine_days_off(day):
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize(("day", "working", "name"), [
    (date(2026, 2, 13), True, None),  # the last working day before Tết
    (date(2026, 2, 23), True, None),  # the first one after
    (date(2026, 2, 16), False, "Giao thừa Tết Nguyên Đán"),
    (date(2026, 2, 17), False, "Tết Nguyên Đán"),
    (date(2026, 2, 14), False, None),  # a Saturday: a weekend day, not a holiday
    (date(2026, 1, 1), False, "Tết Dương lịch"),
    (date(2025, 4, 30), False, "Ngày Chiến thắng"),
    (date(2025, 5, 1), False, "Ngày Quốc tế Lao động"),
    (date(2025, 5, 2), False, "Ngày nghỉ (thay cho ngày 26/04/2025)"),  # swapped with Saturday 26/04/2025
    (date(2025, 4, 26), True, None),  # that Saturday is worked
    (date(2025, 9, 1), False, "Quốc khánh"),  # 2/9 with its adjacent day
    (date(2025, 9, 2), False, "Quốc khánh"),
    (date(2025, 9, 3), True, None),
    (date(2026, 9, 1), False, "Quốc khánh"),
    (date(2026, 9, 2), False, "Quốc khánh"),
    (date(2026, 8, 22), True, None),  # Saturday worked for Monday 31/08/2026
    (date(2026, 8, 31), False, "Ngày nghỉ (thay cho ngày 22/08/2026)"),
    (date(2026, 4, 27), False, "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"),  # 10/3 âm lịch fell on a Sunday
    (date(2026, 3, 4), True, None),
    (date(2026, 3, 7), False, None),
    (date(2026, 3, 8), False, None),
])
def test_working_days_and_holiday_names(day, working, name):
    assert CAL.is_working_day(day) is working
    assert CAL.holiday_name(day) == name


@pytest.mark.parametrize(("start", "n", "expected"), [
    (date(2026, 2, 13), 1, date(2026, 2, 23)),  # over Tết
    (date(2026, 2, 23), -1, date(2026, 2, 13)),
    (date(2026, 2, 12), 2, date(2026, 2, 23)),
    (date(2026, 2, 13), 5, date(2026, 2, 27)),
    (date(2026, 2, 13), 0, date(2026, 2, 13)),  # n = 0 on a working day: the day itself
    (date(2026, 2, 17), 0, date(2026, 2, 23)),  # n = 0 on a day off: the next working day
    (date(2026, 2, 17), 1, date(2026, 2, 23)),  # from a day off, n = 1 is the first working day too
    (date(2026, 2, 17), -1, date(2026, 2, 13)),
    (date(2025, 4, 29), 1, date(2025, 5, 5)),  # 30/4, 1/5 and the swapped 2/5, then the weekend
    (date(2025, 4, 25), 1, date(2025, 4, 26)),  # the worked Saturday counts
    (date(2025, 4, 26), 1, date(2025, 4, 28)),
    (date(2025, 8, 29), 1, date(2025, 9, 3)),  # 1/9 and 2/9
    (date(2026, 8, 21), 1, date(2026, 8, 22)),
    (date(2026, 8, 28), 1, date(2026, 9, 3)),  # 31/8 swapped, 1/9, 2/9
    (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year into the next year
])
def test_add_working_days(start, n, expected):
    assert CAL.add_working_days(start, n) == expected


@pytest.mark.parametrize(("a", "b", "expected"), [
    (date(2026, 2, 13), date(2026, 2, 23), 1),  # (a, b]: b counts, a does not
    (date(2026, 2, 12), date(2026, 2, 23), 2),
    (date(2026, 2, 13), date(2026, 2, 22), 0),  # all of Tết
    (date(2026, 2, 23), date(2026, 2, 13), -1),
    (date(2026, 2, 1), date(2026, 2, 28), 15),  # February 2026: 20 weekdays, 5 of them Tết
    (date(2025, 4, 27), date(2025, 5, 4), 2),  # 28, 29 April; 30/4, 1/5, 2/5 off
    (date(2025, 4, 25), date(2025, 4, 26), 1),  # the worked Saturday
    (date(2025, 8, 31), date(2025, 9, 7), 3),
    (date(2026, 5, 5), date(2026, 5, 5), 0),
    (date(2025, 12, 31), date(2026, 12, 31), 249),  # 261 weekdays − 13 holidays on weekdays + Saturday 22/08
])
def test_working_days_between(a, b, expected):
    assert CAL.working_days_between(a, b) == expected


def test_previous_and_next_working_day_are_strict():
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CAL.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)
    assert CAL.next_working_day(date(2026, 3, 2)) == date(2026, 3, 3)


# --- the library and the overrides -----------------------------------------------------------------------------

def test_the_library_table_is_cached_per_year():
    assert library_year(2026) is library_year(2026)
    named, workdays = library_year(2025)
    assert date(2025, 4, 26) in workdays and all(d.year == 2025 for d, _ in named)


def test_admin_overrides_win_over_the_library():
    calendar = WorkCalendar.for_years([2026], {date(2026, 2, 20): True, date(2026, 3, 2): False},
                                      notes={date(2026, 3, 2): "Nghỉ theo Công điện số 1"})
    assert calendar.is_working_day(date(2026, 2, 20))
    assert not calendar.is_working_day(date(2026, 3, 2))
    assert calendar.holiday_name(date(2026, 3, 2)) == "Nghỉ theo Công điện số 1"
    assert calendar.holiday_name(date(2026, 2, 20)) is None


def test_an_override_can_cancel_a_library_make_up_day():
    calendar = WorkCalendar.for_years([2025], {date(2025, 4, 26): False})
    assert not calendar.is_working_day(date(2025, 4, 26))
    assert calendar.holiday_name(date(2025, 4, 26)) == "Ngày nghỉ theo điều chỉnh"


@pytest.mark.parametrize("bad", [
    lambda: WorkCalendar.for_years([]),
    lambda: WorkCalendar.for_years([2026], {date(2027, 1, 2): True}),  # an override outside the years
    lambda: WorkCalendar({}, [date(2026, 3, 7)], [date(2026, 3, 7)]),  # both working and off
    lambda: CAL.is_working_day(date(2030, 1, 2)),  # outside the years it knows: never a silent guess
    lambda: CAL.working_days_between(date(2028, 12, 1), date(2029, 1, 5)),
    lambda: CAL.add_working_days(date(2028, 12, 29), 5),
    lambda: OfficeHours(((time(13), time(12)),)),
    lambda: OfficeHours(((time(8), time(12)), (time(11), time(17)))),
    lambda: OfficeHours(()),
    lambda: library_year(1800),
])
def test_bad_calendars_and_days_outside_it_raise(bad):
    with pytest.raises(ValueError):
        bad()


def test_a_calendar_from_a_plain_set_of_holidays():
    calendar = WorkCalendar({date(2026, 3, 4)})
    assert calendar.years is None and calendar.covers(date(1999, 1, 1))
    assert not calendar.is_working_day(date(2026, 3, 4))
    assert calendar.holiday_name(date(2026, 3, 4)) == "Ngày nghỉ lễ"
    assert calendar.add_working_days(date(2026, 3, 3), 1) == date(2026, 3, 5)
    assert calendar == WorkCalendar({date(2026, 3, 4): ""})


# --- working hours ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "hours", "expected"), [
    (vn(2026, 3, 2, 7, 30), 4, vn(2026, 3, 2, 11, 30)),  # a morning ends at 11:30, not at 13:30
    (vn(2026, 3, 2, 7, 30), 4.5, vn(2026, 3, 2, 14, 0)),
    (vn(2026, 3, 2, 7, 30), 8, vn(2026, 3, 2, 17, 30)),
    (vn(2026, 3, 2, 12, 0), 1, vn(2026, 3, 2, 14, 30)),  # from lunch: the afternoon starts at 13:30
    (vn(2026, 3, 2, 6, 0), 0.5, vn(2026, 3, 2, 8, 0)),
    (vn(2026, 3, 2, 20, 0), 1, vn(2026, 3, 3, 8, 30)),
    (vn(2026, 2, 13, 16, 0), 4, vn(2026, 2, 23, 10, 0)),  # Friday before Tết, then Monday after
    (vn(2026, 2, 23, 10, 0), -4, vn(2026, 2, 13, 16, 0)),
    (vn(2026, 3, 2, 7, 30), -1, vn(2026, 2, 27, 16, 30)),
    (vn(2026, 3, 2, 9, 0), 0, vn(2026, 3, 2, 9, 0)),
    (vn(2026, 3, 7, 9, 0), 0, vn(2026, 3, 7, 9, 0)),  # 0 hours: the moment itself, even on a Saturday
    (datetime(2026, 3, 2, 1, 0, tzinfo=UTC), 1, vn(2026, 3, 2, 9, 0)),  # 01:00 UTC is 08:00 in Vietnam
    (vn(2025, 4, 25, 17, 0), 1, vn(2025, 4, 26, 8, 0)),  # the worked Saturday has office hours
])
def test_add_working_hours(start, hours, expected):
    result = CAL.add_working_hours(start, hours)
    assert result == expected and result.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(("a", "b", "expected"), [
    (vn(2026, 3, 2, 0, 0), vn(2026, 3, 3, 0, 0), 8),
    (vn(2026, 3, 2, 11, 0), vn(2026, 3, 2, 14, 0), 1),
    (vn(2026, 2, 13, 8, 0), vn(2026, 2, 23, 9, 0), 9),  # 3.5 h + 4 h on Friday 13/02, 1.5 h on Monday 23/02
    (vn(2026, 2, 23, 9, 0), vn(2026, 2, 13, 8, 0), -9),
    (vn(2026, 3, 6, 17, 30), vn(2026, 3, 9, 7, 30), 0),  # a weekend
    (vn(2026, 3, 2, 0, 0), vn(2026, 3, 9, 0, 0), 40),
])
def test_working_hours_between(a, b, expected):
    assert CAL.working_hours_between(a, b) == pytest.approx(expected)


def test_configurable_office_hours():
    calendar = WorkCalendar.for_years([2026], hours=OfficeHours(((time(8), time(12)), (time(13), time(17)))))
    assert calendar.add_working_hours(vn(2026, 3, 2, 8), 5) == vn(2026, 3, 2, 14)
    assert DEFAULT_HOURS.hours_per_day == 8


@pytest.mark.parametrize("call", [
    lambda: CAL.add_working_hours(datetime(2026, 3, 2, 9, 0), 1),
    lambda: CAL.working_hours_between(datetime(2026, 3, 2, 9), vn(2026, 3, 2, 10)),
    lambda: CAL.working_hours_between(vn(2026, 3, 2, 9), datetime(2026, 3, 2, 10)),
])
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call()


@pytest.mark.parametrize("call", [
    lambda: CAL.is_working_day(datetime(2026, 2, 17, 9, tzinfo=VN_TZ)),  # would miss the holiday
    lambda: CAL.working_days_between(date(2026, 2, 13), datetime(2026, 2, 23, tzinfo=VN_TZ)),
    lambda: CAL.add_working_days(date(2026, 2, 13), 1.5),
])
def test_days_are_dates_and_counts_whole_numbers(call):
    with pytest.raises(TypeError):
        call()


# --- properties ------------------------------------------------------------------------------------------------

@FAST
@given(days, st.integers(min_value=1, max_value=200))
def test_adding_working_days_lands_on_a_working_day(d, n):
    assert CAL.is_working_day(CAL.add_working_days(d, n))
    assert CAL.is_working_day(CAL.add_working_days(d, -n))


@FAST
@given(days, st.integers(min_value=1, max_value=200))
def test_between_counts_what_add_added_from_any_day(d, n):
    assert CAL.working_days_between(d, CAL.add_working_days(d, n)) == n


@FAST
@given(working_days, steps)
def test_between_inverts_add_from_a_working_day(d, n):
    assert CAL.working_days_between(d, CAL.add_working_days(d, n)) == n
    assert CAL.add_working_days(CAL.add_working_days(d, n), -n) == d


@FAST
@given(days, steps, steps)
def test_add_is_monotonic(d, m, n):
    m, n = sorted((m, n))
    assert CAL.add_working_days(d, m) <= CAL.add_working_days(d, n)


@FAST
@given(days, days, days)
def test_between_is_additive_and_matches_a_day_by_day_count(a, b, c):
    assert CAL.working_days_between(a, c) == CAL.working_days_between(a, b) + CAL.working_days_between(b, c)
    lo, hi = sorted((a, b))
    if (hi - lo).days <= 60:
        counted = sum(CAL.is_working_day(lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
        assert CAL.working_days_between(lo, hi) == counted


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(VN_TZ)).map(lambda m: m.replace(microsecond=0))
quarter_hours = st.integers(min_value=0, max_value=4 * 8 * 60).map(lambda q: q / 4)  # up to 60 working days


@FAST
@given(moments, quarter_hours)
def test_working_hours_between_inverts_add_working_hours(m, h):
    later = CAL.add_working_hours(m, h)
    assert later >= m
    assert CAL.working_hours_between(m, later) == pytest.approx(h, abs=1e-6)
    earlier = CAL.add_working_hours(m, -h)
    assert earlier <= m
    assert CAL.working_hours_between(earlier, m) == pytest.approx(h, abs=1e-6)


@FAST
@given(moments, moments)
def test_add_working_hours_inverts_between_inside_office_hours(a, b):
    """Within the model: an instant inside office hours (after its opening) is reached again from the hours
    counted up to it."""
    a, b = sorted((a, b))
    inside = any(datetime.combine(b.date(), s, VN_TZ) < b <= datetime.combine(b.date(), e, VN_TZ)
                 for s, e in DEFAULT_HOURS.periods) and CAL.is_working_day(b.date())
    hours = CAL.working_hours_between(a, b)
    if inside and hours > 0:
        assert CAL.add_working_hours(a, hours) == b
    assert CAL.working_hours_between(b, a) == -hours


@FAST
@given(st.dictionaries(days, st.booleans(), max_size=12), days)
def test_overrides_flip_exactly_the_overridden_days(overrides, probe):
    calendar = WorkCalendar.for_years(YEARS, overrides)
    for day, working in overrides.items():
        assert calendar.is_working_day(day) is working
    if probe not in overrides:
        assert calendar.is_working_day(probe) is CAL.is_working_day(probe)
    changed = sum(1 if w else -1 for d, w in overrides.items() if CAL.is_working_day(d) is not w)
    year = (date(2024, 12, 31), date(2027, 12, 31))
    assert calendar.working_days_between(*year) == CAL.working_days_between(*year) + changed
