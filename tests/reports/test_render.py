"""The renderer: only the app's own static files, the vendored fonts embedded (no silent fallback), the same charts
as the web pages, the draft marked as such."""

from pathlib import Path

import pytest

from app.reports import content, render
from app.reports.render import STATIC, StaticOnlyFetcher
from app.scores import pages
from tests.reports.conftest import TODAY, flat, pdf_fonts, pdf_text

OURS = {"VB-Serif", "VB-Serif-Bold", "VB-Serif-Italic", "VB-Serif-Bold-Italic"}
STAMP = "NotoSans-Regular-Identity-H"


@pytest.mark.parametrize("url", [
    "http://example.com/font.ttf", "https://127.0.0.1/x.css", "ftp://example.com/a", "data:text/css,body{}",
    "file:///etc/passwd", (STATIC / ".." / ".." / "config.py").as_uri(), STATIC.as_uri() + "/../../config.py",
    (STATIC / "fonts" / "missing.ttf").as_uri(), "file://otherhost" + str(STATIC / "css" / "print.css"),
])
def test_the_fetcher_refuses_anything_but_the_apps_static_files(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_the_vendored_fonts_and_print_css():
    font = StaticOnlyFetcher().fetch((STATIC / "fonts" / "LiberationSerif-Regular.ttf").as_uri())
    assert font.read()[:4] == b"\x00\x01\x00\x00"
    assert b"@font-face" in StaticOnlyFetcher().fetch((STATIC / "css" / "print.css").as_uri()).read()


def test_vendored_fonts_carry_their_licences():
    fonts = STATIC / "fonts"
    for face in ("Regular", "Bold", "Italic", "BoldItalic"):
        assert (fonts / f"LiberationSerif-{face}.ttf").stat().st_size > 100_000
    assert "SIL OPEN FONT LICENSE" in (fonts / "LICENSE-LiberationSerif.txt").read_text()
    assert "SIL OPEN FONT LICENSE" in (fonts / "LICENSE-NotoSans.txt").read_text()
    assert (fonts / "NotoSans-Regular-Vietnamese.ttf").is_file()


def _plan(db):
    from app.org.services import find_unit_by_code
    from app.reports.services import draft_preview

    return draft_preview("plan", find_unit_by_code("NS"), content.quarter_of_code("2026Q4"), today=TODAY)


def test_a_draft_plan_embeds_only_the_vendored_serif_and_says_it_is_a_draft(demo, db, tmp_path):
    path = tmp_path / "du-thao.pdf"
    path.write_bytes(_plan(db))
    fonts = pdf_fonts(path)
    assert {name for name, _ in fonts} <= OURS, f"a font other than the vendored serif was used: {fonts}"
    assert {"VB-Serif", "VB-Serif-Bold"} <= {name for name, _ in fonts}
    assert all(embedded == "yes" for _, embedded in fonts)
    text = flat(pdf_text(path))
    assert "DỰ THẢO" in text and "KẾ HOẠCH" in text and "Số: /KH-UBND" in text
    assert "Ninh Sơn, ngày tháng năm 2026" in text  # the day and month are written at signing
    assert "Nguyễn Thị Kim Yến" in text and "Trương Việt Hùng" in text  # the table in force, though nothing is saved


def test_the_report_draws_its_trends_with_the_pages_chart_function(quarters, db):
    from app.org.services import find_unit_by_code

    unit = find_unit_by_code("NS")
    page = pages.scorecard_page(unit, "quarter", quarters)
    chart = content.ChartData.of(page.total_chart)
    assert chart.svg() == page.total_chart.svg()
    assert content.ChartData.of(page.rank_chart).svg() == page.rank_chart.svg()


def test_the_preview_and_the_pdf_share_one_template(demo, db, app):
    from app.org.services import find_unit_by_code
    from app.reports.models import Document

    unit = find_unit_by_code("NS")
    period = content.quarter_of_code("2026Q4")
    doc = Document(kind="plan", unit=unit, period_start=period.start_date, period_end=period.end_date, version=1,
                   status="draft", title="Kế hoạch thử", texts=content.default_texts("plan", unit, period, today=TODAY))
    from app.assignments.models import Plan

    doc.plan = Plan(title="Kế hoạch thử", issuing_unit=unit, issuing_unit_id=unit.id, period_start=period.start_date,
                    status="draft")
    data = content.build(doc, today=TODAY)
    with app.test_request_context():
        html = render.html("plan", data, static_base="/static/")
    db.session.rollback()
    assert '<link rel="stylesheet" href="/static/css/print.css">' in html
    assert "BẢNG PHÂN CÔNG NHIỆM VỤ" in html and "Nguyễn Thị Kim Yến" in html
    assert Path(STATIC / "css" / "print.css").read_text().count("@font-face") == 4
