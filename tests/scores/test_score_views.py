"""Scorecards, ranks, owner trends, red indicators, explanations, manual entry and exports."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.alerts.models import Alert
from app.auth.services import find_user
from app.core.errors import DomainError
from app.indicators.models import Indicator
from app.org.services import find_unit_by_code
from app.scores import accountability, manual, queries
from app.scores.models import ScoreRecord, ScoreRevision
from app.scores.periods import month_period
from tests.scores.factories import put

OCT, SEP = month_period(2026, 10), month_period(2026, 9)
NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)  # services take the time
TODAY = date(2026, 11, 15)


def ind(db, code):
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == code))


def test_scorecard_totals_change_and_bands(scored):
    card = queries.scorecard(find_unit_by_code("NS"), OCT)
    assert card.max_points == Decimal(100)
    assert card.total == Decimal(88)            # 8 of indicator 4's 20 points
    assert card.change == Decimal(-10)          # 18 → 8
    line = next(line for g in card.groups for line in g.lines if line.indicator.code == "PROGRESS_ON_TIME")
    assert (line.points, line.change, line.band[0]) == (Decimal(8), Decimal(-10), "Yếu")


def test_ranks_with_movement(scored):
    units = [find_unit_by_code(c) for c in ("NS.TANSON", "NS.MANOI")]
    rows = queries.ranks(units, OCT)
    assert [(r.unit.code, r.rank, r.of) for r in rows] == [("NS.TANSON", 1, 2), ("NS.MANOI", 2, 2)]
    assert rows[0].label == "1/2, ="


def test_rank_movement_between_months(scored):
    rows = queries.ranks([find_unit_by_code(c) for c in ("NS", "NS.MANOI")], OCT)
    assert [r.label for r in rows] == ["1/2, =", "2/2, ="]
    rows = queries.ranks([find_unit_by_code(c) for c in ("NS", "NS.MANOI")], month_period(2024, 3))
    assert [r.label for r in rows] == ["1/2", "2/2"]  # no month before: no arrow


@pytest.mark.parametrize(("totals", "expected"), [
    ({1: 90, 2: 90, 3: 80}, {1: 1, 2: 1, 3: 3}),
    ({1: 50, 2: 70}, {2: 1, 1: 2}),
])
def test_equal_totals_share_a_rank(totals, expected):
    assert queries._competition_ranks({k: Decimal(v) for k, v in totals.items()}) == expected


def test_owner_trend_splits_at_the_2024_handover(scored):
    trends = accountability.owner_trends(find_user("yenntk"))
    trend = next(t for t in trends if t.indicator.code == "PROGRESS_ON_TIME")
    owners = [(p.period.code, p.owner.performer_text, p.is_mine) for p in trend.points]
    assert owners[:4] == [("2024-03", "Nguyễn Thị Kim Yến", True), ("2024-04", "Trần Thị Thu Hằng", False),
                          ("2024-09", "Trần Thị Thu Hằng", False), ("2024-10", "Nguyễn Thị Kim Yến", True)]
    assert [o.performer_text for o in trend.owners] == ["Nguyễn Thị Kim Yến", "Trần Thị Thu Hằng"]


def test_the_interim_owner_sees_only_her_period_as_hers(scored):
    trend = accountability.owner_trends(find_user("hangttt"))[0]
    assert [p.period.code for p in trend.points if p.is_mine] == ["2024-04", "2024-09"]


def test_red_items_by_lowest_band_and_by_drop(scored, app):
    items = accountability.red_items(find_unit_by_code("NS"), OCT)
    assert [(i.indicator.code, i.reasons) for i in items] == [
        ("PROGRESS_ON_TIME", ["ở mức Yếu", "giảm 10,00 điểm"])]
    assert [p.username for p in items[0].owner.performers] == ["yenntk"]


def test_scan_red_alerts_the_owner_once(scored, db):
    assert accountability.scan_red(now=NOW) == 1
    assert accountability.scan_red(now=NOW) == 0
    db.session.commit()
    alert = db.session.scalar(sa.select(Alert))
    assert alert.recipient.username == "yenntk" and alert.resolved_at is None
    assert "Tỷ lệ hồ sơ xử lý đúng hạn" in alert.message


def test_an_alert_closes_when_a_corrected_import_lifts_the_indicator(scored, db):
    accountability.scan_red(now=NOW)
    put("NS", 2026, 10, "PROGRESS_ON_TIME", 95, 100)  # the portal's figure, corrected
    accountability.scan_red(now=NOW)
    db.session.commit()
    assert db.session.scalar(sa.select(Alert)).resolved_at is not None


def test_explanation_resolves_the_alert_and_is_audited(scored, db):
    accountability.scan_red(now=NOW)
    accountability.save_explanation(
        unit=find_unit_by_code("NS"), indicator=ind(db, "PROGRESS_ON_TIME"), period=OCT,
        reason="Đồng bộ hồ sơ từ hệ thống một cửa bị lỗi 5 ngày.", remedy="Rà soát, đồng bộ lại toàn bộ hồ sơ.",
        due_on=date(2026, 12, 15), actor=find_user("yenntk"), now=NOW)
    db.session.commit()
    assert db.session.scalar(sa.select(Alert)).resolved_at is not None
    assert accountability.red_items(find_unit_by_code("NS"), OCT)[0].explanation is not None


@pytest.mark.parametrize(("username", "code", "kwargs", "message"), [
    ("vanna", "PROGRESS_ON_TIME", {}, "Chỉ người phụ trách"),
    ("yenntk", "PROGRESS_ON_TIME", {"reason": "ngắn"}, "nguyên nhân"),
    ("yenntk", "PROGRESS_ON_TIME", {"remedy": ""}, "biện pháp"),
    ("yenntk", "PROGRESS_ON_TIME", {"due_on": date(2026, 9, 1)}, "Hạn hoàn thành phải sau"),
    ("yenntk", "PROGRESS_ON_TIME", {"due_on": None}, "Nhập hạn"),
])
def test_bad_explanations_are_refused(scored, db, username, code, kwargs, message):
    args = {"reason": "Nguyên nhân đầy đủ và rõ ràng.", "remedy": "Biện pháp khắc phục cụ thể.",
            "due_on": date(2026, 12, 31)} | kwargs
    with pytest.raises(DomainError, match=message):
        accountability.save_explanation(unit=find_unit_by_code("NS"), indicator=ind(db, code), period=OCT,
                                        actor=find_user(username), now=NOW, **args)


def test_reimport_of_a_changed_value_keeps_the_old_one(scored, db):
    assert put("NS", 2026, 10, "DOSSIER_SYNC", 100, 100).unchanged == 1
    result = put("NS", 2026, 10, "DOSSIER_SYNC", 50, 100)
    db.session.commit()
    assert result.changed == 1
    rec = db.session.scalar(sa.select(ScoreRecord).where(ScoreRecord.subject_key == "I:DOSSIER_SYNC",
                                                         ScoreRecord.unit_id == find_unit_by_code("NS").id,
                                                         ScoreRecord.period_start == date(2026, 10, 1)))
    assert rec.points == Decimal(3)
    assert [r.points for r in db.session.scalars(sa.select(ScoreRevision))] == [Decimal(6)]


class TestManualEntry:
    def test_the_owner_enters_a_value_without_portal_feed(self, scored, db):
        rec = manual.enter(unit=find_unit_by_code("NS"), indicator=ind(db, "PROGRESS_ON_TIME"), period_text="2026-10",
                           numerator="1.234", denominator="1.300", note="Số liệu một cửa", actor=find_user("yenntk"),
                           today=TODAY)
        db.session.commit()
        assert (rec.source, rec.ratio, rec.points) == ("manual", Decimal("94.92"), Decimal("18.98"))

    @pytest.mark.parametrize(("username", "code", "period", "num", "den", "message"), [
        ("yenntk", "PROGRESS_ON_TIME", "2026-10", "120", "100", "không được lớn hơn mẫu số"),
        ("yenntk", "PROGRESS_ON_TIME", "2026-11", "1", "2", "chưa kết thúc"),  # TODAY is 15/11/2026
        ("yenntk", "PROGRESS_ON_TIME", "Quý 4/2026", "1", "2", "chưa kết thúc"),
        ("yenntk", "PROGRESS_ON_TIME", "2026-13", "1", "2", "tháng phải từ 01 đến 12"),
        ("yenntk", "PROGRESS_ON_TIME", "2026-10", "-1", "2", "không được âm"),
        ("yenntk", "PROGRESS_ON_TIME", "2026-10", "1,5", "2", "phải là số nguyên"),
        ("yenntk", "PROGRESS_ON_TIME", "2026-10", "1" * 30, "2", "tối đa 15 chữ số"),
        ("yenntk", "PROGRESS_ON_TIME", "2026-10", "1", "1" * 16, "tối đa 15 chữ số"),
        ("yenntk", "PROGRESS_ON_TIME", "2026-10", "1,234", "2000", "không rõ là"),
        ("yenntk", "DOSSIER_SYNC", "2026-10", "1", "2", "không được nhập tay"),
        ("vanna", "PROGRESS_ON_TIME", "2026-10", "1", "2", "không được nhập tay"),
    ])
    def test_bad_entries_are_refused(self, scored, db, username, code, period, num, den, message):
        with pytest.raises(DomainError, match=message):
            manual.enter(unit=find_unit_by_code("NS"), indicator=ind(db, code), period_text=period, numerator=num,
                         denominator=den, note="", actor=find_user(username), today=TODAY)

    def test_vietnamese_spellings_are_read(self, scored, db):
        rec = manual.enter(unit=find_unit_by_code("NS"), indicator=ind(db, "PROGRESS_ON_TIME"), period_text="T10/2026",
                           numerator="2.752", denominator="3.000", note="", actor=find_user("yenntk"), today=TODAY)
        assert (rec.period_start, rec.numerator, rec.denominator) == (date(2026, 10, 1), 2752, 3000)

    def test_the_entry_page(self, scored, client, auth, db, clock):
        auth.login("yenntk")
        ns = find_unit_by_code("NS")
        page = client.get("/scores/entry").get_data(as_text=True)
        assert "4. Tỷ lệ hồ sơ xử lý đúng hạn" in page and f'action="/scores/entry?unit={ns.id}"' in page
        response = client.post(f"/scores/entry?unit={ns.id}", data={
            "indicator_id": ind(db, "PROGRESS_ON_TIME").id, "period": "10/2026", "numerator": "50",
            "denominator": "40", "note": ""})
        assert response.status_code == 422
        assert "không được lớn hơn mẫu số" in response.get_data(as_text=True)
        saved = client.post(f"/scores/entry?unit={ns.id}", data={
            "indicator_id": ind(db, "PROGRESS_ON_TIME").id, "period": "10/2026", "numerator": "30",
            "denominator": "40", "note": ""})
        assert saved.status_code == 302
        assert manual.current_value(ns, ind(db, "PROGRESS_ON_TIME"), OCT).points == Decimal(15)

    def test_the_unit_comes_from_the_address_only(self, scored, client, auth, db, clock):
        """The page shows one unit and saves to that unit: another unit's id in the form changes nothing, and a
        unit outside the user's tree is refused outright, as if it did not exist (404, no enumeration)."""
        auth.login("yenntk")
        ns, myson = find_unit_by_code("NS"), find_unit_by_code("NS.MYSON")
        assert client.get(f"/scores/entry?unit={myson.id}").status_code == 404
        assert client.post(f"/scores/entry?unit={myson.id}", data={
            "indicator_id": ind(db, "PROGRESS_ON_TIME").id, "period": "2026-10", "numerator": "1",
            "denominator": "2"}).status_code == 404
        assert client.get("/scores/entry?unit=99999999999").status_code == 404
        response = client.post(f"/scores/entry?unit={ns.id}", data={
            "unit_id": myson.id, "indicator_id": ind(db, "PROGRESS_ON_TIME").id, "period": "2026-10",
            "numerator": "1", "denominator": "2"})
        assert response.status_code == 302
        stored = db.session.scalars(sa.select(ScoreRecord).where(ScoreRecord.source == "manual")).all()
        assert [r.unit_id for r in stored] == [ns.id]

    def test_two_people_saving_the_same_value_at_once_get_a_message_not_a_500(self, scored, client, auth, db,
                                                                            clock, monkeypatch):
        """The second save finds no row when it looks, the first person's row is there when it writes."""
        ns, progress = find_unit_by_code("NS"), ind(db, "PROGRESS_ON_TIME")
        manual.enter(unit=ns, indicator=progress, period_text="2026-10", numerator="3", denominator="4", note="",
                     actor=find_user("yenntk"), today=TODAY)
        db.session.commit()
        from app.scores import services

        monkeypatch.setattr(services, "_existing", lambda items: {})  # as if the other save were not visible yet
        auth.login("yenntk")
        response = client.post(f"/scores/entry?unit={ns.id}", data={
            "indicator_id": progress.id, "period": "2026-10", "numerator": "1", "denominator": "2"})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Người khác vừa lưu cùng dữ liệu này" in html
        assert "Giá trị đang lưu cho chỉ số và kỳ này: tử số 3, mẫu số 4" in html


