"""Read models for scores: scorecards, totals, ranks, trends and heatmaps (no writes)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from app.extensions import db
from app.indicators.models import Indicator, IndicatorGroup, subject_key
from app.indicators.services import catalog
from app.org.models import Unit
from app.scores.models import ScoreRecord
from app.scores.peers import PEER_NAMES, PeerGroup, child_peer_groups, peer_group, siblings  # noqa: F401
from app.scores.periods import Period, month_period, quarter_period, year_period

SOURCE_ORDER = {"portal": 0, "manual": 1, "computed": 2}
ZERO = Decimal(0)


def period_of(kind: str, start: date) -> Period:
    """The Period of a kind starting on a date."""
    if kind == "month":
        return month_period(start.year, start.month)
    if kind == "quarter":
        return quarter_period(start.year, (start.month - 1) // 3 + 1)
    return year_period(start.year)


def previous(period: Period) -> Period:
    """The period of the same kind just before."""
    y, m = period.start_date.year, period.start_date.month
    if period.kind == "month":
        return month_period(y - (m == 1), 12 if m == 1 else m - 1)
    if period.kind == "quarter":
        q = (m - 1) // 3 + 1
        return quarter_period(y - (q == 1), 4 if q == 1 else q - 1)
    return year_period(y - 1)


def band_of(points: Decimal | None, max_points: Decimal | None) -> tuple[str, str] | None:
    """(label, css key) of the configured band a score falls in, by share of the maximum."""
    if points is None or not max_points:
        return None
    share = float(points) / float(max_points)
    bands = current_app.config["SCORE_BANDS"]
    last = len(bands) - 1
    for i, (label, low) in enumerate(bands):
        if share >= low or i == last:
            # colours: band-0 (best) … band-3, and band-4 always for the lowest ("red") band
            return label, "band-4" if i == last else f"band-{min(i, 3)}"
    return None


def is_lowest_band(points: Decimal | None, max_points: Decimal | None) -> bool:
    band = band_of(points, max_points)
    return band is not None and band[1] == "band-4"


LIGHT_COLUMNS = (ScoreRecord.unit_id, ScoreRecord.subject_key, ScoreRecord.period_start, ScoreRecord.source,
                 ScoreRecord.points, ScoreRecord.indicator_id, ScoreRecord.group_id)


def best_records(unit_ids, kind: str, starts=None, since: date | None = None, *, light: bool = False,
                 subjects=None) -> dict:
    """One record per (unit, subject, period start): the portal's, else a manual entry. Values computed from
    dossiers are never a figure of record: they are read apart, as a check beside it (Scorecard lines).

    `light` returns plain rows with only the columns totals need (no ORM objects): for long series.
    `subjects` limits the read to some subject keys ("I:PROGRESS_ON_TIME", ...).
    """
    portal = aliased(ScoreRecord)
    portal_too = sa.exists().where(
        portal.unit_id == ScoreRecord.unit_id, portal.subject_key == ScoreRecord.subject_key,
        portal.period_kind == ScoreRecord.period_kind, portal.period_start == ScoreRecord.period_start,
        portal.formality_code == "", portal.source == "portal")
    query = sa.select(*LIGHT_COLUMNS) if light else sa.select(ScoreRecord)
    query = query.where(  # the database keeps a manual entry only where the portal has no record
        ScoreRecord.unit_id.in_(list(unit_ids)), ScoreRecord.period_kind == kind, ScoreRecord.formality_code == "",
        sa.or_(ScoreRecord.source == "portal", sa.and_(ScoreRecord.source == "manual", ~portal_too)))
    if starts is not None:
        query = query.where(ScoreRecord.period_start.in_(list(starts)))
    if since is not None:
        query = query.where(ScoreRecord.period_start >= since)
    if subjects is not None:
        query = query.where(ScoreRecord.subject_key.in_(list(subjects)))
    rows = db.session.execute(query) if light else db.session.scalars(query)
    return {(rec.unit_id, rec.subject_key, rec.period_start): rec for rec in rows}


def latest_period(unit_ids, kind: str = "month") -> Period | None:
    """The newest period of a kind with a figure of record (portal or manual) for these units."""
    # per unit, the newest start is one step back along ix_score_record_unit_period (not a read of its history)
    newest = sa.select(sa.func.max(ScoreRecord.period_start)).where(
        ScoreRecord.unit_id == Unit.id, ScoreRecord.period_kind == kind, ScoreRecord.source != "computed"
    ).correlate(Unit).scalar_subquery()
    start = db.session.scalar(sa.select(sa.func.max(newest)).where(Unit.id.in_(list(unit_ids))))
    return period_of(kind, start) if start else None


def available_periods(unit_ids, kind: str = "month") -> list[Period]:
    starts = db.session.scalars(sa.select(ScoreRecord.period_start).distinct().where(
        ScoreRecord.unit_id.in_(list(unit_ids)), ScoreRecord.period_kind == kind, ScoreRecord.source != "computed")
        .order_by(ScoreRecord.period_start.desc()))
    return [period_of(kind, s) for s in starts]


def totals(records: dict[tuple, ScoreRecord], groups: list[IndicatorGroup]) -> dict[tuple[int, date], Decimal]:
    """Total points per (unit, period start) as the portal publishes them.

    Each group counts with its published total where the portal gives one (III.1 and III.2 carry only that;
    a sum of their rounded indicator points can differ by 0,01), else with the sum of its indicators' points.
    """
    published_groups = {g.id for g in groups}
    ind_group = {i.id: i.group_id for g in groups for i in g.indicators}
    published: dict[tuple[int, date, int], Decimal] = {}
    summed: dict[tuple[int, date, int], Decimal] = defaultdict(lambda: ZERO)
    for (unit_id, _key, start), rec in records.items():
        if rec.indicator_id is not None:
            group_id = ind_group.get(rec.indicator_id)
            if group_id is not None:
                summed[(unit_id, start, group_id)] += rec.points or ZERO
        elif rec.group_id in published_groups and rec.points is not None:
            published[(unit_id, start, rec.group_id)] = rec.points
    sums: dict[tuple[int, date], Decimal] = defaultdict(lambda: ZERO)
    for key in set(published) | set(summed):
        sums[key[:2]] += published[key] if key in published else summed[key]
    return dict(sums)


@dataclass
class Line:
    indicator: Indicator
    record: ScoreRecord | None
    previous: ScoreRecord | None
    max_points: Decimal
    computed: ScoreRecord | None = None  # the value computed from dossiers, when the figure of record is another

    @property
    def computed_gap(self) -> Decimal | None:
        """Computed minus the figure of record (portal), when both exist."""
        if self.computed is None or self.computed.points is None or self.points is None:
            return None
        return self.computed.points - self.points

    @property
    def points(self):
        return self.record.points if self.record else None

    @property
    def change(self) -> Decimal | None:
        if self.record is None or self.previous is None or None in (self.record.points, self.previous.points):
            return None
        return self.record.points - self.previous.points

    @property
    def band(self):
        return band_of(self.points, self.max_points)


@dataclass
class GroupCard:
    group: IndicatorGroup
    lines: list[Line] = field(default_factory=list)
    total_record: ScoreRecord | None = None
    previous_total: Decimal | None = None

    @property
    def max_points(self) -> Decimal:
        return sum((line.max_points for line in self.lines), ZERO)

    @property
    def published(self) -> Decimal | None:
        """The group total as the portal published it, if it did."""
        return self.total_record.points if self.total_record is not None else None

    @property
    def computed(self) -> Decimal | None:
        """The sum of the indicators' points shown on the card."""
        scored = [line.points for line in self.lines if line.points is not None]
        return sum(scored, ZERO) if scored else None

    @property
    def points(self) -> Decimal | None:
        """The figure of record: published, else the sum of the indicators."""
        return self.published if self.published is not None else self.computed

    @property
    def deviation(self) -> Decimal | None:
        """Sum of the indicators minus the published total, when both exist and differ ("lệch quy tắc")."""
        if self.published is None or self.computed is None or self.computed == self.published:
            return None
        return self.computed - self.published

    @property
    def band(self):
        return band_of(self.points, self.max_points)


