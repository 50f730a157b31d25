"""Server-side charts as inline SVG strings (matplotlib, text as paths, numbers in the chart's language).

Pure module: no Flask, no database. The language is an argument (``locale="vi"``: 93,5; ``"en"``: 93.5) and so is
the text of an empty chart (``empty_text``, default EMPTY_TEXT): callers pass the page's, and both are part of the
cache key like every other argument. Every chart is drawn on its own ``Figure`` with the SVG
backend (never pyplot). Rendering is serialised by a module lock because matplotlib's rcParams
(needed for ``svg.fonttype``/``svg.hashsalt``) are process-global.
"""

from __future__ import annotations

import functools
import io
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path
from matplotlib.ticker import FuncFormatter, MaxNLocator

from app.core.chart_cache import cached as _cached
from app.core.chart_cache import clear as clear_cache  # noqa: F401  (tests call charts.clear_cache)
from app.core.chart_svg import finish as _finish
from app.core.formatting import local_number

# Dark blue, orange, green, red, purple, ochre, teal, slate grey: distinguishable, print-friendly.
OWNER_COLORS: tuple[str, ...] = ("#1b4f8a", "#d9822b", "#2e8b57", "#c0392b", "#7d3c98", "#8c6d1f", "#138d90", "#5d6d7e")
EMPTY_TEXT = "Chưa có số liệu"

_LOCK = threading.Lock()
_RC = {
    "svg.fonttype": "path", "svg.hashsalt": "chiso766", "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8, "axes.edgecolor": "#888888",
    "axes.spines.top": False, "axes.spines.right": False, "xtick.color": "#444444", "ytick.color": "#444444",
}
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_MAX_X_TICKS = 12
_FONT = 8.0  # tick/legend font size in points
_ROTATION = 40


@dataclass
class Series:
    """One line of a line chart; None values leave a gap."""

    label: str
    values: list[float | Decimal | None]
    color: str | None = None
    dashed: bool = False


def _floats(values: Sequence[float | Decimal | None]) -> list[float]:
    """Convert to floats; None (and non-finite values) become NaN so matplotlib breaks the line."""
    floats = (float("nan") if v is None else float(v) for v in values)
    return [f if math.isfinite(f) else float("nan") for f in floats]


def _has_data(values: Sequence[float]) -> bool:
    return any(not math.isnan(v) for v in values)


def _tick_text(value: float, _pos: object = None, locale: str = "vi") -> str:
    """Axis tick label in the locale's number format (2,5 / 2.5): 0 digits for whole numbers, else 1 (or 2 if
    needed)."""
    if abs(value) < 1e-9:
        return "0"
    for digits in (0, 1):
        if abs(value - round(value, digits)) < 1e-9:
            return local_number(round(value, digits), digits, locale)
    return local_number(round(value, 2), 2, locale)


def _tick_formatter(locale: str) -> FuncFormatter:
    return FuncFormatter(functools.partial(_tick_text, locale=locale))


def _value_digits(values: Sequence[float]) -> int:
    """0 digits when every value is whole, otherwise the app's usual 2."""
    return 0 if all(math.isnan(v) or v == round(v) for v in values) else 2


def _render(build: Callable[[], Figure], title: str, responsive: bool = True, font: float = _FONT) -> str:
    """Build a figure under fixed rcParams and return the finished SVG markup."""
    with _LOCK, matplotlib.rc_context():
        matplotlib.rcdefaults()  # ignore rcParams changed elsewhere in the process
        matplotlib.rcParams.update(_RC)
        matplotlib.rcParams["font.size"] = font
        fig = build()
        FigureCanvasSVG(fig)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata=_METADATA)
    return _finish(buf.getvalue(), title, responsive)


def _empty(title: str, width: float, height: float, responsive: bool = True, text: str | None = None) -> str:
    """Placeholder SVG saying ``text`` (default EMPTY_TEXT, "Chưa có số liệu"), at most 0.6 inch high."""
    height = min(height, 0.6)
    text = text or EMPTY_TEXT

    def build() -> Figure:
        fig = Figure(figsize=(width, height))
        fig.patch.set_alpha(0)
        size = max(5.0, min(9.0, height * 22))
        fig.text(0.5, 0.5, text, ha="center", va="center", color="#777777", fontsize=size)
        return fig

    return _render(build, f"{title}: {text}" if title else text, responsive)