class TestPages:
    def test_yenntk_sees_indicator_4_latest_points_change_and_sparkline(self, scored, client, auth):
        auth.login("yenntk")
        page = client.get("/").get_data(as_text=True)
        assert "<strong>8,00</strong> / 20,00" in page and "▼ 10,00" in page and "<svg" in page

    def test_the_scorecard_of_the_district(self, scored, client, auth):
        auth.login("yenntk")
        page = client.get(f"/scores/units/{find_unit_by_code('NS').id}?period=2026-10").get_data(as_text=True)
        assert "88,00" in page and "Tỷ lệ hồ sơ xử lý đúng hạn" in page

    def test_an_officer_cannot_open_a_commune_scorecard(self, scored, client, auth):
        auth.login("yenntk")
        assert client.get(f"/scores/units/{find_unit_by_code('NS.TANSON').id}").status_code == 404

    def test_the_chair_overview_has_the_heatmap_and_the_red_indicator(self, scored, client, auth):
        auth.login("hungdv")
        page = client.get("/scores/overview").get_data(as_text=True)
        assert "Bản đồ nhiệt" in page and "UBND xã Ma Nới" in page
        assert "Nguyễn Thị Kim Yến" in page  # the owner whose indicator fell most
        red = client.get("/scores/red").get_data(as_text=True)
        assert "Tỷ lệ hồ sơ xử lý đúng hạn" in red and "Chưa giải trình" in red

    def test_an_office_head_sees_the_district_overview(self, scored, client, auth):
        auth.login("phuclv")
        assert "Tổng quan điểm số: UBND huyện Ninh Sơn" in client.get("/scores/overview").get_data(as_text=True)

    def test_a_commune_chair_sees_the_own_commune_overview(self, scored, client, auth):
        auth.login("binhnv")
        page = client.get("/scores/overview").get_data(as_text=True)
        assert "Tổng quan điểm số: UBND thị trấn Tân Sơn" in page and "UBND xã Ma Nới" not in page

    def test_the_owner_page_shows_the_handover(self, scored, client, auth):
        auth.login("yenntk")
        page = client.get(f"/scores/owners/{find_user('yenntk').id}").get_data(as_text=True)
        assert "Nguyễn Thị Kim Yến (từ Tháng 03/2024) → Trần Thị Thu Hằng (từ Tháng 04/2024)" in page

    def test_yenntk_explains_through_the_page(self, scored, client, auth, db):
        auth.login("yenntk")
        path = f"/scores/red/{find_unit_by_code('NS').id}/{ind(db, 'PROGRESS_ON_TIME').id}/2026-10"
        response = client.post(path, data={"reason": "Lỗi đồng bộ dữ liệu từ một cửa.",
                                           "remedy": "Đồng bộ lại và theo dõi hằng ngày.", "due_on": "2026-12-15"})
        assert response.status_code == 302
        assert "Đã giải trình" in client.get("/scores/red").get_data(as_text=True)

    @pytest.mark.parametrize("path", ["/scores/units/{NS}?period=2026-10&format=xlsx",
                                      "/scores/ranks/{NS}?period=2026-10&format=xlsx",
                                      "/scores/owners/{yenntk}?format=xlsx"])
    def test_excel_exports(self, scored, client, auth, path):
        auth.login("hungdv")
        path = path.replace("{NS}", str(find_unit_by_code("NS").id)).replace("{yenntk}", str(find_user("yenntk").id))
        response = client.get(path)
        assert response.status_code == 200
        book = load_workbook(BytesIO(response.data))
        text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
        assert "Tỷ lệ hồ sơ xử lý đúng hạn" in text or "UBND xã" in text


