"""Lateness the way the provincial tables and the portal count it, as SQL expressions over indexed columns.

A finished dossier (ended: processing finished, else result returned, else stopped) is late when it ended after
its due time, or when it was sent back for supplements more than once; it is early when it ended on a day before
its due day (Vietnam time), on time otherwise. An open dossier, seen at a moment, is late when that moment is past
its due time (or it had more than one supplement request), due soon when its due time falls within the configured
margin of working days, else within its time. An apology letter (phiếu xin lỗi, form 04) is due one working day
before the due day. These expressions are used by the statistics page, the alert scan, the computed indicators and
the projection, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from app.core.time import VN_TZ
from app.dossiers.models import Dossier

LATE_SUPPLEMENTS = 1  # more than this many supplement requests counts as late (portal rule for indicator 4)


class vn_date(FunctionElement):  # noqa: N801 (an SQL function name)
    """The calendar date, in Vietnam time, of a timestamp column (compiled per dialect)."""

    type = sa.Date()
    inherit_cache = True


@compiles(vn_date, "sqlite")
def _vn_date_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(vn_date, "postgresql")
def _vn_date_postgresql(element, compiler, **kw):
    return f"(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"


def end_of_day(d: date) -> datetime:
    """The last instant of a day in Vietnam time (as an aware datetime)."""
    return datetime.combine(d, time(23, 59, 59), VN_TZ)


def start_of_day(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), VN_TZ)


@dataclass(frozen=True)
class Moments:
    """The instants a scan or a page compares due times with, worked out once from `now` and the calendar."""

    now: datetime
    soon_until: datetime  # open and due at or before this (but not yet): sắp trễ hạn
    apology_until: datetime  # open, due at or before this, no apology letter: the letter is due now
    escalate_until: datetime  # open and due at or before this: overdue for the escalation's working days

    @classmethod
    def at(cls, now: datetime, calendar, *, soon_days: int = 1, escalate_days: int = 2) -> Moments:
        """Margins in working days: due within `soon_days` is due soon; overdue for `escalate_days` escalates."""
        today = now.astimezone(VN_TZ).date()
        return cls(
            now=now,
            soon_until=end_of_day(calendar.add_working_days(today, soon_days)),
            apology_until=end_of_day(calendar.add_working_days(today, 1)),
            escalate_until=end_of_day(calendar.add_working_days(today, -escalate_days)),
        )


# --- finished dossiers ---------------------------------------------------------------------------------------


def too_many_supplements() -> ColumnElement[bool]:
    return Dossier.supplement_count > LATE_SUPPLEMENTS


def finished_late() -> ColumnElement[bool]:
    """Ended after its due time, or sent back for supplements more than once."""
    return sa.or_(Dossier.ended_at > Dossier.due_at, too_many_supplements())


def finished_early() -> ColumnElement[bool]:
    """Ended on a day before its due day (and not late for supplements)."""
    return sa.and_(sa.not_(too_many_supplements()), vn_date(Dossier.ended_at) < vn_date(Dossier.due_at))


def finished_on_time() -> ColumnElement[bool]:
    """Ended on its due day, by its due time."""
    return sa.and_(sa.not_(finished_late()), sa.not_(finished_early()))


# --- dossiers open at a moment -----------------------------------------------------------------------------------


def open_at(moment: datetime) -> ColumnElement[bool]:
    """Received by `moment` and not ended by then (for a past period: open at its end)."""
    return sa.and_(Dossier.received_at <= moment, sa.or_(Dossier.is_open, Dossier.ended_at > moment))


def late_at(moment: datetime) -> ColumnElement[bool]:
    """An open dossier that is late at `moment`."""
    return sa.or_(Dossier.due_at < moment, too_many_supplements())


def due_soon_at(moment: datetime, soon_until: datetime) -> ColumnElement[bool]:
    """An open dossier not late at `moment` whose due time falls within the margin."""
    return sa.and_(sa.not_(late_at(moment)), Dossier.due_at <= soon_until)


WAITING_STATUSES = ("supplement", "paused", "awaiting_payment")


def apology_missing(moments: Moments) -> ColumnElement[bool]:
    """Open, no apology letter, and going to be late: already overdue, or due within a working day while it waits
    (for supplements, for payment, or paused), when the letter must go out at the latest."""
    going_late = sa.or_(Dossier.due_at < moments.now,
                        sa.and_(Dossier.due_at <= moments.apology_until, Dossier.status.in_(WAITING_STATUSES)))
    return sa.and_(Dossier.is_open, Dossier.apology_at.is_(None), going_late)


# --- the portal's indicator 4 over a period ---------------------------------------------------------------------


def on_time_for_period(period_end: datetime) -> ColumnElement[bool]:
    """Indicator 4: a dossier received in the period counts on time when it ended by its due time, or is still open
    at the end of the period and not yet due; more than one supplement request is late either way."""
    ended_in_time = sa.and_(Dossier.ended_at.is_not(None), Dossier.ended_at <= period_end,
                            Dossier.ended_at <= Dossier.due_at)
    open_in_time = sa.and_(sa.or_(Dossier.ended_at.is_(None), Dossier.ended_at > period_end),
                           Dossier.due_at >= period_end)
    return sa.and_(sa.not_(too_many_supplements()), sa.or_(ended_in_time, open_in_time))


def count_if(condition) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): counts in one grouped query."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def period_bounds(period) -> tuple[datetime, datetime]:
    """[start, end) of a scoring period in Vietnam time."""
    return start_of_day(period.start_date), start_of_day(period.end_date + timedelta(days=1))
