"""Tests for app.core.charts: inline-ready, deterministic SVG with text as paths."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from app.core import charts
from app.core.charts import EMPTY_TEXT, OWNER_COLORS, Series, _tick_text, bar_chart, line_chart, sparkline

MONTHS = [f"{m:02d}/2024" for m in range(1, 13)]
OLD = [3.5, 4, 4.5, 5, 6, 5.5, 7, None, None, None, None, None]
NEW = [None, None, None, None, None, None, 7, 8, 8.5, None, 9.25, 9.5]
SVG_NS = "{http://www.w3.org/2000/svg}"


def _owner_chart(**kwargs) -> str:
    series = [Series("Nguyễn Thị Kim Yến", OLD), Series("Trần Văn Bình", NEW, dashed=True)]
    return line_chart(MONTHS, series, title="Tỷ lệ hồ sơ xử lý đúng hạn", y_label="Điểm", **kwargs)


def _assert_inline_svg(svg: str) -> ET.Element:
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "<style" not in svg  # matplotlib's global "*{...}" rule must not leak into the page
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag == f"{SVG_NS}svg"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))
    assert root.get("role") == "img"
    assert root.find(f"{SVG_NS}title") is not None
    assert "<text" not in svg  # text is drawn as paths (identical on screen and in PDFs)
    return root


def test_line_chart_is_inline_svg_with_title():
    svg = _owner_chart(y_max=15, bands=[(7.5, "#fdecea"), (12, "#fff8e1"), (15, "#e8f5e9")])
    root = _assert_inline_svg(svg)
    assert root.find(f"{SVG_NS}title").text == "Tỷ lệ hồ sơ xử lý đúng hạn"
    assert root.get("aria-label") == "Tỷ lệ hồ sơ xử lý đúng hạn"
    assert root.get("width") == "100%" and root.get("height") is None
    assert OWNER_COLORS[0] in svg and OWNER_COLORS[1] in svg


def test_line_chart_is_deterministic():
    first = _owner_chart(y_max=15)
    charts.clear_cache()
    assert first == _owner_chart(y_max=15)
    assert _owner_chart(y_max=15) != _owner_chart(y_max=20)


def test_line_chart_ids_are_unique_per_chart_and_references_resolve():
    first, second = _owner_chart(y_max=15), _owner_chart(y_max=20)
    ids_first = set(re.findall(r'\bid="([^"]+)"', first))
    ids_second = set(re.findall(r'\bid="([^"]+)"', second))
    assert ids_first and not ids_first & ids_second
    refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', first))
    assert refs and refs <= ids_first


def test_title_is_escaped():
    svg = line_chart(["a", "b"], [Series("x", [1, 2])], title='A & B <"c">')
    root = _assert_inline_svg(svg)
    assert root.find(f"{SVG_NS}title").text == 'A & B <"c">'


def test_series_with_gaps_and_decimals():
    values = [Decimal("1.50"), None, Decimal("2.25"), Decimal("3"), None, None, Decimal("0.5")]
    svg = line_chart([f"T{i}" for i in range(7)], [Series("Một", values, color="#123456")], title="Khoảng trống")
    _assert_inline_svg(svg)
    assert "#123456" in svg


def test_many_x_labels_and_series():
    labels = [f"Tháng {m % 12 + 1}/{2022 + m // 12}" for m in range(36)]
    series = [Series(f"Cán bộ {i}", [float(m % 7) if m // 6 == i else None for m in range(36)]) for i in range(6)]
    _assert_inline_svg(line_chart(labels, series, title="Ba năm"))


@pytest.mark.parametrize(
    "x_labels, series",
    [
        ([], []),
        (MONTHS, []),
        (MONTHS, [Series("A", [None] * 12)]),
        (MONTHS, [Series("A", []), Series("B", [None, None])]),
        ([], [Series("A", [1, 2])]),
    ],
)
def test_line_chart_without_data_says_no_data(x_labels, series):
    svg = line_chart(x_labels, series, title="Chỉ số 1")
    root = _assert_inline_svg(svg)
    assert root.find(f"{SVG_NS}title").text == f"Chỉ số 1: {EMPTY_TEXT}"
    assert EMPTY_TEXT in root.get("aria-label")


def test_sparkline():
    svg = sparkline([Decimal("1"), 2, None, 3, 2.5], y_max=5)
    root = _assert_inline_svg(svg)
    assert root.get("width", "").endswith("pt")  # fixed size for table cells
    assert "#1b4f8a" in svg
    assert sparkline([1, 2, 3], color="#c0392b") == sparkline([1, 2, 3], color="#c0392b")


@pytest.mark.parametrize("values", [[], [None, None]])
def test_sparkline_without_data(values):
    root = _assert_inline_svg(sparkline(values))
    assert root.find(f"{SVG_NS}title").text == EMPTY_TEXT


def test_sparkline_single_and_constant_values():
    _assert_inline_svg(sparkline([4.0]))
    _assert_inline_svg(sparkline([2, 2, 2]))


def test_bar_chart():
    units = ["UBND xã An Bình", "UBND xã Tân Phú Đông", "Phường 1", "Thị trấn Cái Bè mở rộng khu vực phía nam"]
    values = [Decimal("15.70"), 12.25, None, Decimal("9")]
    svg = bar_chart(units, values, title="Tổng điểm theo đơn vị", y_max=20, highlight=1)
    root = _assert_inline_svg(svg)
    assert root.find(f"{SVG_NS}title").text == "Tổng điểm theo đơn vị"
    assert "#1b4f8a" in svg  # highlighted bar
    assert svg == bar_chart(units, values, title="Tổng điểm theo đơn vị", y_max=20, highlight=1)
    assert svg != bar_chart(units, values, title="Tổng điểm theo đơn vị", y_max=20, highlight=0)


def test_bar_chart_many_bars_and_negative_values():
    _assert_inline_svg(bar_chart([f"Xã {i}" for i in range(25)], [i * 1.37 - 5 for i in range(25)]))


def test_bar_chart_without_data():
    root = _assert_inline_svg(bar_chart(["A", "B"], [None, None], title="Điểm"))
    assert root.find(f"{SVG_NS}title").text == f"Điểm: {EMPTY_TEXT}"
    _assert_inline_svg(bar_chart([], []))


def test_owner_colors_are_distinct_hex():
    assert 6 <= len(OWNER_COLORS) <= 8
    assert len(set(OWNER_COLORS)) == len(OWNER_COLORS)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in OWNER_COLORS)


@pytest.mark.parametrize(
    "value, text", [(0.0, "0"), (-0.0, "0"), (5.0, "5"), (2.5, "2,5"), (0.25, "0,25"), (1500.0, "1.500"), (-2.5, "-2,5")]
)
def test_axis_ticks_use_decimal_comma(value, text):
    assert _tick_text(value) == text


def test_a_repeated_chart_comes_from_the_cache():
    charts.clear_cache()
    first = _owner_chart(y_max=12)
    assert _owner_chart(y_max=12) is first


# Numbers in the chart's language (issue: "numbers and dates formatted per language"): the locale is an argument.
# Text is drawn as paths, but matplotlib names each drawn text in an XML comment before its glyphs: that comment tells
# what the chart shows.


def _drawn(svg: str) -> list[str]:
    """The texts a chart draws (as paths), in drawing order."""
    return re.findall(r"<!-- (.*?) -->", svg)



@pytest.mark.parametrize(
    "value, text", [(0.0, "0"), (5.0, "5"), (2.5, "2.5"), (0.25, "0.25"), (1500.0, "1,500"), (-2.5, "-2.5")]
)
def test_english_axis_ticks_use_a_decimal_point(value, text):
    assert _tick_text(value, locale="en") == text


def test_an_english_line_chart_has_ticks_like_2_5_and_the_vietnamese_one_2_comma_5():
    labels, series = ["T1", "T2", "T3"], [Series("A", [1, 2, 2.5])]
    vi = line_chart(labels, series, title="t")
    en = line_chart(labels, series, title="t", locale="en")
    assert vi == line_chart(labels, series, title="t", locale="vi")  # the default is Vietnamese
    assert _drawn(vi) == ["T1", "T2", "T3", "0", "0,5", "1", "1,5", "2", "2,5", "t"]  # x labels, y ticks, title
    assert _drawn(en) == ["T1", "T2", "T3", "0", "0.5", "1", "1.5", "2", "2.5", "t"]
    _assert_inline_svg(en)


def test_english_thousands_on_a_line_chart():
    series = [Series("A", [0, 1500, 3000])]
    assert "1,000" in _drawn(line_chart(["a", "b", "c"], series, locale="en"))
    assert "1.000" in _drawn(line_chart(["a", "b", "c"], series))


@pytest.mark.parametrize("phone", [False, True])
def test_an_english_bar_chart_labels_its_bars_93_50(phone):
    labels, values = ["Tân Sơn", "Lâm Sơn", "Quảng Sơn"], [Decimal("93.5"), 87.25, None]
    vi = bar_chart(labels, values, y_max=100, phone=phone)
    en = bar_chart(labels, values, y_max=100, phone=phone, locale="en")
    assert {"93,50", "87,25", "–"} <= set(_drawn(vi))
    assert {"93.50", "87.25", "–"} <= set(_drawn(en)) and not any("," in t for t in _drawn(en))
    _assert_inline_svg(en)


def test_an_empty_chart_says_what_it_is_told():
    for svg in (line_chart(MONTHS, [Series("A", [None] * 12)], title="Index 1", locale="en", empty_text="No data yet"),
                bar_chart(["A"], [None], title="Index 1", locale="en", empty_text="No data yet")):
        root = _assert_inline_svg(svg)
        assert root.get("aria-label") == "Index 1: No data yet" and _drawn(svg) == ["No data yet"]
    spark = sparkline([], locale="en", empty_text="No data yet")
    assert _assert_inline_svg(spark).find(f"{SVG_NS}title").text == "No data yet"
    assert _drawn(bar_chart([], [])) == [EMPTY_TEXT] == _drawn(bar_chart([], [], empty_text=None))


def test_the_language_is_part_of_the_cache_key():
    charts.clear_cache()
    args = (["a", "b"], [Series("A", [1.5, 2.5])])
    vi = line_chart(*args)
    en = line_chart(*args, locale="en")
    assert en is line_chart(*args, locale="en") and vi is line_chart(*args)  # each language cached on its own
    assert "2,5" in _drawn(vi) and "2.5" in _drawn(en)