@dataclass
class Scorecard:
    unit: Unit
    period: Period
    groups: list[GroupCard]
    total: Decimal | None
    previous_total: Decimal | None
    max_points: Decimal

    @property
    def computed_total(self) -> Decimal | None:
        """The sum of every indicator's points on the card (a check beside the published total)."""
        scored = [g.computed if g.computed is not None else g.published for g in self.groups]
        scored = [p for p in scored if p is not None]
        return sum(scored, ZERO) if scored else None

    @property
    def deviation(self) -> Decimal | None:
        """Sum of the indicators minus the total of record, when they differ."""
        if self.total is None or self.computed_total is None or self.computed_total == self.total:
            return None
        return self.computed_total - self.total

    @property
    def change(self):
        if self.total is None or self.previous_total is None:
            return None
        return self.total - self.previous_total

    @property
    def band(self):
        return band_of(self.total, self.max_points)


def scorecard(unit: Unit, period: Period) -> Scorecard:
    """Groups and indicators of one unit for one period, with the change from the period before."""
    from app.indicators.services import rules_on

    prev = previous(period)
    records = best_records([unit.id], period.kind, [period.start_date, prev.start_date])
    groups = catalog()
    rules = rules_on(period.start_date)
    computed = {rec.subject_key: rec for rec in db.session.scalars(sa.select(ScoreRecord).where(
        ScoreRecord.unit_id == unit.id, ScoreRecord.period_kind == period.kind,
        ScoreRecord.period_start == period.start_date, ScoreRecord.source == "computed",
        ScoreRecord.formality_code == ""))}
    cards = []
    for g in groups:
        card = GroupCard(g, total_record=records.get((unit.id, subject_key(group=g), period.start_date)))
        for ind in g.indicators:
            rule, key = rules.get(ind.id), subject_key(indicator=ind)
            record = records.get((unit.id, key, period.start_date))
            extra = computed.get(key)
            card.lines.append(Line(ind, record, records.get((unit.id, key, prev.start_date)),
                                   rule.max_points if rule else ZERO, extra))
        cards.append(card)
    sums = totals(records, groups)
    total = sums.get((unit.id, period.start_date))
    return Scorecard(unit, period, cards, total, sums.get((unit.id, prev.start_date)),
                     sum((c.max_points for c in cards), ZERO))


