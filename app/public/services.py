"""What the public scoreboard shows and who may switch it on: the published figures of a unit (the same scorecard,
rank and trend services as the signed-in pages), the office answering for each group, and the open-data rows.

Nothing here reads the clock (`today` / `now` are passed in) and nothing personal leaves unless the unit's chair
also published officers' names and explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext

from app.assignments.models import Assignment
from app.assignments.services import assignments_on
from app.audit.services import record
from app.core import charts
from app.core.errors import Forbidden
from app.core.i18n import N_, period_name
from app.core.time import to_vn
from app.extensions import db
from app.org.models import Unit
from app.org.services import valid_unit_code
from app.public.models import UnitPublication
from app.scores import queries
from app.scores.models import Explanation
from app.scores.pages import SCORED_KINDS, TrendChart, rank_in_peers, total_trend
from app.scores.periods import Period

KINDS = ("month", "quarter", "year")
SOURCES = {"portal": N_("Cổng Dịch vụ công quốc gia"), "manual": N_("Nhập thủ công")}
ON_TIME_INDICATOR = "PROGRESS_ON_TIME"  # "Tỷ lệ hồ sơ xử lý đúng hạn", as the portal publishes it
TREND_MONTHS = 12


# --- the switch ---------------------------------------------------------------------------------------------------


def can_set_publishing(user, unit: Unit) -> bool:
    """The unit's chair, or a chair above it: publishing is the chair's decision, not an administrator's."""
    return getattr(user, "role", None) == "chair" and user.can_see_unit(unit)


def publication_of(unit: Unit) -> UnitPublication:
    """The unit's switch (a fresh, unsaved one when it never had any: nothing published)."""
    return db.session.get(UnitPublication, unit.id) or UnitPublication(unit_id=unit.id, is_published=False,
                                                                       is_names_published=False)


def set_publishing(actor, unit: Unit, *, publish: bool, names: bool, now: datetime) -> UnitPublication:
    """Switch publishing on or off (names and explanations only with the scores); audited. The caller commits."""
    if actor is not None and not can_set_publishing(actor, unit):
        raise Forbidden(gettext("Chỉ chủ tịch của đơn vị (hoặc cấp trên) mới được quyết định công khai điểm số."))
    row = db.session.get(UnitPublication, unit.id)
    before = None if row is None else {"is_published": row.is_published, "is_names_published": row.is_names_published}
    if row is None:
        row = UnitPublication(unit_id=unit.id)
        db.session.add(row)
    row.is_published, row.is_names_published = bool(publish), bool(publish and names)
    row.updated_at, row.updated_by_id = now, getattr(actor, "id", None)
    after = {"is_published": row.is_published, "is_names_published": row.is_names_published}
    if before != after:
        record(actor, "unit.publishing", unit, before=before, after=after, now=now)
    db.session.flush()
    return row


def public_units() -> list[Unit]:
    """Every active unit whose scores are published, in tree order (parents first, then sort order)."""
    units = db.session.scalars(sa.select(Unit).join(UnitPublication, UnitPublication.unit_id == Unit.id).where(
        UnitPublication.is_published, Unit.is_active, Unit.kind.in_(SCORED_KINDS))).all()
    return sorted(units, key=lambda u: (len(u.ancestors()), u.sort_order, u.name))


def public_unit(code: str) -> tuple[Unit, bool] | None:
    """(unit, names published) for a published unit's code; None for an unknown code and an unpublished unit alike."""
    if len(code or "") > 40 or not valid_unit_code(code):  # never a NUL or a stranger to the database
        return None
    row = db.session.execute(sa.select(Unit, UnitPublication.is_names_published)
                             .join(UnitPublication, UnitPublication.unit_id == Unit.id)
                             .where(Unit.code == code, UnitPublication.is_published, Unit.is_active,
                                    Unit.kind.in_(SCORED_KINDS))).first()
    return (row[0], bool(row[1])) if row else None


# --- the figures --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where a figure comes from: the portal or a manual entry, the imported file, the day it arrived."""

    source: str
    file: str | None
    on: date | None


@dataclass
class GroupFigure:
    code: str
    name: str
    points: Decimal | None
    max_points: Decimal
    office: str | None  # the unit answering for the group (never a person)
    performers: list[str] = field(default_factory=list)  # only when names are published
    provenance: Provenance | None = None


@dataclass
class PeriodFigures:
    period: Period
    total: Decimal | None
    max_points: Decimal
    rank: int | None
    of: int
    movement: int | None
    peers_label: str
    groups: list[GroupFigure]
    on_time_rate: Decimal | None
    provenance: Provenance | None
    peers_page_label: str = ""  # `peers_label` in the page's language (open data keeps the Vietnamese label)


@dataclass
class Scoreboard:
    unit: Unit
    names_published: bool
    figures: dict[str, PeriodFigures]
    trend: TrendChart | None = None
    trend_rows: list[tuple[str, Decimal | None]] = field(default_factory=list)
    explanations: list[dict] = field(default_factory=list)

    @property
    def latest(self) -> PeriodFigures | None:
        return self.figures.get("month") or self.figures.get("quarter") or self.figures.get("year")


