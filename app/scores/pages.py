"""What a score page shows, assembled once: plain data objects used by the web pages, the PDF reports and the API.

Views parse the request and render one of these; `reports.content` builds the quarterly report from the same
objects, and both draw their charts with the same chart functions (`TrendChart.svg`). Titles are in the page's
language (the report assembles its content in Vietnamese, under force_locale).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from flask_babel import gettext
from markupsafe import Markup

from app.core import charts
from app.core.i18n import N_
from app.org.models import Unit
from app.scores import accountability, queries
from app.scores.periods import Period

KINDS = {"month": N_("Tháng"), "quarter": N_("Quý"), "year": N_("Năm")}
HISTORY_FROM = {"month": 36, "quarter": 16, "year": 8}
SCORED_KINDS = ("province", "district", "commune", "department")


@dataclass(frozen=True)
class TrendChart:
    """A line chart as data (labels, series, title): drawn by `svg()` with the app's one line-chart function."""

    labels: tuple[str, ...]
    series: tuple[charts.Series, ...]
    title: str
    y_label: str = ""
    y_max: float | None = None
    rank_axis: bool = False

    def svg(self, *, width: float = 7.0, height: float = 2.8, locale: str = "vi", empty_text: str | None = None) -> str:
        """One drawing (the PDF report's): Vietnamese numbers and "no data" text unless told otherwise."""
        from app.core.chart_figures import period_tick

        return charts.line_chart([period_tick(c) for c in self.labels], list(self.series), title=self.title,
                                 y_label=self.y_label, y_max=self.y_max, rank_axis=self.rank_axis, width=width,
                                 height=height, locale=locale, empty_text=empty_text)

    def figure(self) -> Markup:
        """On a web page: drawn for a desktop and for a phone, captioned, described in words for screen readers."""
        from app.core.chart_figures import line_figure

        return line_figure(self.labels, self.series, title=self.title, y_label=self.y_label, y_max=self.y_max,
                           rank_axis=self.rank_axis)


def kind_choices() -> dict[str, str]:
    """The kinds of period for a picker, in the page's language."""
    return {k: gettext(v) for k, v in KINDS.items()}


def since(kind: str, latest: Period | None) -> date | None:
    """First period start of the history drawn on trend charts (36 months, 16 quarters or 8 years back)."""
    if latest is None:
        return None
    start = latest.start_date
    months = {"month": 1, "quarter": 3, "year": 12}[kind] * HISTORY_FROM[kind]
    y, m = divmod(start.year * 12 + start.month - 1 - months, 12)
    return date(y, m + 1, 1)


def rank_in_peers(unit: Unit, period: Period) -> tuple[queries.PeerGroup, queries.Rank | None]:
    """The peer group a unit is ranked in, and its rank there for the period."""
    group = queries.peer_group(unit)
    rank = next((r for r in queries.ranks(group.units, period) if r.unit.id == unit.id), None)
    return group, rank


def total_trend(unit: Unit, kind: str, period: Period) -> tuple[TrendChart, list[date]]:
    """The unit's published total per period up to `period`, and the period starts it covers."""
    series = queries.total_series([unit], kind, since(kind, period)).get(unit.id, {})
    starts = [s for s in sorted(series) if s <= period.start_date]
    chart = TrendChart(tuple(queries.period_of(kind, s).code for s in starts),
                       (charts.Series(gettext("Tổng điểm"), [series[s] for s in starts]),),
                       title=gettext("Tổng điểm %(unit)s", unit=unit.name), y_label=gettext("điểm / 100"), y_max=100)
    return chart, starts


def rank_trend(unit: Unit, kind: str, starts: list[date], peers: queries.PeerGroup,
               period: Period) -> TrendChart | None:
    """The unit's rank in its peer group per period (None when it has no peers or no ranks)."""
    if len(peers.units) < 2:
        return None
    ranks = queries.rank_series(unit, kind, since(kind, period))
    if not ranks:
        return None
    return TrendChart(tuple(queries.period_of(kind, s).code for s in starts),
                      (charts.Series(gettext("Thứ hạng"), [ranks[s][0] if s in ranks else None for s in starts]),),
                      title=gettext("Thứ hạng trong %(peers)s (1 là cao nhất)", peers=peers.page_label),
                      y_label=gettext("hạng"),
                      y_max=len(peers.units), rank_axis=True)


@dataclass
class ScorecardPage:
    """One unit's scorecard for one period, with its rank, trends, red indicators and sub-units."""

    unit: Unit
    kind: str
    period: Period | None
    periods: list[Period] = field(default_factory=list)
    card: queries.Scorecard | None = None
    peers: queries.PeerGroup | None = None
    rank: queries.Rank | None = None
    total_chart: TrendChart | None = None
    rank_chart: TrendChart | None = None
    red: list[accountability.RedItem] = field(default_factory=list)
    child_groups: list[queries.PeerGroup] = field(default_factory=list)
    formalities: dict = field(default_factory=dict)


