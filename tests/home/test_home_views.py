""""/" by role, the scores overview's heatmap and the catalog's group I, through the pages (the clock at
15/11/2026: the latest period is October 2026, explanations due by 30/11/2026)."""

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.auth.services import find_user
from app.core.time import now_utc
from app.indicators.models import Indicator
from app.org.services import find_unit_by_code
from app.scores import accountability
from app.scores.periods import month_period
from tests.scores.factories import put

OCT = month_period(2026, 10)
NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("username", "shown", "not_shown"), [
    ("hungdv", ["<h1>Tổng quan: <span translate=\"no\">UBND huyện Ninh Sơn</span></h1>", "88,00", "▼ 10,00",
                "Chỉ số chưa giải trình", "Đơn vị trực thuộc có chỉ số đỏ", "Chưa giải trình, hạn 30/11/2026",
                "Nguyễn Thị Kim Yến"], ["Tổng quan phân công"]),
    ("binhnv", ["Bảng điểm: <span translate=\"no\">UBND thị trấn Tân Sơn</span>", "100,00",
                "Xếp hạng trong các xã, phường, thị trấn của UBND huyện Ninh Sơn",
                "Không có chỉ số nào cần giải trình"], ["Tổng quan phân công", "UBND xã Ma Nới"]),
    ("phuclv", ["Chỉ số do Văn phòng HĐND và UBND huyện phụ trách", "Tỷ lệ hồ sơ xử lý đúng hạn"], []),
    ("yenntk", ["<h1>Chỉ số của tôi</h1>", "Cần giải trình", "Giải trình (hạn 30/11/2026)"], ["Tổng quan:"]),
])
def test_the_home_page_of_each_role(scored, client, auth, clock, username, shown, not_shown):
    auth.login(username)
    page = client.get("/").get_data(as_text=True)
    for text in shown:
        assert text in page, (username, text)
    for text in not_shown:
        assert text not in page, (username, text)


def test_a_commune_heads_rank_shows_its_move(scored, client, auth, clock, db):
    for code in ("PROGRESS_ON_TIME", "DOSSIER_SYNC", "PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION",
                 "DOSSIER_RECEIVING_SATISFACTION", "ORIGINAL_RESULT_AVAILABLE"):  # Tân Sơn 50 in September: 2nd
        put("NS.TANSON", 2026, 9, code, 0, 100)
    db.session.commit()
    auth.login("binhnv")
    page = client.get("/").get_data(as_text=True)
    assert '1<span class="muted fs-1"> / 2</span>' in page
    assert '<span class="up fs-1" title="tăng 1 bậc so với kỳ trước">▲ 1</span>' in page


def test_the_officers_primary_action_is_the_explanation_and_the_alert_button_is_quiet(scored, client, auth, clock,
                                                                                       db):
    accountability.scan_red(now=now_utc())
    db.session.commit()
    auth.login("yenntk")
    page = client.get("/").get_data(as_text=True)
    path = f"/scores/red/{find_unit_by_code('NS').id}/"
    assert re.search(rf'<a class="btn primary" href="{re.escape(path)}\d+/2026-10">Giải trình \(hạn 30/11/2026\)</a>',
                     page)
    assert page.index("Cần giải trình") < page.index("Cảnh báo đang mở")  # the action before the alerts
    assert '<div class="quiet-actions">' in page


def test_after_explaining_the_officer_sees_the_explained_state(scored, client, auth, clock, db):
    progress = db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))
    accountability.save_explanation(unit=find_unit_by_code("NS"), indicator=progress, period=OCT,
                                    reason="Lỗi đồng bộ dữ liệu từ một cửa.", remedy="Đồng bộ lại hằng ngày.",
                                    due_on=date(2026, 12, 31), actor=find_user("yenntk"),
                                    now=NOW)
    db.session.commit()
    auth.login("yenntk")
    page = client.get("/").get_data(as_text=True)
    assert "Đã giải trình, chờ duyệt; hạn khắc phục 31/12/2026" in page and "Giải trình (hạn" not in page
    auth.logout()
    auth.login("hungdv")  # the chair reviews it from his home page; he never writes it
    page = client.get("/").get_data(as_text=True)
    assert 'class="btn small ">Duyệt</a>' in page


def test_the_overview_heatmap_has_group_headers_a_total_column_and_a_legend(scored, client, auth):
    auth.login("hungdv")
    page = client.get("/scores/overview").get_data(as_text=True)
    assert re.search(r'<th scope="colgroup" colspan="4" class="grp" title="Công khai, minh bạch" translate="no">I</th>',
                     page)
    assert '<th scope="col" rowspan="2" class="total">Tổng' in page
    assert 'class="cell band-0" title="Tổng điểm: 100,00 / 100,00">100,0</td>' in page  # Tân Sơn's total
    assert '<ul class="legend"' in page and "≥ 90%" in page and "&lt; 50%" in page


def test_the_catalog_counts_group_i_as_the_scorecard_does(demo, client, auth):
    auth.login("hungdv")
    page = client.get("/indicators").get_data(as_text=True)
    row = page.split('id="group-I"')[1].split("</tr>")[0]
    assert "18,00" in row and "gồm 6 điểm nhiệm vụ của tỉnh" in row
    assert "Nhóm I có 18 điểm, như trên bảng điểm" in page and "«Tỷ lệ TTHC công bố đúng hạn» (6 điểm)" in page
    assert re.search(r"Tổng cộng</td><td class=\"num\">100,00", page)


def test_the_home_page_in_english(scored, client, auth, clock):
    auth.login("hungdv")
    client.post("/language", data={"locale": "en"})
    page = client.get("/").get_data(as_text=True)
    assert "Indicators not yet explained" in page and "Not explained, due 30/11/2026" in page
