"""Dossier statistics of a unit and period in the provincial layout, and the dossiers behind each count.

Đã tiếp nhận, Tồn kỳ trước, Cần xử lý; Đang xử lý: trễ hạn / sắp trễ / chưa đến hạn; Đã xử lý: trễ hạn / đúng hạn /
trước hạn; tỷ lệ đúng hạn. One grouped query per page; one row per unit directly below (its subtree summed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.core.i18n import N_
from app.dossiers import lateness as L
from app.dossiers.models import Dossier, DossierClaim
from app.extensions import db
from app.indicators.scoring import round2
from app.org.models import Unit

# bucket → (label, condition(ctx)); ctx carries the period bounds and the moment the open dossiers are seen at
BUCKETS: dict[str, tuple[str, Callable]] = {
    "received": (N_("Đã tiếp nhận trong kỳ"), lambda c: sa.and_(Dossier.received_at >= c.start,
                                                            Dossier.received_at < c.end)),
    "carried": (N_("Tồn kỳ trước chuyển sang"), lambda c: sa.and_(Dossier.received_at < c.start, sa.or_(
        Dossier.is_open, Dossier.ended_at >= c.start))),
    "open_late": (N_("Đang xử lý, trễ hạn"), lambda c: sa.and_(L.open_at(c.as_of), L.late_at(c.as_of))),
    "open_soon": (N_("Đang xử lý, sắp trễ hạn"), lambda c: sa.and_(L.open_at(c.as_of),
                                                                L.due_soon_at(c.as_of, c.soon_until))),
    "open_ok": (N_("Đang xử lý, chưa đến hạn"), lambda c: sa.and_(L.open_at(c.as_of), sa.not_(L.late_at(c.as_of)),
                                                               Dossier.due_at > c.soon_until)),
    "done_late": (N_("Đã xử lý, trễ hạn"), lambda c: sa.and_(_ended_in(c), L.finished_late())),
    "done_on_time": (N_("Đã xử lý, đúng hạn"), lambda c: sa.and_(_ended_in(c), L.finished_on_time())),
    "done_early": (N_("Đã xử lý, trước hạn"), lambda c: sa.and_(_ended_in(c), L.finished_early())),
    "apology_missing": (N_("Sắp trễ hoặc đã trễ, chưa có phiếu xin lỗi"), lambda c: sa.and_(
        L.open_at(c.as_of), Dossier.apology_at.is_(None), sa.or_(
            Dossier.due_at < c.as_of, sa.and_(Dossier.due_at <= c.apology_until,
                                             Dossier.status.in_(L.WAITING_STATUSES))))),
    "late_data_error": (N_("Trễ do lỗi dữ liệu, đã xác nhận"), lambda c: sa.and_(
        sa.or_(sa.and_(_ended_in(c), L.finished_late()), sa.and_(L.open_at(c.as_of), L.late_at(c.as_of))),
        _accepted_claim())),
    "on_time_indicator4": (N_("Đúng hạn theo cách tính chỉ số 4"), lambda c: sa.and_(
        Dossier.received_at >= c.start, Dossier.received_at < c.end, L.on_time_for_period(c.as_of))),
}
LISTABLE = [k for k in BUCKETS if k != "on_time_indicator4"]


def _ended_in(c) -> sa.ColumnElement[bool]:
    return sa.and_(Dossier.ended_at >= c.start, Dossier.ended_at < c.end, Dossier.ended_at <= c.as_of)


def _accepted_claim() -> sa.ColumnElement[bool]:
    return sa.exists().where(DossierClaim.dossier_id == Dossier.id, DossierClaim.status == "accepted")


@dataclass(frozen=True)
class Window:
    """A period seen at a moment: [start, end), open dossiers judged at `as_of` (the end, or now if sooner)."""

    start: datetime
    end: datetime
    as_of: datetime
    soon_until: datetime
    apology_until: datetime

    @classmethod
    def of(cls, period, *, now: datetime, calendar, soon_days: int = 1) -> Window:
        start, end = L.period_bounds(period)
        as_of = min(now, end)
        moments = L.Moments.at(as_of, calendar, soon_days=soon_days)
        return cls(start, end, as_of, moments.soon_until, moments.apology_until)

    @property
    def is_running(self) -> bool:
        return self.as_of < self.end


def relevant(c: Window) -> sa.ColumnElement[bool]:
    """Dossiers that can count in the window: received before its end and not ended before its start."""
    return sa.and_(Dossier.received_at < c.end, sa.or_(Dossier.is_open, Dossier.ended_at >= c.start))


@dataclass
class StatRow:
    unit: Unit | None  # None for the total row
    counts: dict[str, int] = field(default_factory=dict)
    is_own: bool = False  # dossiers handled by the unit itself (not by a unit below it)

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)

    @property
    def to_handle(self) -> int:
        """Cần xử lý = tiếp nhận trong kỳ + tồn kỳ trước."""
        return self["received"] + self["carried"]

    @property
    def done(self) -> int:
        return self["done_late"] + self["done_on_time"] + self["done_early"]

    @property
    def processing(self) -> int:
        return self["open_late"] + self["open_soon"] + self["open_ok"]

    @property
    def on_time_rate(self) -> Decimal | None:
        """Tỷ lệ giải quyết đúng hạn: (đúng hạn + trước hạn) ÷ đã xử lý, in percent."""
        return round2(Decimal(100) * (self.done - self["done_late"]) / self.done) if self.done else None

    @property
    def late_rate(self) -> Decimal | None:
        """Tỷ lệ trễ hạn = (trễ đang xử lý + trễ đã xử lý) ÷ (tiếp nhận trong kỳ + tồn kỳ trước)."""
        return round2(Decimal(100) * (self["open_late"] + self["done_late"]) / self.to_handle) if self.to_handle \
            else None

    @property
    def indicator4_points(self) -> Decimal:
        """20 × on time ÷ received, as the portal scores indicator 4 (nothing received: 0)."""
        received = self["received"]
        return round2(Decimal(20) * self["on_time_indicator4"] / received) if received else Decimal("0.00")


@dataclass
class Statistics:
    unit: Unit
    period: object
    window: Window
    rows: list[StatRow]
    total: StatRow


def _columns(c: Window):
    return [L.count_if(condition(c)).label(key) for key, (_label, condition) in BUCKETS.items()]


def _grouped(unit_ids: list[int], c: Window, *, is_open: bool):
    """Every bucket's count per handling unit over the open (or the closed) dossiers, in one grouped query; with
    how long the counts hold (stats_cache.py): closed, from the latest receipt or end among them; open, from the
    window's moment until the next due time, receipt or end after it."""
    part = Dossier.is_open if is_open else sa.not_(Dossier.is_open)
    if is_open:
        after = [sa.func.min(sa.case((column > c.as_of, column))) for column in
                 (Dossier.due_at, Dossier.received_at, Dossier.ended_at)]
        bound = [*after, sa.func.count(sa.case((Dossier.due_at == c.as_of, 1)))]
    else:
        bound = [sa.func.max(sa.case((Dossier.ended_at > Dossier.received_at, Dossier.ended_at),
                                     else_=Dossier.received_at))]
    query = (sa.select(Dossier.handling_unit_id, *bound, *_columns(c))
             .where(Dossier.handling_unit_id.in_(unit_ids), part, relevant(c))
             .group_by(Dossier.handling_unit_id))
    rows = db.session.execute(query).all()
    width = len(bound) + 1
    counts = {row[0]: dict(zip(BUCKETS, (int(v) for v in row[width:]), strict=True)) for row in rows}
    if is_open:
        if any(row[4] for row in rows):  # a due time exactly now: its standing changes at the next instant
            return counts, None
        nexts = [_utc(v) for row in rows for v in row[1:4] if v is not None]
        return counts, (c.as_of, min(nexts, default=None))
    latest = max((_utc(row[1]) for row in rows if row[1] is not None), default=None)
    if latest is None or latest <= c.as_of:
        return counts, (latest or c.start, None)
    if c.as_of >= c.end:  # a past window, seen at its end only
        return counts, (c.end, None)
    return counts, None


