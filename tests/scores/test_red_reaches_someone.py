"""A red indicator of any unit reaches someone: the owner by assignment, else the unit's head; the chair sees the
reds of the whole tree with who has and has not explained."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.alerts.models import Alert
from app.auth.services import find_user
from app.core.errors import DomainError
from app.indicators.models import Indicator
from app.org.services import find_unit_by_code
from app.scores import accountability
from app.scores.periods import month_period
from tests.scores.factories import put

NOW = datetime(2026, 11, 15, 3, tzinfo=UTC)
OCT = month_period(2026, 10)


def utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone (they are stored in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ind(db, code):
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == code))


@pytest.fixture
def myson_red(scored, db):
    """Mỹ Sơn (no plan, no assignment of its own) at 0,00 / 6 on indicator 17 in 10/2026, full elsewhere."""
    for code in [i.code for i in db.session.scalars(sa.select(Indicator))]:
        put("NS.MYSON", 2026, 9, code, 100, 100)
        put("NS.MYSON", 2026, 10, code, 0 if code == "PETITION_PROCESSING_ON_TIME" else 100, 100)
    db.session.commit()
    return find_unit_by_code("NS.MYSON")


def test_the_commune_head_answers_for_an_unassigned_indicator(myson_red, db):
    (item,) = accountability.red_items(myson_red, OCT)
    assert item.indicator.code == "PETITION_PROCESSING_ON_TIME" and item.owner is None
    assert [p.username for p in item.accountable.people] == ["loidv"]
    assert item.accountable.label == "Lãnh đạo đơn vị (chưa phân công): Đặng Văn Lợi"


def test_the_scan_alerts_the_commune_head_once(myson_red, db):
    assert accountability.scan_red(now=NOW) == 2  # yenntk for the district's indicator 4, loidv for Mỹ Sơn's 17
    assert accountability.scan_red(now=NOW) == 0
    db.session.commit()
    alert = db.session.scalar(sa.select(Alert).where(Alert.unit_id == myson_red.id))
    assert alert.recipient.username == "loidv" and utc(alert.created_at) == NOW
    assert "UBND xã Mỹ Sơn" in alert.message and "cần giải trình" in alert.message


def test_the_commune_head_explains_and_the_alert_closes(myson_red, db):
    accountability.scan_red(now=NOW)
    accountability.save_explanation(
        unit=myson_red, indicator=ind(db, "PETITION_PROCESSING_ON_TIME"), period=OCT, actor=find_user("loidv"),
        reason="Hai phản ánh về đất đai chưa xử lý kịp hạn.", remedy="Phân công cán bộ địa chính trả lời trước 30/11.",
        due_on=date(2026, 11, 30), now=NOW)
    db.session.commit()
    assert utc(db.session.scalar(sa.select(Alert).where(Alert.unit_id == myson_red.id)).resolved_at) == NOW


def test_another_communes_head_may_not_explain(myson_red, db):
    with pytest.raises(DomainError, match="Chỉ người phụ trách"):
        accountability.save_explanation(
            unit=myson_red, indicator=ind(db, "PETITION_PROCESSING_ON_TIME"), period=OCT, actor=find_user("binhnv"),
            reason="Không phải việc của tôi nhưng cứ ghi.", remedy="Không có biện pháp nào cả.",
            due_on=date(2026, 11, 30), now=NOW)


def test_the_chairs_red_list_covers_the_tree_with_who_explained(myson_red, db, client, auth):
    accountability.save_explanation(
        unit=find_unit_by_code("NS"), indicator=ind(db, "PROGRESS_ON_TIME"), period=OCT, actor=find_user("yenntk"),
        reason="Đồng bộ từ hệ thống một cửa lỗi 5 ngày.", remedy="Đồng bộ lại, theo dõi hằng ngày.",
        due_on=date(2026, 12, 15), now=NOW)
    db.session.commit()
    rows = accountability.red_list(find_user("hungdv"))
    assert [(r.unit.code, r.item.indicator.code, r.item.explanation is not None) for r in rows] == [
        ("NS", "PROGRESS_ON_TIME", True), ("NS.MYSON", "PETITION_PROCESSING_ON_TIME", False)]
    auth.login("hungdv")
    page = client.get("/scores/red").get_data(as_text=True)
    assert "<strong>2</strong> chỉ số, <strong>1</strong> chưa giải trình" in page
    assert "UBND xã Mỹ Sơn" in page and "Lãnh đạo đơn vị (chưa phân công): Đặng Văn Lợi" in page


def test_each_user_sees_only_the_reds_of_their_tree(myson_red, db):
    assert [(r.unit.code, r.is_mine) for r in accountability.red_list(find_user("loidv"))] == [("NS.MYSON", True)]
    assert [(r.unit.code, r.is_mine) for r in accountability.red_list(find_user("yenntk"))] == [("NS", True)]
    assert accountability.red_list(find_user("binhnv")) == []  # Tân Sơn has no red; Mỹ Sơn is a sibling