def provenance(records) -> Provenance | None:
    """The provenance of a figure made of these records: their sources, and the newest record's file and day."""
    records = [r for r in records if r is not None]
    if not records:
        return None
    label = " + ".join(gettext(SOURCES.get(s, s)) for s in sorted({r.source for r in records}, key=list(SOURCES).index))
    newest = max(records, key=lambda r: (r.batch.created_at if r.batch else r.updated_at))
    moment = newest.batch.created_at if newest.batch else newest.updated_at
    return Provenance(label, newest.batch.filename if newest.batch else None, to_vn(moment).date())


def period_figures(unit: Unit, period: Period, *, today: date, names: bool = False) -> PeriodFigures:
    """The unit's published total, group totals, rank among its peers and on-time rate for one period."""
    card = queries.scorecard(unit, period)
    peers, rank = rank_in_peers(unit, period)
    current = assignments_on(unit.id, today)
    groups, everything = [], []
    on_time = None
    for gc in card.groups:
        records = [gc.total_record] if gc.total_record is not None else [line.record for line in gc.lines]
        everything += records
        owner = current.get(Assignment.key_for(group=gc.group))
        groups.append(GroupFigure(
            gc.group.code, gc.group.name, gc.points, gc.max_points,
            owner.responsible_unit.name if owner is not None else None,
            [u.full_name for u in owner.performers] if names and owner is not None else [], provenance(records)))
        for line in gc.lines:
            if line.indicator.code == ON_TIME_INDICATOR and line.record is not None:
                on_time = line.record.ratio
    return PeriodFigures(period, card.total, card.max_points, rank.rank if rank else None,
                         rank.of if rank else len(peers.units), rank.movement if rank else None, peers.label, groups,
                         on_time, provenance(everything), peers.page_label)


def scoreboard(unit: Unit, *, names: bool, today: date) -> Scoreboard:
    """The public page of a unit: the latest month, quarter and year, a 12-month trend, names only if published."""
    figures = {}
    for kind in KINDS:
        period = queries.latest_period([unit.id], kind)
        if period is not None:
            figures[kind] = period_figures(unit, period, today=today, names=names)
    board = Scoreboard(unit, names, figures)
    month = figures.get("month")
    if month is not None:
        chart, starts = total_trend(unit, "month", month.period)
        labels, values = list(chart.labels[-TREND_MONTHS:]), list(chart.series[0].values[-TREND_MONTHS:])
        board.trend = TrendChart(tuple(labels), (charts.Series(gettext("Tổng điểm"), values),),
                                 title=gettext("Tổng điểm %(unit)s, %(count)s tháng gần nhất", unit=unit.name,
                                               count=len(labels)),
                                 y_label=gettext("điểm / 100"), y_max=100)
        board.trend_rows = [(period_name(queries.period_of("month", s)), v)
                            for s, v in zip(starts[-TREND_MONTHS:], values, strict=True)]
        if names:
            board.explanations = explanations(unit, month.period)
    return board


def explanations(unit: Unit, period: Period) -> list[dict]:
    """The unit's explanations for a period with their authors (only shown when the chair published names): only
    those the reviewer accepted; one waiting for review or sent back is not the unit's answer yet."""
    rows = db.session.scalars(sa.select(Explanation).where(
        Explanation.unit_id == unit.id, Explanation.state == "accepted", Explanation.period_kind == period.kind,
        Explanation.period_start == period.start_date).order_by(Explanation.id)).all()
    from app.auth.models import User
    from app.indicators.models import Indicator

    out = []
    for e in rows:
        author = db.session.get(User, e.author_id) if e.author_id else None
        out.append({"indicator": db.session.get(Indicator, e.indicator_id).name, "reason": e.reason,
                    "remedy": e.remedy, "author": author.full_name if author else ""})
    return out


def badge_figures(unit: Unit) -> PeriodFigures | None:
    """The figures the badge shows: the unit's latest month."""
    period = queries.latest_period([unit.id], "month")
    return None if period is None else period_figures(unit, period, today=period.end_date)


# --- open data ----------------------------------------------------------------------------------------------------


@dataclass
class OpenData:
    period: Period | None
    rows: list[tuple[Unit, PeriodFigures]]


def latest_public_period(units: list[Unit]) -> Period | None:
    return queries.latest_period([u.id for u in units], "month") if units else None


def open_data(period: Period | None, *, today: date) -> OpenData:
    """The published figures of every public unit for a period (default: the newest month any of them has)."""
    units = public_units()
    period = period or latest_public_period(units)
    rows = []
    if period is not None:
        for unit in units:
            figures = period_figures(unit, period, today=today)
            if figures.total is not None:
                rows.append((unit, figures))
    return OpenData(period, rows)