def _utc(moment: datetime) -> datetime:
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def counts_by_unit(unit_ids, c: Window) -> dict[int, dict[str, int]]:
    """Every bucket's count per handling unit: the closed and the open dossiers counted apart, each through the
    statistics cache (keyed on the data version and on when the counts hold: stats_cache.py)."""
    from app.dossiers import stats_cache

    ids = sorted(unit_ids)
    out = {uid: dict(counts) for uid, counts in
           stats_cache.cached("closed", ids, c, lambda: _grouped(ids, c, is_open=False)).items()}
    for uid, counts in stats_cache.cached("open", ids, c, lambda: _grouped(ids, c, is_open=True)).items():
        target = out.setdefault(uid, dict.fromkeys(BUCKETS, 0))
        for key, value in counts.items():
            target[key] = target.get(key, 0) + value
    return out


def subtree_map(unit: Unit) -> tuple[list[Unit], dict[int, int]]:
    """The unit's direct children (active, in order) and, for every unit of the tree, the child it lies under
    (the unit itself maps to itself)."""
    tree = sa.select(Unit.id, Unit.parent_id).where(Unit.id == unit.id).cte("tree", recursive=True)
    tree = tree.union_all(sa.select(Unit.id, Unit.parent_id).join(tree, Unit.parent_id == tree.c.id))
    parent_of = dict(db.session.execute(sa.select(tree.c.id, tree.c.parent_id)).all())
    children = [u for u in unit.children if u.id in parent_of]

    def top_of(uid: int) -> int:
        node = uid
        while node != unit.id:
            if parent_of[node] == unit.id:
                return node
            node = parent_of[node]
        return unit.id

    return children, {uid: top_of(uid) for uid in parent_of}


