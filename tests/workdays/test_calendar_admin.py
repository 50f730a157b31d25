"""The calendar page: the operator adds and removes overrides (audited); other admins read; officers are kept out."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.services import find_user
from app.core.errors import DomainError
from app.workdays import services
from app.workdays.models import CalendarDay

PAGE = "/admin/calendar/"
SATURDAY = date(2026, 3, 7)  # an ordinary Saturday
MONDAY = date(2026, 3, 2)  # an ordinary Monday
NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)


def form(**overrides):
    return {"day": SATURDAY.isoformat(), "is_working_day": "work", "note": "Làm bù cho ngày nghỉ 02/01/2026"} | overrides


def overrides_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay))


def audits(db, action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


@pytest.fixture
def operator(demo, auth):
    auth.login("quantri")  # admin of the province: the root unit of the installation


def test_the_operator_adds_a_make_up_saturday_and_an_extra_day_off(operator, client, db):
    before = services.calendar_for([2026])
    assert not before.is_working_day(SATURDAY) and before.is_working_day(MONDAY)

    response = client.post(f"{PAGE}?year=2026", data=form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/calendar/?year=2026")
    response = client.post(PAGE, data=form(day="02/03/2026", is_working_day="off", note="Nghỉ theo Công điện số 9"))
    assert response.status_code == 302

    db.session.expire_all()
    calendar = services.calendar_for([2026])
    assert calendar.is_working_day(SATURDAY) and not calendar.is_working_day(MONDAY)
    assert calendar.holiday_name(MONDAY) == "Nghỉ theo Công điện số 9"
    assert calendar.add_working_days(date(2026, 2, 27), 1) == date(2026, 3, 3)
    assert calendar.working_days_between(date(2026, 2, 28), date(2026, 3, 8)) == 5  # 4 weekdays + the Saturday
    quantri = find_user("quantri")
    entries = audits(db, "calendar.set_day")
    assert [(e.actor_id, e.before, e.after) for e in entries] == [
        (quantri.id, None, {"day": "2026-03-07", "is_working_day": True, "note": "Làm bù cho ngày nghỉ 02/01/2026"}),
        (quantri.id, None, {"day": "2026-03-02", "is_working_day": False, "note": "Nghỉ theo Công điện số 9"}),
    ]

    page = client.get(f"{PAGE}?year=2026").get_data(as_text=True)
    assert "07/03/2026" in page and "Làm bù cho ngày nghỉ 02/01/2026" in page and "Nghỉ theo Công điện số 9" in page
    assert "Điều chỉnh của quản trị" in page and quantri.full_name in page and "Xóa điều chỉnh" in page


def test_the_operator_changes_then_removes_an_override(operator, client, db):
    client.post(PAGE, data=form())
    assert client.post(PAGE, data=form(note="Theo Thông báo số 2/TB-UBND")).status_code == 302
    assert client.post(f"{PAGE}days/{SATURDAY.isoformat()}/delete").status_code == 302

    db.session.expire_all()
    assert overrides_count(db) == 0 and not services.calendar_for([2026]).is_working_day(SATURDAY)
    changed = audits(db, "calendar.set_day")[-1]
    assert changed.before["note"] == "Làm bù cho ngày nghỉ 02/01/2026"
    assert changed.after["note"] == "Theo Thông báo số 2/TB-UBND"
    (cleared,) = audits(db, "calendar.clear_day")
    assert cleared.before == changed.after and cleared.after is None


def test_the_year_page_shows_the_library_holidays_and_tet(operator, client):
    response = client.get(f"{PAGE}?year=2026")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Giao thừa Tết Nguyên Đán" in page and "Quốc khánh" in page
    assert "14/02/2026 – 22/02/2026: 9 ngày" in page  # Tết 2026
    assert "22/08/2026" in page and "Ngày làm việc bù" in page  # the library's make-up Saturday
    assert '<div class="big">249</div>' in page  # working days of 2026
    assert "Lưu điều chỉnh" in page


@pytest.mark.parametrize("year", ["abc", "1800", "-1", "20260"])
def test_a_bad_year_is_not_found(operator, client, year):
    assert client.get(f"{PAGE}?year={year}").status_code == 404


def test_a_district_admin_reads_the_calendar_but_cannot_change_it(demo, auth, client, db):
    services.set_day(SATURDAY, is_working_day=True, note="Làm bù", actor=None, now=NOW)  # the command line (operator)
    db.session.commit()
    auth.login("admin")

    response = client.get(f"{PAGE}?year=2026")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Làm bù" in page
    assert "Lưu điều chỉnh" not in page and "Xóa điều chỉnh" not in page
    assert client.post(PAGE, data=form(day=MONDAY.isoformat(), is_working_day="off")).status_code == 403
    assert client.post(f"{PAGE}days/{SATURDAY.isoformat()}/delete").status_code == 403

    db.session.expire_all()
    assert overrides_count(db) == 1 and services.calendar_for([2026]).is_working_day(MONDAY)
    with pytest.raises(DomainError, match="chỉ quản trị cấp cao nhất"):
        services.set_day(MONDAY, is_working_day=False, note="Tự ý", actor=find_user("admin"), now=NOW)
    with pytest.raises(DomainError, match="chỉ quản trị cấp cao nhất"):
        services.clear_day(SATURDAY, actor=find_user("admin"))


def test_an_officer_is_kept_out(demo, auth, client, db):
    auth.login("yenntk")
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data=form()).status_code == 403
    assert overrides_count(db) == 0


@pytest.mark.parametrize(("data", "message"), [
    ({"day": ""}, "Nhập ngày cần điều chỉnh."),
    ({"day": "31/02/2026"}, "không có trên lịch: nhập theo dạng ngày/tháng/năm"),
    ({"note": "  "}, "Nhập ghi chú"),
    ({"note": "x" * 256}, "Không quá 255 ký tự."),
    ({"is_working_day": "maybe"}, "Lựa chọn không hợp lệ."),
    ({"is_working_day": "off"}, "Ngày 07/03/2026 (Thứ Bảy) vốn đã là ngày nghỉ (cuối tuần) theo lịch mặc định."),
    ({"day": "2026-02-17", "is_working_day": "off"}, "vốn đã là ngày nghỉ (Tết Nguyên Đán)"),
    ({"day": "2026-03-02"}, "Ngày 02/03/2026 (Thứ Hai) vốn đã là ngày làm việc theo lịch mặc định. Không cần"),
    ({"day": "2025-04-26"}, "Ngày 26/04/2025 (Thứ Bảy) vốn đã là ngày làm việc"),  # the library's make-up day
    ({"day": "1999-01-02"}, "Chỉ điều chỉnh được lịch các năm từ 2000 đến 2100."),
])
def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(operator, client, db, data, message):
    response = client.post(PAGE, data=form(**data))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert overrides_count(db) == 0 and audits(db, "calendar.set_day") == []


def test_setting_a_day_back_to_its_default_points_to_removal(operator, client, db):
    client.post(PAGE, data=form())
    response = client.post(PAGE, data=form(is_working_day="off"))
    assert response.status_code == 422
    assert "hãy xóa điều chỉnh đang có" in response.get_data(as_text=True)
    db.session.expire_all()
    assert services.find_day(SATURDAY).is_working_day is True


def test_removing_a_day_without_an_override_says_so(operator, client, db):
    response = client.post(f"{PAGE}days/2026-03-09/delete")
    assert response.status_code == 422
    assert "Ngày 09/03/2026 (Thứ Hai) không có điều chỉnh nào để xóa." in response.get_data(as_text=True)
    assert client.post(f"{PAGE}days/not-a-date/delete").status_code == 404
    assert audits(db, "calendar.clear_day") == []


def test_calendar_around_reads_three_years_with_their_overrides(app, db):
    services.set_day(date(2027, 1, 2), is_working_day=True, note="Làm bù", actor=None, now=NOW)
    services.set_day(date(2024, 12, 31), is_working_day=False, note="Ngoài khoảng", actor=None, now=NOW)
    db.session.commit()
    calendar = services.calendar_around(date(2026, 11, 15))
    assert calendar.years == {2025, 2026, 2027}
    assert calendar.is_working_day(date(2027, 1, 2))
    assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 2)
    with pytest.raises(ValueError):
        calendar.is_working_day(date(2024, 12, 31))