@dataclass
class Rank:
    unit: Unit
    total: Decimal
    rank: int
    of: int
    previous_rank: int | None

    @property
    def movement(self) -> int | None:
        """Places gained (positive) or lost since the previous period."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def label(self) -> str:
        move = self.movement
        arrow = "" if move is None else (" ▲" + str(move) if move > 0 else " ▼" + str(-move) if move < 0 else " =")
        return f"{self.rank}/{self.of}{',' if arrow else ''}{arrow}"


def _competition_ranks(totals_by_unit: dict[int, Decimal]) -> dict[int, int]:
    ordered = sorted(totals_by_unit.items(), key=lambda kv: -kv[1])
    ranks, last, last_rank = {}, None, 0
    for i, (uid, total) in enumerate(ordered, 1):
        if total != last:
            last_rank, last = i, total
        ranks[uid] = last_rank
    return ranks


def ranks(units: list[Unit], period: Period) -> list[Rank]:
    """Rank units (usually siblings) by total for a period, with the movement since the period before."""
    from app.scores.totals import cached_totals

    prev = previous(period)
    sums = cached_totals([u.id for u in units], period.kind, starts=[period.start_date, prev.start_date])
    now = {u.id: sums[(u.id, period.start_date)] for u in units if (u.id, period.start_date) in sums}
    before = {u.id: sums[(u.id, prev.start_date)] for u in units if (u.id, prev.start_date) in sums}
    now_ranks, before_ranks = _competition_ranks(now), _competition_ranks(before)
    by_id = {u.id: u for u in units}
    rows = [Rank(by_id[uid], now[uid], now_ranks[uid], len(now), before_ranks.get(uid)) for uid in now]
    return sorted(rows, key=lambda r: (r.rank, r.unit.name))


def total_series(units: list[Unit], kind: str, since: date | None = None) -> dict[int, dict[date, Decimal]]:
    """Total points per unit per period start."""
    from app.scores.totals import cached_totals

    sums = cached_totals([u.id for u in units], kind, since=since)
    out: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for (uid, start), total in sums.items():
        out[uid][start] = total
    return out


def rank_series(unit: Unit, kind: str, since: date | None = None) -> dict[date, tuple[int, int]]:
    """(rank, count) of a unit among its siblings for every period."""
    peers = siblings(unit)
    series = total_series(peers, kind, since)
    starts = sorted({s for per in series.values() for s in per})
    out = {}
    for start in starts:
        now = {uid: per[start] for uid, per in series.items() if start in per}
        if unit.id in now:
            out[start] = (_competition_ranks(now)[unit.id], len(now))
    return out


def indicator_series(indicator: Indicator, units: list[Unit], kind: str,
                     since: date | None = None) -> dict[int, dict[date, ScoreRecord]]:
    """An indicator's records per unit per period start."""
    return series_by_subject(units, kind, [indicator], since).get(subject_key(indicator=indicator), {})