def _text_width(text: str, size: float) -> float:
    """Width of ``text`` in points at font ``size`` (DejaVu Sans), without drawing."""
    prop = FontProperties(family="DejaVu Sans", size=size)
    return text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0]


def _style_x_labels(ax: Axes, labels: list[str], width: float, pad: float, thin: bool = True, font: float = _FONT,
                    max_ticks: int = _MAX_X_TICKS) -> tuple[float, float]:
    """Show at most ~12 x tick labels (rotated when crowded); return (label height, left overhang) in points.

    ``pad`` is the x-axis room before the first tick, in category slots.
    """
    step = max(1, math.ceil(len(labels) / max_ticks)) if thin else 1
    positions = list(range(0, len(labels), step))
    shown = [labels[i] for i in positions]
    ax.set_xticks(positions, shown)
    if thin and step > 1:  # the last period is the one readers look for: keep it labelled
        positions = list(range(len(labels) - 1, -1, -step))[::-1]
        shown = [labels[i] for i in positions]
        ax.set_xticks(positions, shown)
    widths = [_text_width(s, font) for s in shown]
    slot = width * 72 * 0.85 / max(1, len(labels))
    if max(widths) + 4 <= slot * step:
        return font * 1.2, 0.0
    for label in ax.get_xticklabels():
        label.set_rotation(_ROTATION)
        label.set_horizontalalignment("right")
        label.set_rotation_mode("anchor")
    angle = math.radians(_ROTATION)
    overhang = widths[0] * math.cos(angle) - pad * slot
    return max(widths) * math.sin(angle) + font * 1.2 * math.cos(angle), max(0.0, overhang)


def _y_axis(ax: Axes, data: list[float], y_max: float | None, headroom: float, font: float = _FONT,
            locale: str = "vi") -> float:
    """Set y limits, ticks in the locale's number format and grid; return the tick label width in points."""
    present = [v for v in data if not math.isnan(v)]
    low = min(0.0, min(present))
    high = max(present) if y_max is None else max(y_max, max(present))
    if high <= low:
        high = low + 1.0
    top = high * headroom if high > 0 else high
    ax.set_ylim(low, top)
    locator = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 3, 5, 10], min_n_ticks=3)
    ax.yaxis.set_major_locator(locator)
    ax.yaxis.set_major_formatter(_tick_formatter(locale))
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    ticks = [t for t in locator.tick_values(low, top) if low - 1e-9 <= t <= top + 1e-9]
    return max((_text_width(_tick_text(t, locale=locale), font) for t in ticks), default=10.0)


