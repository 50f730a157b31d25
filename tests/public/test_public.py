"""The public scoreboard: published figures without sign-in, nothing personal, the same 404 for unknown and
unpublished units, the embed's framing policy, the badge, open data, HTTP caching and the rate limit."""

import csv
import io
import json
import re

import pytest
import sqlalchemy as sa

from app.org.services import find_unit_by_code
from app.public import services
from app.public.files import badge_svg, safe_text
from tests.conftest import DEMO_NOW


def test_signed_out_ns_shows_published_figures_and_offices_but_no_officer(scored, client, clock):
    response = client.get("/cong-khai/NS")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "UBND huyện Ninh Sơn" in page and "Tháng 10/2026" in page
    assert "Văn phòng HĐND và UBND huyện" in page  # the office answering for a group
    assert "Nguyễn Thị Kim Yến" not in page and "yenntk" not in page  # no officer's name
    assert "Cán bộ:" not in page
    assert "Set-Cookie" not in response.headers  # nothing of a session for a reader who is not signed in
    assert response.headers["Cache-Control"] == "public, max-age=300" and response.headers["ETag"]
    again = client.get("/cong-khai/NS", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_names_only_when_the_chair_also_publishes_them(scored, client, clock, db):
    services.set_publishing(None, find_unit_by_code("NS"), publish=True, names=True, now=DEMO_NOW)
    db.session.commit()
    assert "Cán bộ:" in client.get("/cong-khai/NS").get_data(as_text=True)


def test_only_accepted_explanations_are_published(scored, client, clock, db):
    from datetime import date

    from app.auth.services import find_user
    from app.indicators.models import Indicator
    from app.scores import review
    from app.scores.periods import month_period

    ns = find_unit_by_code("NS")
    services.set_publishing(None, ns, publish=True, names=True, now=DEMO_NOW)
    explanation = review.submit(unit=ns, indicator=db.session.scalar(sa.select(Indicator).where(
        Indicator.code == "PROGRESS_ON_TIME")), period=month_period(2026, 10),
        reason="Đồng bộ hồ sơ từ hệ thống một cửa bị lỗi 5 ngày.", remedy="Rà soát, đồng bộ lại toàn bộ hồ sơ.",
        due_on=date(2026, 12, 31), actor=find_user("yenntk"), now=DEMO_NOW)
    db.session.commit()
    seen = []
    for decision in (None, "returned", "accepted"):
        if decision == "accepted":  # the owner answers the comment first
            review.submit(unit=ns, indicator=explanation.indicator, period=month_period(2026, 10),
                          reason="Đồng bộ hồ sơ từ hệ thống một cửa bị lỗi 5 ngày (12 hồ sơ).",
                          remedy="Rà soát, đồng bộ lại toàn bộ hồ sơ.", due_on=date(2026, 12, 31),
                          actor=find_user("yenntk"), now=DEMO_NOW)
        if decision:
            review.review(explanation, decision=decision, comment="Cần nêu rõ số hồ sơ bị ảnh hưởng.",
                          actor=find_user("hungdv"), now=DEMO_NOW)
            db.session.commit()
        seen.append("bị lỗi 5 ngày" in client.get("/cong-khai/NS").get_data(as_text=True))
    assert seen == [False, False, True]


def test_figures_are_the_scorecard_totals_in_vietnamese_format(scored, app):
    from app.scores.queries import scorecard

    unit = find_unit_by_code("NS")
    board = services.scoreboard(unit, names=False, today=DEMO_NOW.date())
    month = board.figures["month"]
    assert month.total == scorecard(unit, month.period).total
    assert month.on_time_rate == 40  # indicator 4 as published for 10/2026
    assert len(board.trend_rows) == 7 and board.trend is not None


@pytest.mark.parametrize("path", ["/cong-khai/{code}", "/cong-khai/{code}/nhung", "/cong-khai/{code}/huy-hieu.svg"])
def test_unknown_and_unpublished_answer_the_same_404(scored, client, clock, path):
    unknown = client.get(path.format(code="KHONG-CO"))
    unpublished = client.get(path.format(code="NS.TANSON"))  # exists, has scores, not published
    assert unknown.status_code == unpublished.status_code == 404
    assert unknown.get_data() == unpublished.get_data()


@pytest.mark.parametrize("code", ["", "%00", "NS%2F..", "x" * 300, "<script>", "NS.TANSON/../NS"])
def test_bad_codes_are_404_never_500(scored, client, clock, code):
    assert client.get(f"/cong-khai/{code}/huy-hieu.svg").status_code in (404, 308)


def test_switching_off_hides_the_page(scored, client, clock, db):
    services.set_publishing(None, find_unit_by_code("NS"), publish=False, names=True, now=DEMO_NOW)
    db.session.commit()
    assert client.get("/cong-khai/NS").status_code == 404
    assert "UBND huyện Ninh Sơn" not in client.get("/cong-khai").get_data(as_text=True)


def test_embed_is_framable_only_by_the_configured_origins(scored, app, client, clock):
    app.config["PUBLIC_EMBED_ORIGINS"] = "https://portal.example.gov.vn http://bad;script-src *"
    try:
        response = client.get("/cong-khai/NS/nhung")
    finally:
        app.config["PUBLIC_EMBED_ORIGINS"] = ""
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://portal.example.gov.vn;" not in csp  # last directive, no trailing ;
    assert csp.endswith("frame-ancestors https://portal.example.gov.vn") and "script-src *" not in csp
    assert "X-Frame-Options" not in response.headers
    page = client.get("/cong-khai/NS")  # every other page stays unframable
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in client.get("/cong-khai/NS/nhung").headers["Content-Security-Policy"]


def test_badge_is_escaped_svg_without_script(scored, client, clock):
    response = client.get("/cong-khai/NS/huy-hieu.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "Chỉ số 766" in svg and "/100" in svg and "hạng 1/" in svg
    assert "<script" not in svg and "@import" not in svg and "http://www.w3.org/2000/svg" in svg


def test_badge_text_is_vietnamese_and_escaped():
    from datetime import date
    from decimal import Decimal

    from app.public.services import PeriodFigures
    from app.scores.periods import month_period

    f = PeriodFigures(month_period(2026, 10), Decimal("78.6"), Decimal(100), 5, 8, None, "<x>", [], None, None)
    assert "Chỉ số 766:</text>" in badge_svg(f) and "78,60/100 · hạng 5/8" in badge_svg(f)
    assert date(2026, 10, 1) == f.period.start_date


def test_open_data_csv_and_json(scored, client, clock):
    response = client.get("/cong-khai/du-lieu.csv?period=10/2026")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    assert response.headers["Cache-Control"] == "public, max-age=86400"  # a closed month asked for by name
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    total = next(r for r in rows if r["ma_don_vi"] == "NS" and r["chi_tieu"] == "TONG")
    assert total["ky"] == "2026-10" and total["nguon"] == "Cổng Dịch vụ công quốc gia" and total["ngay_so_lieu"]
    assert {r["ma_don_vi"] for r in rows} == {"NS"}  # the communes did not publish
    data = client.get("/cong-khai/du-lieu.json?period=2026-10").get_json()
    unit = data["units"][0]
    assert data["period"] == "2026-10" and unit["code"] == "NS" and isinstance(unit["total"], float)
    assert float(total["diem"]) == unit["total"] and unit["groups"][0]["source"] == "Cổng Dịch vụ công quốc gia"
    assert json.dumps(data)  # plain JSON


@pytest.mark.parametrize("period", ["2026-13", "abc", "2020-01", "Q9/2026"])
def test_open_data_unknown_period_is_404(scored, client, clock, period):
    assert client.get(f"/cong-khai/du-lieu.csv?period={period}").status_code == 404
    assert client.get(f"/cong-khai/du-lieu.json?period={period}").status_code == 404


@pytest.mark.parametrize(("text", "cell"), [("=1+1", "'=1+1"), ("+a", "'+a"), ("-a", "'-a"), ("@a", "'@a"),
                                            ("UBND", "UBND")])
def test_csv_text_cells_cannot_be_formulas(text, cell):
    assert safe_text(text) == cell


def test_rate_limit_answers_429_in_vietnamese_with_retry_after(scored, app, client, clock):
    from app.public.models import PublicHit

    app.config["PUBLIC_RATE_LIMIT"] = 3
    try:
        codes = [client.get("/cong-khai/NS/huy-hieu.svg").status_code for _ in range(4)]
        last = client.get("/cong-khai")
    finally:
        app.config["PUBLIC_RATE_LIMIT"] = 0
    assert codes == [200, 200, 200, 429] and last.status_code == 429
    assert "Quá nhiều yêu cầu" in last.get_data(as_text=True) and 1 <= int(last.headers["Retry-After"]) <= 60
    from app.extensions import db

    assert db.session.scalar(sa.select(PublicHit.count)) == 5  # one row per address and minute, shared by workers


def test_chair_switches_publishing_with_an_audit_entry(scored, auth, client, clock, db):
    from app.audit.models import AuditEntry

    unit = find_unit_by_code("NS")
    auth.login("hungdv")
    assert client.get(f"/units/{unit.id}/publishing").status_code == 200
    assert client.post(f"/units/{unit.id}/publishing", data={}).status_code == 422
    response = client.post(f"/units/{unit.id}/publishing", data={"publish": "off"})
    assert response.status_code == 302
    assert services.public_unit("NS") is None
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "unit.publishing")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.after == {"is_published": False, "is_names_published": False}
    assert entry.actor_username == "hungdv"


@pytest.mark.parametrize("username", ["admin", "yenntk", "binhnv"])
def test_only_a_chair_may_switch(scored, auth, client, clock, username):
    auth.login(username)
    assert client.post(f"/units/{find_unit_by_code('NS').id}/publishing",
                       data={"publish": "off"}).status_code in (403, 404)
    assert services.public_unit("NS") is not None


def test_the_english_scoreboard_draws_its_trend_in_english(scored, client, clock):
    from tests.core.test_english_pages import VIETNAMESE_DECIMAL, drawn_texts

    client.post("/language", data={"locale": "en"})
    page = client.get("/cong-khai/NS").get_data(as_text=True)
    assert '<html lang="en">' in page
    figure = page[page.index('<figure class="chart">'):page.index("</figure>")]
    assert "<figcaption>Total score of UBND huyện Ninh Sơn, last 7 months</figcaption>" in figure
    drawn = drawn_texts(figure)
    assert "points / 100" in drawn and "điểm / 100" not in drawn
    assert not any(VIETNAMESE_DECIMAL.search(text) for text in drawn), drawn
    words = re.search(r'<p class="visually-hidden">(.*?)</p>', figure).group(1)
    assert words.startswith("from ") and not VIETNAMESE_DECIMAL.search(words), words
    table = page[page.index("<details>"):page.index("</details>")]  # the chart's data: periods in English too
    assert "<td>Month 10/2026</td>" in table and "Tháng" not in table
