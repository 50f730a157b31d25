"""Charts on web pages: short period ticks, a text summary for screen readers, a drawing for desktops and one for
phones (larger text, fewer ticks, horizontal bars)."""

import re

import pytest

from app.core import charts
from app.core.chart_figures import bar_figure, describe, line_figure, period_tick, summary
from app.core.charts import Series


@pytest.mark.parametrize(("code", "tick"), [
    ("2024-03", "T3/24"), ("2026-11", "T11/26"), ("2024-Q1", "Q1/24"), ("2026", "2026"), ("Tân Sơn", "Tân Sơn"),
])
def test_period_codes_become_short_ticks(code, tick):
    assert period_tick(code) == tick


def test_a_series_is_described_by_its_ends_and_extremes_skipping_gaps():
    text = describe(["T1/26", "T2/26", "T3/26", "T4/26"], [12.5, None, 10, 15])
    assert text == "từ 12,50 (T1/26) đến 15,00 (T4/26); thấp nhất 10,00 (T3/26), cao nhất 15,00 (T4/26)"


def test_ranks_are_described_best_first():
    text = describe(["T1/26", "T2/26", "T3/26"], [3, 1, 7], rank=True)
    assert text == "từ hạng 3 (T1/26) đến hạng 7 (T3/26); cao nhất hạng 1 (T2/26), thấp nhất hạng 7 (T3/26)"


def test_several_series_are_described_one_sentence_each_and_no_data_says_so():
    text = summary(["T1/26", "T2/26"], [Series("Tân Sơn", [1, 2]), Series("Lâm Sơn", [None, None])])
    assert text == "Tân Sơn: từ 1 (T1/26) đến 2 (T2/26); thấp nhất 1 (T1/26), cao nhất 2 (T2/26). Lâm Sơn: Chưa có số liệu."


def _x_ticks(svg: str) -> int:
    return len(re.findall(r'<g id="[^"]*xtick_\d+"', svg))


def test_a_line_figure_has_its_title_as_caption_both_drawings_and_the_summary():
    codes = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 12)]
    html = str(line_figure(codes, [Series("Tổng điểm", list(range(len(codes))))], title="Tổng điểm Ninh Sơn",
                           y_max=100))
    assert html.startswith('<figure class="chart"><figcaption>Tổng điểm Ninh Sơn</figcaption>')
    wide, phone = re.findall(r'<div class="for-(?:wide|phone)">(.*?)</div>', html, re.S)
    assert 'aria-label="Tổng điểm Ninh Sơn"' in wide and 'aria-label="Tổng điểm Ninh Sơn"' in phone
    assert _x_ticks(phone) <= 6 < _x_ticks(wide) <= 12
    assert '<p class="visually-hidden">từ 0 (T1/25) đến 22 (T11/26);' in html


def test_the_phone_drawing_is_narrow_and_uses_larger_text():
    labels, series = ["T1/26", "T2/26", "T3/26"], [Series("Tổng điểm", [1, 2, 3])]
    wide = charts.line_chart(labels, series)
    phone = charts.line_chart(labels, series, phone=True)
    width = [float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1)) for svg in (wide, phone)]
    assert width == [504.0, charts.PHONE["width"] * 72]
    # shown at ~345 px on a 390 px phone, 9 pt text is 12 px (the desktop drawing there would be 5-6 px)
    assert charts.PHONE["font"] * 345 / (charts.PHONE["width"] * 72) >= 11


def test_a_bar_figure_is_horizontal_on_a_phone_and_lists_every_value():
    html = str(bar_figure(["Tân Sơn", "Lâm Sơn"], [93.66, None], title="Tổng điểm các xã", y_max=100, highlight=0))
    assert "<p class=\"visually-hidden\">Tân Sơn: 93,66; Lâm Sơn: –.</p>" in html
    phone = re.search(r'<div class="for-phone">(.*?)</div>', html, re.S).group(1)
    assert len(re.findall(r'<g id="[^"]*ytick_\d+"', phone)) == 2  # one named bar per unit, across


# On an English page: the drawings' numbers, the words for screen readers and the empty chart in English (the text is
# drawn as paths; matplotlib names each drawn text in an XML comment, which is what these tests read).


def _drawn(html: str) -> list[str]:
    return re.findall(r"<!-- (.*?) -->", html)


def test_an_english_line_figure_writes_numbers_with_a_decimal_point(app):
    from flask_babel import force_locale

    codes = ["2026-01", "2026-02", "2026-03"]
    with app.test_request_context(), force_locale("en"):
        html = str(line_figure(codes, [Series("Total score", [1, 2, 2.5])], title="Total score"))
    wide, phone = re.findall(r'<div class="for-(?:wide|phone)">(.*?)</div>', html, re.S)
    for svg in (wide, phone):
        assert "2.5" in _drawn(svg) and not any("," in t for t in _drawn(svg)), _drawn(svg)
    assert "from 1.00 (1/26) to 2.50 (3/26); lowest 1.00 (1/26), highest 2.50 (3/26)." in html


def test_the_same_line_figure_on_a_vietnamese_page_is_unchanged(app):
    codes, series = ["2026-01", "2026-02", "2026-03"], [Series("Tổng điểm", [1, 2, 2.5])]
    outside = str(line_figure(codes, series, title="Tổng điểm"))  # no request: Vietnamese
    with app.test_request_context():
        html = str(line_figure(codes, series, title="Tổng điểm"))
    assert html == outside
    assert "2,5" in _drawn(html) and "từ 1,00 (T1/26) đến 2,50 (T3/26)" in html
    wide = re.search(r'<div class="for-wide">(.*?)</div>', html, re.S).group(1)
    assert wide == charts.line_chart(["T1/26", "T2/26", "T3/26"], series, title="Tổng điểm", draw_title=False)


def test_an_english_bar_figure_and_empty_figures(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        bars = str(bar_figure(["Tân Sơn", "Lâm Sơn"], [93.5, None], title="Totals", y_max=100, highlight=0))
        empty_line = str(line_figure(["2026-01"], [Series("Total score", [None])], title="Total score"))
        empty_bars = str(bar_figure(["Tân Sơn"], [None], title="Totals"))
    assert '<p class="visually-hidden">Tân Sơn: 93.50; Lâm Sơn: –.</p>' in bars
    assert "93.50" in _drawn(bars) and "93,50" not in _drawn(bars)
    for html in (empty_line, empty_bars):
        assert _drawn(html) == ["No data yet", "No data yet"]  # the desktop and the phone drawings
        assert "Chưa có số liệu" not in html and ': No data yet"' in html  # aria-label "Totals: No data yet"