def series_by_subject(units: list[Unit], kind: str, indicators: list[Indicator],
                      since: date | None = None) -> dict[str, dict[int, dict[date, ScoreRecord]]]:
    """Several indicators' records, subject → unit → period start, in one query."""
    keys = [subject_key(indicator=i) for i in indicators]
    out: dict[str, dict[int, dict[date, ScoreRecord]]] = defaultdict(lambda: defaultdict(dict))
    for (uid, subject, start), rec in best_records([u.id for u in units], kind, since=since, subjects=keys).items():
        out[subject][uid][start] = rec
    return out


def heatmap(units: list[Unit], period: Period) -> tuple[list[Indicator], list[tuple[Unit, list[Line]]]]:
    """Units × indicators for one period (share of max), for the chair's overview (records as light rows: the
    cells show points only)."""
    from app.indicators.services import rules_on
    from app.scores.totals import cached_light_records

    prev = previous(period)
    records = cached_light_records([u.id for u in units], period.kind, [period.start_date, prev.start_date])
    indicators = [i for g in catalog() for i in g.indicators]
    rules = rules_on(period.start_date)
    keyed = [(i, subject_key(indicator=i), rules[i.id].max_points if i.id in rules else ZERO) for i in indicators]
    rows = []
    for u in units:
        lines = [Line(i, records.get((u.id, key, period.start_date)), records.get((u.id, key, prev.start_date)),
                      max_points) for i, key, max_points in keyed]
        if any(line.record for line in lines):
            rows.append((u, lines))
    return indicators, rows


def formality_breakdown(unit: Unit, period: Period) -> dict[str, list[ScoreRecord]]:
    """Per-procedure (TTHC) drill-down records of a unit for a period, by procedure code."""
    rows = db.session.scalars(sa.select(ScoreRecord).where(
        ScoreRecord.unit_id == unit.id, ScoreRecord.period_kind == period.kind,
        ScoreRecord.period_start == period.start_date, ScoreRecord.formality_code != "",
        ScoreRecord.indicator_id.is_not(None)))
    out: dict[str, list[ScoreRecord]] = defaultdict(list)
    for rec in rows:
        out[rec.formality_code].append(rec)
    for recs in out.values():
        recs.sort(key=lambda r: (r.indicator.group.sort_order, r.indicator.sort_order))
    return dict(sorted(out.items()))