def scorecard_page(unit: Unit, kind: str, period: Period | None = None, *, with_details: bool = True) -> ScorecardPage:
    """The scorecard of `unit` for `period` (default: its latest period of `kind`); empty when it has no scores.

    `with_details=False` leaves out the per-procedure drill-down and the period list (exports, reports).
    """
    period = period or queries.latest_period([unit.id], kind)
    if period is None:
        return ScorecardPage(unit, kind, None)
    card = queries.scorecard(unit, period)
    peers, rank = rank_in_peers(unit, period)
    page = ScorecardPage(unit, kind, period, card=card, peers=peers, rank=rank)
    page.total_chart, starts = total_trend(unit, kind, period)
    page.rank_chart = rank_trend(unit, kind, starts, peers, period)
    page.red = accountability.red_items(unit, period, card)
    page.child_groups = [g for g in queries.child_peer_groups(unit) if g.kind in SCORED_KINDS]
    if with_details:
        page.periods = queries.available_periods([unit.id], kind)
        page.formalities = queries.formality_breakdown(unit, period)
    return page


@dataclass(frozen=True)
class HeatCell:
    """One heatmap cell as drawn: band colour, hover text ("4. Tên chỉ số: 1,50 / 2,00") and points to one decimal, in
    the page's number format."""

    css: str
    title: str
    text: str

    @cached_property
    def html(self) -> Markup:
        """The cell's <td>, escaped as the template would (built once per distinct cell, not per unit × indicator)."""
        return Markup('<td class="cell {}" title="{}">{}</td>').format(self.css, self.title, self.text)


def heat_cells(heat: list) -> list[tuple[Unit, list[HeatCell]]]:
    """The heatmap's rows as cells, formatted once per distinct value (170 units × 31 indicators at a province)."""
    from app.core.formatting import local_number

    labels: dict[int, str] = {}
    cells: dict[tuple, HeatCell] = {}
    rows = []
    for unit, lines in heat:
        row = []
        for line in lines:
            key = (line.indicator.id, line.points, line.max_points)
            if key not in cells:
                if line.indicator.id not in labels:
                    labels[line.indicator.id] = line.indicator.label
                band = line.band
                cells[key] = HeatCell(band[1] if band else "",
                                      f"{labels[line.indicator.id]}: {local_number(line.points)} / "
                                      f"{local_number(line.max_points)}",
                                      local_number(line.points, 1) if line.points is not None else "")
            row.append(cells[key])
        rows.append((unit, row))
    return rows


@dataclass
class OverviewPage:
    """A chair's overview of a unit (its scorecard, rank, trends), its tree's heatmap, fallers and red indicators."""

    root: Unit
    kind: str
    period: Period | None
    periods: list[Period] = field(default_factory=list)
    card: queries.Scorecard | None = None
    peers: queries.PeerGroup | None = None
    rank: queries.Rank | None = None
    chart: TrendChart | None = None
    rank_chart: TrendChart | None = None
    indicators: list = field(default_factory=list)
    heat: list = field(default_factory=list)
    fallers: list[accountability.Faller] = field(default_factory=list)
    red: list[accountability.RedItem] = field(default_factory=list)

    def heat_cells(self) -> list[tuple[Unit, list[HeatCell]]]:
        return heat_cells(self.heat)


def overview_page(root: Unit, units: list[Unit], kind: str, period: Period | None = None) -> OverviewPage:
    """The overview of `root` with the heatmap of `units` (those in the user's scope) for `period` or the latest."""
    units = [u for u in units if u.kind in SCORED_KINDS]
    if root not in units:
        units.insert(0, root)
    period = period or queries.latest_period([u.id for u in units], kind)
    if period is None:
        return OverviewPage(root, kind, None)
    indicators, heat = queries.heatmap(units, period)
    chart, starts = total_trend(root, kind, period)
    chart = TrendChart(chart.labels, chart.series, title=chart.title, y_max=100)
    peers, rank = rank_in_peers(root, period)
    card = queries.scorecard(root, period)
    return OverviewPage(
        root, kind, period, periods=queries.available_periods([root.id], kind), card=card, peers=peers, rank=rank,
        chart=chart, rank_chart=rank_trend(root, kind, starts, peers, period), indicators=indicators, heat=heat,
        fallers=accountability.fallers(root, period, card=card), red=accountability.red_items(root, period, card),
    )


@dataclass
class RanksTable:
    group: queries.PeerGroup
    rows: list[queries.Rank]
    highlight: int | None = None

    def chart_svg(self) -> str:
        """Bar chart of the group's totals (the unit asked about emphasised), as on the ranks page (its language)."""
        from app.core.chart_figures import page_language

        return charts.bar_chart([r.unit.name.replace("UBND ", "") for r in self.rows], [r.total for r in self.rows],
                                title=gettext("Tổng điểm %(peers)s", peers=self.group.page_label), y_max=100,
                                highlight=self.highlight, **page_language())

    def chart_figure(self) -> Markup:
        """The same chart on a web page (horizontal bars on a phone), with the totals in words."""
        from app.core.chart_figures import bar_figure

        return bar_figure([r.unit.name.replace("UBND ", "") for r in self.rows], [r.total for r in self.rows],
                          title=gettext("Tổng điểm %(peers)s", peers=self.group.page_label), y_max=100,
                          highlight=self.highlight)


def ranks_tables(unit: Unit, groups: list[queries.PeerGroup], period: Period | None) -> list[RanksTable]:
    """Each peer group ranked for the period (groups without any total left out)."""
    tables = []
    if period is None:
        return tables
    for group in groups:
        rows = queries.ranks(group.units, period)
        if rows:
            tables.append(RanksTable(group, rows, next((i for i, r in enumerate(rows) if r.unit.id == unit.id),
                                                       None)))
    return tables