class TestAlerts:
    def test_the_owner_sees_the_red_alert_and_acknowledges_it(self, scored, db, client, auth):
        accountability.scan_red(now=NOW)
        db.session.commit()
        auth.login("yenntk")
        home = client.get("/").get_data(as_text=True)
        assert "Cảnh báo đang mở" in home and "cần giải trình" in home
        alert = db.session.scalar(sa.select(Alert))
        assert client.post(f"/alerts/{alert.id}/ack", data={"next": "/alerts/"}).status_code == 302
        db.session.expire_all()
        assert db.session.get(Alert, alert.id).acknowledged_at is not None
        assert "Đã xem" in client.get("/alerts/").get_data(as_text=True)

    def test_someone_else_cannot_acknowledge(self, scored, db, client, auth):
        accountability.scan_red(now=NOW)
        db.session.commit()
        auth.login("vanna")
        alert = db.session.scalar(sa.select(Alert))
        assert client.post(f"/alerts/{alert.id}/ack").status_code == 404
        assert "Không có cảnh báo nào" in client.get("/alerts/").get_data(as_text=True)


def test_owner_series_join_at_the_handover(scored):
    trend = next(t for t in accountability.owner_trends(find_user("yenntk")) if t.indicator.code == "PROGRESS_ON_TIME")
    (yen, yen_values), (hang, hang_values) = trend.series_by_owner()
    assert (yen, hang) == ("Nguyễn Thị Kim Yến", "Trần Thị Thu Hằng")
    # months: 2024-03 (Yến), 2024-04, 2024-09 (Hằng), 2024-10 (Yến) ...; a line also takes the point just
    # before its owner's first one, so the two colours meet without a gap
    assert [v is not None for v in yen_values[:5]] == [True, False, True, True, True]
    assert [v is not None for v in hang_values[:5]] == [True, True, True, False, False]


def test_a_unit_sees_the_ranking_it_stands_in_but_not_its_siblings_scorecards(scored, client, auth):
    """The portal publishes siblings' totals and ranks: the ranking may be shown; their detail may not."""
    auth.login("binhnv")  # head of Tân Sơn
    tanson, manoi = find_unit_by_code("NS.TANSON"), find_unit_by_code("NS.MANOI")
    page = client.get(f"/scores/ranks/{tanson.id}?among=peers&period=2026-10").get_data(as_text=True)
    assert "Xếp hạng trong các xã, phường, thị trấn của UBND huyện Ninh Sơn" in page
    assert "UBND xã Ma Nới" in page and f"/scores/units/{manoi.id}" not in page
    assert client.get(f"/scores/units/{manoi.id}").status_code == 404
