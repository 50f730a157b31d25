"""Published totals per (unit, period start), summed by the database: the same figures as `queries.totals` over
`queries.best_records`, without bringing every indicator's record into Python (a peer group's 36 months are
~180,000 records at province scale, the totals 5,000 rows).

The rule, as `queries.totals`: per (unit, subject, period) the portal's record, else a manual entry (values computed
from dossiers never count); per group its published total where the portal gives one with points, else the sum of
its indicators' points (a missing point counts 0); a (unit, period) has a total when at least one group counts.

What is remembered, and why it is honest: `cached_totals` keeps the answer of `sql_totals` in this process under
the database, the question (kind, units, periods) and the score data version: a number that database triggers
(migration 0014) move with every statement writing score records or indicators, from any process, CLI, import,
COPY or correction alike, read together with the newest record id and change time. A new import, a manual entry
or a correction changes the key, so nothing computed before it is served after it; there is no expiry by time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import g, has_request_context

from app.extensions import db
from app.indicators.models import Indicator
from app.scores.models import ScoreDataVersion, ScoreRecord

CACHE_SIZE = 64  # answers kept per process (a province asks about a few peer groups × the periods viewed)
_cache: OrderedDict[tuple, dict] = OrderedDict()
_lock = threading.Lock()

TOTAL = sa.Numeric(10, 2)  # a total of points with two decimals (SQLite's float sums come back rounded to them)


def sql_totals(unit_ids, kind: str, *, starts=None, since: date | None = None) -> dict[tuple[int, date], Decimal]:
    """Total per (unit id, period start) of the units for the periods of `kind` (all, `starts`, or since a day)."""
    unit_ids = list(unit_ids)
    if not unit_ids:
        return {}
    r = ScoreRecord.__table__.alias("r")
    p = ScoreRecord.__table__.alias("p")
    ind = Indicator.__table__.alias("i")
    portal_too = sa.exists().where(p.c.unit_id == r.c.unit_id, p.c.subject_key == r.c.subject_key,
                                   p.c.period_kind == r.c.period_kind, p.c.period_start == r.c.period_start,
                                   p.c.formality_code == "", p.c.source == "portal")
    conditions = [r.c.unit_id.in_(unit_ids), r.c.period_kind == kind, r.c.formality_code == "",
                  sa.or_(r.c.source == "portal", sa.and_(r.c.source == "manual", ~portal_too))]
    if starts is not None:
        conditions.append(r.c.period_start.in_(list(starts)))
    if since is not None:
        conditions.append(r.c.period_start >= since)
    best = (sa.select(r.c.unit_id, r.c.period_start,
                      sa.func.coalesce(ind.c.group_id, r.c.group_id).label("gid"),
                      sa.case((r.c.indicator_id.is_not(None), sa.func.coalesce(r.c.points, 0))).label("ind_points"),
                      sa.case((r.c.indicator_id.is_(None), r.c.points)).label("group_points"))
            .select_from(r.outerjoin(ind, ind.c.id == r.c.indicator_id)).where(*conditions).subquery("best"))
    per_group = (sa.select(best.c.unit_id, best.c.period_start,
                           sa.func.max(best.c.group_points).label("published"),
                           sa.func.sum(best.c.ind_points).label("summed"))
                 .group_by(best.c.unit_id, best.c.period_start, best.c.gid).subquery("per_group"))
    total = sa.type_coerce(sa.func.sum(sa.func.coalesce(per_group.c.published, per_group.c.summed)), TOTAL)
    query = (sa.select(per_group.c.unit_id, per_group.c.period_start, total)
             .where(sa.or_(per_group.c.published.is_not(None), per_group.c.summed.is_not(None)))
             .group_by(per_group.c.unit_id, per_group.c.period_start))
    return {(uid, start): value for uid, start, value in db.session.execute(query)}


def data_version() -> tuple:
    """(trigger-moved version, newest record id, newest change) of the score data, in one statement; read once per
    request (a command or a job reads it at every call)."""
    if has_request_context() and "score_data_version" in g:
        return g.score_data_version
    version = tuple(db.session.execute(sa.select(
        sa.select(ScoreDataVersion.version).where(ScoreDataVersion.id == 1).scalar_subquery(),
        sa.select(sa.func.max(ScoreRecord.id)).scalar_subquery(),
        sa.select(sa.func.max(ScoreRecord.updated_at)).scalar_subquery())).one())
    if has_request_context():
        g.score_data_version = version
    return version


def cached_totals(unit_ids, kind: str, *, starts=None, since: date | None = None) -> dict[tuple[int, date], Decimal]:
    """`sql_totals`, remembered under the score data version (see the module's docstring)."""
    unit_ids = sorted(set(unit_ids))
    key = (str(db.engine.url), kind, tuple(unit_ids), tuple(sorted(starts)) if starts is not None else None, since,
           data_version())
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    found = sql_totals(unit_ids, kind, starts=starts, since=since)
    with _lock:
        _cache[key] = found
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return found


RECORDS_CACHE_SIZE = 8  # light record sets kept per process (a period and the one before, per unit set viewed)
_records: OrderedDict[tuple, dict] = OrderedDict()


def cached_light_records(unit_ids, kind: str, starts) -> dict:
    """`queries.best_records(..., light=True)` for some period starts (the heatmap's and the red list's read: a
    period and the one before), remembered under the same score data version as the totals: immutable rows, shared
    by both readers of a request and by the next requests until a score record changes."""
    from app.scores.queries import best_records

    unit_ids = sorted(set(unit_ids))
    starts = tuple(sorted(set(starts)))
    key = (str(db.engine.url), kind, tuple(unit_ids), starts, data_version())
    with _lock:
        if key in _records:
            _records.move_to_end(key)
            return _records[key]
    found = best_records(unit_ids, kind, starts, light=True)
    with _lock:
        _records[key] = found
        while len(_records) > RECORDS_CACHE_SIZE:
            _records.popitem(last=False)
    return found