def unit_statistics(unit: Unit, period, *, now: datetime, calendar, soon_days: int = 1,
                    visible: set[int] | None = None) -> Statistics:
    """The statistics table of a unit for a period: a row per unit directly below it, its own row, the total.

    `visible` limits the count to the handling units the reader may see (an indicator owner sees the offices of
    the scorecard they answer for, not its communes)."""
    c = Window.of(period, now=now, calendar=calendar, soon_days=soon_days)
    children, top = subtree_map(unit)
    if visible is not None:
        top = {uid: t for uid, t in top.items() if uid in visible}
        children = [child for child in children if any(t == child.id for t in top.values())]
    by_unit = counts_by_unit(top.keys(), c)
    rows = {child.id: StatRow(child) for child in children}
    own = StatRow(unit, is_own=True)
    total = StatRow(None)
    for uid, counts in by_unit.items():
        target = own if top[uid] == unit.id else rows.get(top[uid], own)
        for row in (target, total):
            for key, value in counts.items():
                row.counts[key] = row.counts.get(key, 0) + value
    shown = [r for r in rows.values() if r.to_handle or r.processing]
    if own.to_handle or own.processing:
        shown.insert(0, own)
    return Statistics(unit, period, c, shown, total)


def dossiers_in(unit_ids, c: Window, bucket: str, *, limit: int = 50, offset: int = 0, order=None):
    """The dossiers behind one count (newest due first, or as `order`, a ListState of core.listing, says), and how
    many there are."""
    _label, condition = BUCKETS[bucket]
    where = sa.and_(Dossier.handling_unit_id.in_(list(unit_ids)), relevant(c), condition(c))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier).where(where)) or 0
    stmt = sa.select(Dossier).where(where).order_by(Dossier.due_at.desc(), Dossier.id.desc())
    if order is not None:
        stmt = order.order_select(stmt, Dossier.id.desc())
    rows = db.session.scalars(stmt.limit(limit).offset(offset)).all()
    return rows, total


@dataclass
class Pressure:
    """What needs doing now in a scorecard's dossiers: overdue, due soon, apology letters missing."""

    unit: Unit
    open_late: int = 0
    open_soon: int = 0
    apology_missing: int = 0

    @property
    def any(self) -> bool:
        return bool(self.open_late or self.open_soon or self.apology_missing)


def pressure(scope_units: list[Unit], *, now: datetime, calendar, soon_days: int = 1) -> dict[int, Pressure]:
    """Open dossiers needing action now, per scorecard unit (its offices, not its communes), in one query."""
    from app.dossiers.access import all_units, scorecard_map

    if not scope_units:
        return {}
    moments = L.Moments.at(now, calendar, soon_days=soon_days)
    c = Window(start=now, end=now, as_of=now, soon_until=moments.soon_until, apology_until=moments.apology_until)
    scope_of = scorecard_map(all_units())
    wanted = {u.id for u in scope_units}
    members = [uid for uid, scope in scope_of.items() if scope in wanted]
    out = {u.id: Pressure(u) for u in scope_units}
    keys = ("open_late", "open_soon", "apology_missing")
    query = (sa.select(Dossier.handling_unit_id, *[L.count_if(BUCKETS[k][1](c)).label(k) for k in keys])
             .where(Dossier.handling_unit_id.in_(members), Dossier.is_open).group_by(Dossier.handling_unit_id))
    for row in db.session.execute(query).mappings():
        target = out[scope_of[row["handling_unit_id"]]]
        for key in keys:
            setattr(target, key, getattr(target, key) + int(row[key]))
    return out
