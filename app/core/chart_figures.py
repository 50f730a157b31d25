"""Charts as figures of a web page: drawn twice, for a desktop and for a 390 px phone (the CSS shows one), captioned
with their title, and described in words for screen readers ("Tổng điểm: từ 70,12 (T12/25) đến 77,21 (T11/26);
thấp nhất …"). Period codes become short ticks: "2024-03" → "T3/24", "2024-Q1" → "Q1/24". Everything in the page's
language: the words, the numbers drawn and described (70,12 / 70.12) and what an empty chart says."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal

from flask import has_request_context
from flask_babel import gettext as _gettext
from markupsafe import Markup

from app.core import charts
from app.core.formatting import local_number
from app.core.i18n import DEFAULT_LOCALE, current_locale

_CODE = re.compile(r"^(\d{4})-(?:(\d{2})|Q([1-4]))$")


def gettext(text: str, **values) -> str:
    """The page's language inside a request; Vietnamese elsewhere (a report rendered by a job or the CLI)."""
    return _gettext(text, **values) if has_request_context() else text % values


def page_locale() -> str:
    """The page's language ("vi", "en"); Vietnamese outside a request (a report rendered by a job or the CLI)."""
    return current_locale() if has_request_context() else DEFAULT_LOCALE


def page_language() -> dict[str, str]:
    """The language arguments of every `charts` function for this page: its number format and its "no data" text."""
    return {"locale": page_locale(), "empty_text": gettext("Chưa có số liệu")}


def period_tick(code: str) -> str:
    """A period code as a short tick label: "2024-03" → "T3/24", "2024-Q1" → "Q1/24"; anything else unchanged."""
    match = _CODE.match(code)
    if not match:
        return code
    year, month, quarter = match.groups()
    if month:
        return gettext("T%(month)s/%(year)s", month=int(month), year=year[2:])
    return gettext("Q%(quarter)s/%(year)s", quarter=quarter, year=year[2:])


def _present(labels: Sequence[str], values: Sequence[float | Decimal | None]) -> list[tuple[str, float]]:
    pairs = zip(labels, values, strict=False)
    return [(label, float(v)) for label, v in pairs if v is not None and math.isfinite(float(v))]


def describe(labels: Sequence[str], values: Sequence[float | Decimal | None], *, rank: bool = False,
             locale: str | None = None) -> str:
    """One series in words: where it starts and ends, its lowest and highest point (for ranks: best and worst);
    numbers in ``locale`` (default: the page's)."""
    locale = locale or page_locale()
    points = _present(labels, values)
    if not points:
        return gettext("Chưa có số liệu")
    digits = 0 if all(v == round(v) for _, v in points) else 2
    (first_at, first), (last_at, last) = points[0], points[-1]
    low_at, low = min(points, key=lambda p: p[1])
    high_at, high = max(points, key=lambda p: p[1])
    if rank:
        return gettext("từ hạng %(first)s (%(first_at)s) đến hạng %(last)s (%(last_at)s); cao nhất hạng %(best)s "
                       "(%(best_at)s), thấp nhất hạng %(worst)s (%(worst_at)s)",
                       first=int(first), first_at=first_at, last=int(last), last_at=last_at, best=int(low),
                       best_at=low_at, worst=int(high), worst_at=high_at)
    return gettext("từ %(first)s (%(first_at)s) đến %(last)s (%(last_at)s); thấp nhất %(low)s (%(low_at)s), "
                   "cao nhất %(high)s (%(high_at)s)",
                   first=local_number(first, digits, locale), first_at=first_at,
                   last=local_number(last, digits, locale), last_at=last_at, low=local_number(low, digits, locale),
                   low_at=low_at, high=local_number(high, digits, locale), high_at=high_at)


def summary(labels: Sequence[str], series: Sequence[charts.Series], *, rank: bool = False,
            locale: str | None = None) -> str:
    """Every series described, one sentence each."""
    if len(series) == 1:
        return describe(labels, series[0].values, rank=rank, locale=locale) + "."
    return " ".join(f"{s.label}: {describe(labels, s.values, rank=rank, locale=locale)}." for s in series)


def _figure(title: str, wide: str, phone: str, text: str) -> Markup:
    return Markup('<figure class="chart"><figcaption>{}</figcaption><div class="for-wide">{}</div>'
                  '<div class="for-phone">{}</div><p class="visually-hidden">{}</p></figure>').format(
        title, Markup(wide), Markup(phone), text)


def line_figure(codes: Sequence[str], series: Sequence[charts.Series], *, title: str, **options) -> Markup:
    """`charts.line_chart` as a page figure; ``codes`` are period codes (drawn as short ticks). In the page's language
    unless ``locale`` / ``empty_text`` are given."""
    options = page_language() | options
    ticks = [period_tick(c) for c in codes]
    wide = charts.line_chart(ticks, list(series), title=title, draw_title=False, **options)
    phone = charts.line_chart(ticks, list(series), title=title, draw_title=False, phone=True, **options)
    text = summary(ticks, series, rank=options.get("rank_axis", False), locale=options["locale"])
    return _figure(title, wide, phone, text)


def bar_figure(labels: Sequence[str], values: Sequence[float | Decimal | None], *, title: str, **options) -> Markup:
    """`charts.bar_chart` as a page figure (horizontal bars on a phone), with every value in words; in the page's
    language unless ``locale`` / ``empty_text`` are given."""
    options = page_language() | options
    wide = charts.bar_chart(list(labels), list(values), title=title, draw_title=False, **options)
    phone = charts.bar_chart(list(labels), list(values), title=title, draw_title=False, phone=True, **options)
    digits = 0 if all(v is None or float(v) == round(float(v)) for v in values) else 2
    text = "; ".join(f"{label}: {'–' if v is None else local_number(float(v), digits, options['locale'])}"
                     for label, v in zip(labels, values, strict=False)) + "."
    return _figure(title, wide, phone, text)
