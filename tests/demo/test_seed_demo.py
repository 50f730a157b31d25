"""`flask seed-demo`: the Ninh Sơn units, officers and exactly the seed's table; idempotent; --reset."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.assignments.models import Assignment, Plan
from app.auth.models import User
from app.org.models import Unit

SEED_TABLE = [
    ("I", "Công khai, minh bạch", "Văn phòng HĐND và UBND huyện", "Các cơ quan chuyên môn và UBND các xã",
     "Nguyễn Anh Văn"),
    ("II", "Tiến độ, kết quả giải quyết", "Văn phòng HĐND và UBND huyện", "Các cơ quan chuyên môn và UBND các xã",
     "Nguyễn Thị Kim Yến"),
    ("III.1", "Cung cấp dịch vụ công trực tuyến", "Bộ phận Tiếp nhận và trả kết quả của huyện",
     "Các cơ quan chuyên môn và UBND các xã", "Thành viên Bộ phận Tiếp nhận và trả kết quả của huyện"),
    ("III.2", "Thanh toán trực tuyến", "Bộ phận Tiếp nhận và trả kết quả của huyện",
     "Các cơ quan chuyên môn và UBND các xã", "Thành viên Bộ phận Tiếp nhận và trả kết quả của huyện"),
    ("IV.1", "Số hóa hồ sơ", "Bộ phận Tiếp nhận và trả kết quả của huyện", "Các cơ quan chuyên môn và UBND các xã",
     "Thành viên Bộ phận Tiếp nhận và trả kết quả của huyện"),
    ("IV.2", "Ứng dụng dữ liệu dân cư trong giải quyết thủ tục hành chính, cấp dịch vụ công", "Công an huyện",
     "Các phòng chuyên môn và UBND các xã", "Trương Việt Hùng"),
    ("V", "Mức độ hài lòng", "Phòng Nội vụ", "Các phòng chuyên môn và UBND các xã", "Nguyễn Thành Công Hào"),
]


def counts(db):
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Unit, User, Plan, Assignment))


def test_seed_demo_is_idempotent(runner, db, clock):
    first = runner.invoke(args=["seed-demo"])  # on 15/11/2026: scores 08/2022–10/2026, as the README says
    assert first.exit_code == 0, first.output
    assert ("Đã nạp dữ liệu mẫu: 26 đơn vị, 34 tài khoản, 9 phân công, 24528 giá trị điểm, 20000 hồ sơ."
            in first.output)
    assert "hungdv   Đoàn Văn Hùng" in first.output
    after_first = counts(db)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "không thay đổi gì" in second.output
    assert counts(db) == after_first == (26, 34, 1, 9)


def test_seed_demo_if_empty_leaves_an_existing_database_alone(runner, db, make_unit):
    make_unit("X", "UBND tỉnh Khác", "province")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "không nạp dữ liệu mẫu" in result.output
    assert counts(db) == (1, 0, 0, 0)


def test_seed_demo_reset_restores_the_seed_table(runner, db, demo, client, auth, clock):
    auth.login("hungdv")
    a = db.session.scalar(sa.select(Assignment).where(Assignment.subject_key == "G:V"))
    client.post(f"/assignments/{a.id}/reassign", data={
        "responsible_unit_id": a.responsible_unit_id, "performer_ids": [a.performers[0].id], "team_unit_id": 0,
        "effective_from": "2026-12-01"})
    assert counts(db)[3] == 10
    result = runner.invoke(args=["seed-demo", "--reset"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert counts(db) == (26, 34, 1, 9)


@pytest.mark.parametrize(("now", "months"), [
    (datetime(2026, 11, 15, 3, tzinfo=UTC), 51),   # 08/2022–10/2026
    (datetime(2027, 2, 15, 3, tzinfo=UTC), 54),    # 08/2022–01/2027
    (datetime(2030, 6, 30, 3, tzinfo=UTC), 94),    # 08/2022–05/2030
])
def test_the_demo_scores_end_with_the_month_before_now(db, now, months):
    """The demo is loaded as of `now` (a parameter): 16 units × 21 indicators for every month since 08/2022."""
    from app.demo.services import load_demo
    from app.scores.models import ScoreRecord

    load_demo("matkhau-dai-du", now=now, with_scores=True, with_dossiers=False)
    monthly = db.session.scalar(sa.select(sa.func.count()).select_from(ScoreRecord)
                                .where(ScoreRecord.period_kind == "month"))
    assert monthly == 16 * 21 * months


def test_the_chair_sees_exactly_the_seed_table(demo, client, auth):
    auth.login("hungdv")
    page = client.get("/assignments/?on=2026-11-30").get_data(as_text=True)
    assert "BẢNG PHÂN CÔNG NHIỆM VỤ CÁC CÁ NHÂN PHỤ TRÁCH CÁC CHỈ SỐ THÀNH PHẦN" in page
    assert "Ninh Sơn, ngày 15 tháng 07 năm 2022" in page
    for code, group, responsible, cooperating, performer in SEED_TABLE:
        row = page.split(f'id="row-G:{code}"')[1].split("</tr>")[0]
        for text in (group, responsible, cooperating, performer):
            assert text in row, (code, text)
    for number in list(range(1, 20)):
        assert f">{number}.<" in page
    assert "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư" in page
    assert "Tỷ lệ TTHC công bố đúng hạn" not in page  # province duty, not in the district's table


def test_yenntk_sees_indicator_4_with_its_units(demo, client, auth):
    auth.login("yenntk")
    page = client.get("/").get_data(as_text=True)
    assert "Chỉ số của tôi" in page
    assert "4. Tỷ lệ hồ sơ xử lý đúng hạn" in page
    assert "Văn phòng HĐND và UBND huyện" in page
    assert "Các cơ quan chuyên môn và UBND các xã" in page


def test_hungtv_sees_group_iv2(demo, client, auth):
    auth.login("hungtv")
    page = client.get("/").get_data(as_text=True)
    assert "IV.2. Ứng dụng dữ liệu dân cư" in page and "Công an huyện" in page
    assert "16. Tỷ lệ TTHC triển khai kết nối" in page


def test_a_one_stop_member_sees_iii1_iii2_iv1(demo, client, auth):
    auth.login("minhpv")
    page = client.get("/").get_data(as_text=True)
    for group in ("III.1. Cung cấp dịch vụ công trực tuyến", "III.2. Thanh toán trực tuyến", "IV.1. Số hóa hồ sơ"):
        assert group in page
    assert "Thành viên Bộ phận Tiếp nhận và trả kết quả của huyện" in page


def test_an_officer_without_indicators_sees_a_clear_empty_state(demo, client, auth):
    auth.login("hangttt")
    assert "Bạn chưa được phân công chỉ số nào" in client.get("/").get_data(as_text=True)


def test_the_officer_page_shows_the_2024_handover(demo, db, client, auth):
    auth.login("hungdv")
    hang = db.session.scalar(sa.select(User).where(User.username == "hangttt"))
    page = client.get(f"/officers/{hang.id}").get_data(as_text=True)
    assert "Phân công trước đây" in page and "01/04/2024 – 30/09/2024" in page


def test_the_demo_dossiers_raise_every_alert_kind_for_the_demo_users(db, clock):
    """A year of dossiers, 5–10 % late; yenntk hears of the overdue ones, hungdv of the escalations."""
    from app.alerts.models import Alert
    from app.demo.services import load_demo
    from app.dossiers.models import Dossier
    from app.dossiers.scan import scan_dossiers
    from tests.conftest import DEMO_NOW

    counts = load_demo("matkhau-dai-du", now=DEMO_NOW, with_scores=False, with_dossiers=True)
    db.session.commit()
    assert counts["dossiers"] == 20_000
    finished = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier).where(Dossier.is_open.is_(False)))
    late = db.session.scalar(sa.select(sa.func.count()).select_from(Dossier).where(
        Dossier.is_open.is_(False), sa.or_(Dossier.ended_at > Dossier.due_at, Dossier.supplement_count > 1)))
    assert 0.05 <= late / finished <= 0.10, late / finished
    kinds = {(kind, level) for kind, level in db.session.execute(sa.select(Alert.kind, Alert.escalation_level))}
    assert {("dossier_due_soon", 0), ("dossier_overdue", 0), ("dossier_overdue", 1), ("dossier_apology_missing", 0),
            ("dossier_returned_late", 0)} <= kinds
    by_user = dict(db.session.execute(sa.select(User.username, sa.func.count()).join(
        Alert, Alert.recipient_id == User.id).where(Alert.kind == "dossier_overdue").group_by(User.username)).all())
    assert by_user.get("yenntk", 0) > 0 and by_user.get("hungdv", 0) > 0
    assert scan_dossiers(now=DEMO_NOW).total == 0  # the load already scanned