def _legend(fig: Figure, ax: Axes, count: int, width: float, font: float = _FONT) -> float:
    """Legend centred below the plot; return its height in points."""
    handles, labels = ax.get_legend_handles_labels()
    entry = max(_text_width(s, font) for s in labels) + 3.5 * font
    ncols = max(1, min(count, 4, int(width * 72 * 0.95 // entry)))
    rows = math.ceil(count / ncols)
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.01), ncols=ncols, frameon=False,
               borderaxespad=0.2, columnspacing=1.5, handlelength=2.0)
    return rows * font * 1.75 + 4


def _title(ax: Axes, title: str) -> None:
    """Title above the axes, left-aligned (plain text: cheaper than ax.set_title's auto-positioning)."""
    if title:
        ax.annotate(title, (0, 1), xycoords="axes fraction", xytext=(0, 5), textcoords="offset points",
                    ha="left", va="bottom", fontsize=10)


def _place(fig: Figure, width: float, height: float, *, left: float, bottom: float, top: float,
           right: float = 10.0) -> None:
    """Position the single axes from margins given in points (fast, deterministic layout)."""
    w, h = width * 72, height * 72
    pad = 6.0
    bottom_f = min(0.6, (bottom + pad) / h)
    top_f = max(bottom_f + 0.2, 1 - (top + pad) / h)
    fig.subplots_adjust(left=min(0.4, (left + pad) / w), right=1 - right / w, bottom=bottom_f, top=top_f)


PHONE = {"width": 3.6, "height": 2.6, "font": 9.0, "max_ticks": 6}  # drawn at ~345 px wide: 9 pt text shows at 12 px


@_cached
def line_chart(x_labels: list[str], series: list[Series], *, title: str = "", y_label: str = "",
               y_max: float | None = None, bands: list[tuple[float, str]] | None = None,
               width: float = 7.0, height: float = 2.8, rank_axis: bool = False, phone: bool = False,
               draw_title: bool = True, locale: str = "vi", empty_text: str | None = None) -> str:
    """Line chart (e.g. points per month per owner) as inline SVG markup.

    ``rank_axis`` draws ranks: 1 at the top, whole numbers only, from 1 to ``y_max`` (the number of units).

    Each series has one value per x label (None = gap, which breaks the line). To show a change of
    owner as one visually continuous line in two colours, give each owner its own Series holding
    None where the other owner held the indicator, and repeat the boundary month's value in BOTH
    series (the last point of the old owner is also the first point of the new one).
    ``bands`` are ascending thresholds ``(value, colour)``: band i shades the background from the
    previous threshold (0 for the first) up to ``value``. The legend is drawn below the plot when
    there is more than one series. Sizes are in inches; the SVG scales to 100% of its container.
    ``phone`` draws it for a 390 px screen (narrower, larger text, at most 6 labelled periods); ``draw_title=False``
    keeps the title as the chart's accessible name only (the page shows it as the figure's caption).
    ``locale`` writes the numbers ("vi": 2,5; "en": 2.5); ``empty_text`` is what a chart without data says (default
    EMPTY_TEXT, Vietnamese): both in the page's language, given by the caller.
    """
    font, max_ticks = (PHONE["font"], PHONE["max_ticks"]) if phone else (_FONT, _MAX_X_TICKS)
    if phone:
        width, height = PHONE["width"], PHONE["height"]
    drawn_title = title if draw_title else ""
    data = [_floats(s.values) for s in series]
    if not x_labels or not any(_has_data(d) for d in data):
        return _empty(title, width, height, text=empty_text)

    def build() -> Figure:
        fig = Figure(figsize=(width, height))
        ax = fig.subplots()
        xs = list(range(len(x_labels)))
        for i, (s, ys) in enumerate(zip(series, data, strict=True)):
            ys = (ys + [float("nan")] * len(xs))[: len(xs)]
            ax.plot(xs, ys, color=s.color or OWNER_COLORS[i % len(OWNER_COLORS)], linestyle="--" if s.dashed else "-",
                    linewidth=1.6, marker="o", markersize=3.2, label=s.label, clip_on=False, zorder=3)
        if rank_axis:
            present = [v for d in data for v in d if not math.isnan(v)]
            bottom = max([y_max or 1.0, *present])
            ax.set_ylim(bottom + 0.5, 0.5)
            ax.yaxis.set_major_locator(MaxNLocator(nbins=min(8, int(bottom)), integer=True, min_n_ticks=2))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{int(v)}"))
            ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
            y_width = _text_width(str(int(bottom)), font)
        else:
            y_width = _y_axis(ax, [v for d in data for v in d], y_max, 1.05, font, locale)
        low = 0.0
        for value, colour in sorted(bands or []):
            ax.axhspan(low, value, color=colour, linewidth=0, zorder=0)
            low = value
        ax.set_xlim(-0.4, len(xs) - 0.6)
        x_height, overhang = _style_x_labels(ax, x_labels, width, 0.4, font=font, max_ticks=max_ticks)
        _title(ax, drawn_title)
        if y_label:
            ax.set_ylabel(y_label)
        legend = _legend(fig, ax, len(series), width, font) if len(series) > 1 else 0.0
        last = ax.get_xticklabels()[-1]  # a horizontal last label reaches past the axes by half its width
        right = 10.0 if last.get_rotation() else max(10.0, _text_width(last.get_text(), font) / 2 + 2)
        _place(fig, width, height, left=max(overhang, y_width + 7 + (font * 1.6 if y_label else 0)),
               bottom=x_height + 7 + legend, top=16.0 if drawn_title else 4.0, right=right)
        return fig

    return _render(build, title, font=font)


@_cached
def sparkline(values: list[float | Decimal | None], *, y_max: float | None = None, width: float = 1.3,
              height: float = 0.32, color: str = "#1b4f8a", title: str = "", locale: str = "vi",
              empty_text: str | None = None) -> str:
    """Tiny line without axes, last point marked with a dot; keeps its fixed size (for table cells).

    It draws no number (``locale`` is taken like every chart's), only ``empty_text`` when there is no data."""
    ys = _floats(values)
    if not _has_data(ys):
        return _empty(title, width, height, responsive=False, text=empty_text)

    def build() -> Figure:
        fig = Figure(figsize=(width, height))
        fig.patch.set_alpha(0)
        ax = fig.add_axes((0.04, 0.12, 0.92, 0.76))
        ax.set_axis_off()
        xs = list(range(len(ys)))
        ax.plot(xs, ys, color=color, linewidth=1.1, clip_on=False)
        last = max(i for i, v in enumerate(ys) if not math.isnan(v))
        ax.plot([last], [ys[last]], marker="o", markersize=2.6, color=color, clip_on=False)
        present = [v for v in ys if not math.isnan(v)]
        low = min(0.0, min(present)) if y_max is not None else min(present)
        high = y_max if y_max is not None else max(present)
        if high <= low:
            low, high = low - 1.0, high + 1.0
        ax.set_ylim(low, high)
        ax.set_xlim(0, max(1, len(ys) - 1))
        return fig

    return _render(build, title, responsive=False)


@_cached
def bar_chart(labels: list[str], values: list[float | Decimal | None], *, title: str = "", y_max: float | None = None,
              highlight: int | None = None, width: float = 7.0, height: float = 2.8, phone: bool = False,
              draw_title: bool = True, locale: str = "vi", empty_text: str | None = None) -> str:
    """Vertical bars with value labels in the locale's number format; the bar at index ``highlight`` is emphasised.

    ``phone`` draws horizontal bars instead (one line per label, names readable at 390 px). ``locale`` and
    ``empty_text`` as for `line_chart`."""
    ys = _floats(values)
    if not labels or not _has_data(ys):
        return _empty(title, width, height, text=empty_text)
    ys = (ys + [float("nan")] * len(labels))[: len(labels)]
    if phone:
        return _bars_across(labels, ys, title, y_max, highlight, locale)
    drawn_title = title if draw_title else ""

    def build() -> Figure:
        fig = Figure(figsize=(width, height))
        ax = fig.subplots()
        xs = list(range(len(labels)))
        colours = ["#1b4f8a" if i == highlight else "#9bb8d8" for i in xs]
        bars = ax.bar(xs, [0.0 if math.isnan(v) else v for v in ys], color=colours, width=0.7, zorder=2)
        digits = _value_digits(ys)
        texts = ["–" if math.isnan(v) else local_number(v, digits, locale) for v in ys]
        many = len(labels) > 14
        ax.bar_label(bars, texts, padding=2, fontsize=6 if many else 7, rotation=90 if many else 0, color="#333333")
        y_width = _y_axis(ax, ys, y_max, 1.25 if many else 1.12, locale=locale)
        ax.set_xlim(-0.6, len(xs) - 0.4)
        short = [s if len(s) <= 28 else s[:27] + "…" for s in labels]
        x_height, overhang = _style_x_labels(ax, short, width, 0.6, thin=False)
        if highlight is not None and 0 <= highlight < len(labels):
            ax.get_xticklabels()[highlight].set_fontweight("bold")
        _title(ax, drawn_title)
        _place(fig, width, height, left=max(overhang, y_width + 7), bottom=x_height + 7,
               top=16.0 if drawn_title else 2.0)
        return fig

    return _render(build, title)


def _bars_across(labels: list[str], ys: list[float], title: str, y_max: float | None, highlight: int | None,
                 locale: str) -> str:
    """The phone form of `bar_chart`: one horizontal bar per label, names on the left, values at the bar ends."""
    font, width = PHONE["font"], PHONE["width"]
    short = [s if len(s) <= 18 else s[:17] + "…" for s in labels]
    height = 0.3 * len(labels) + 0.45

    def build() -> Figure:
        fig = Figure(figsize=(width, height))
        ax = fig.subplots()
        ys_ = list(range(len(labels)))
        colours = ["#1b4f8a" if i == highlight else "#9bb8d8" for i in ys_]
        bars = ax.barh(ys_, [0.0 if math.isnan(v) else v for v in ys], color=colours, height=0.7, zorder=2)
        digits = _value_digits(ys)
        ax.bar_label(bars, ["–" if math.isnan(v) else local_number(v, digits, locale) for v in ys], padding=2,
                     fontsize=font, color="#333333")
        top = max([v for v in ys if not math.isnan(v)] + [y_max or 0.0])
        ax.set_xlim(0, top * 1.22 or 1.0)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_yticks(ys_, short)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.set_major_formatter(_tick_formatter(locale))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        if highlight is not None and 0 <= highlight < len(labels):
            ax.get_yticklabels()[highlight].set_fontweight("bold")
        left = max(_text_width(s, font) for s in short) + 8
        _place(fig, width, height, left=left, bottom=font * 1.2 + 6, top=2.0)
        return fig

    return _render(build, title, font=font)
