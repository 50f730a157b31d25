"""Heatmaps as data (units × groups on the home page, units × indicators on the scores overview): column groups,
one row per unit with a total column, and the legend of the colour bands; drawn by one macro
(templates/scores/_heatmap.html) so that pages, exports and sort links read the same structure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext

from app.core.formatting import local_number
from app.indicators.models import IndicatorGroup, subject_key
from app.indicators.services import catalog, rules_on
from app.org.models import Unit
from app.scores import queries
from app.scores.pages import HeatCell
from app.scores.periods import Period
from app.scores.totals import cached_light_records, cached_totals

TOTAL_MAX = Decimal(100)


@dataclass(frozen=True)
class HeatColumn:
    """One column: its short heading ("4", "II"), its full name (hover text) and its maximum points."""

    key: str
    label: str
    title: str
    max_points: Decimal


@dataclass(frozen=True)
class HeatColumnGroup:
    """Columns under one header (an indicator group on the overview; every group at once on the home page)."""

    label: str
    title: str
    columns: tuple[HeatColumn, ...]


@dataclass(frozen=True)
class HeatRow:
    unit: Unit
    cells: tuple[HeatCell, ...]
    total: Decimal | None
    total_cell: HeatCell


@dataclass(frozen=True)
class LegendBand:
    label: str
    css: str
    low: float  # share of the maximum where the band starts (0.9 = 90%)
    high: float | None  # where the next band starts (None for the best band)


@dataclass
class Heatmap:
    period: Period
    column_groups: list[HeatColumnGroup]
    rows: list[HeatRow] = field(default_factory=list)
    legend: list[LegendBand] = field(default_factory=list)
    grouped: bool = True  # a header row of column groups above the columns

    @property
    def columns(self) -> list[HeatColumn]:
        return [c for g in self.column_groups for c in g.columns]


def legend() -> list[LegendBand]:
    """The configured bands, best first, with the css key `queries.band_of` gives them."""
    bands = current_app.config["SCORE_BANDS"]
    last = len(bands) - 1
    out = []
    for i, (label, low) in enumerate(bands):
        out.append(LegendBand(label, "band-4" if i == last else f"band-{min(i, 3)}", low,
                              bands[i - 1][1] if i > 0 else None))
    return out


def _cell(points: Decimal | None, max_points: Decimal, title: str, cache: dict) -> HeatCell:
    key = (title, points, max_points)
    if key not in cache:
        band = queries.band_of(points, max_points)
        text = local_number(points, 1) if points is not None else ""
        hover = f"{title}: {local_number(points)} / {local_number(max_points)}" if points is not None else title
        cache[key] = HeatCell(band[1] if band else "", hover, text)
    return cache[key]


def _total_cell(total: Decimal | None, cache: dict) -> HeatCell:
    return _cell(total, TOTAL_MAX, gettext("Tổng điểm"), cache)


def group_points(records: dict, unit_id: int, group: IndicatorGroup, start: date) -> Decimal | None:
    """A group's points as the scorecard counts them: the published group total, else the sum of its indicators."""
    published = records.get((unit_id, subject_key(group=group), start))
    if published is not None and published.points is not None:
        return published.points
    scored = [rec.points for ind in group.indicators
              if (rec := records.get((unit_id, subject_key(indicator=ind), start))) is not None
              and rec.points is not None]
    return sum(scored, Decimal(0)) if scored else None


def by_group(units: list[Unit], period: Period) -> Heatmap:
    """Units × indicator groups with the total /100 (units without any score for the period left out)."""
    prev = queries.previous(period)
    ids = [u.id for u in units]
    records = cached_light_records(ids, period.kind, [period.start_date, prev.start_date])
    totals = cached_totals(ids, period.kind, starts=[period.start_date, prev.start_date])
    rules = rules_on(period.start_date)
    groups = catalog()
    maxima = {g.id: sum((rules[i.id].max_points for i in g.indicators if i.id in rules), Decimal(0)) for g in groups}
    columns = tuple(HeatColumn(f"G:{g.code}", g.code, f"{g.code}. {g.name}", maxima[g.id]) for g in groups)
    heat = Heatmap(period, [HeatColumnGroup(gettext("Nhóm chỉ số"), "", columns)], legend=legend(), grouped=False)
    cache: dict = {}
    for unit in units:
        total = totals.get((unit.id, period.start_date))
        points = [group_points(records, unit.id, g, period.start_date) for g in groups]
        if total is None and all(p is None for p in points):
            continue
        cells = tuple(_cell(p, maxima[g.id], f"{g.code}. {g.name}", cache) for g, p in zip(groups, points, strict=True))
        heat.rows.append(HeatRow(unit, cells, total, _total_cell(total, cache)))
    return heat


def by_indicator(indicators: list, rows: list[tuple[Unit, list[queries.Line]]], period: Period) -> Heatmap:
    """The overview's units × indicators (from `queries.heatmap`) under their group headers, with the total /100."""
    totals = cached_totals([u.id for u, _ in rows], period.kind,
                           starts=[period.start_date, queries.previous(period).start_date])
    max_of = {line.indicator.id: line.max_points for line in (rows[0][1] if rows else [])}
    column_groups: list[HeatColumnGroup] = []
    for ind in indicators:
        column = HeatColumn(f"I:{ind.code}", ind.number or "*", ind.label, max_of.get(ind.id, Decimal(0)))
        if column_groups and column_groups[-1].label == ind.group.code:
            last = column_groups[-1]
            column_groups[-1] = HeatColumnGroup(last.label, last.title, (*last.columns, column))
        else:
            column_groups.append(HeatColumnGroup(ind.group.code, ind.group.name, (column,)))
    heat = Heatmap(period, column_groups, legend=legend())
    cache: dict = {}
    for unit, lines in rows:
        total = totals.get((unit.id, period.start_date))
        cells = tuple(_cell(line.points, line.max_points, line.indicator.label, cache) for line in lines)
        heat.rows.append(HeatRow(unit, cells, total, _total_cell(total, cache)))
    return heat
