"""The reassignment pages: heads inside their unit, the performer picker (who, in what order, searchable without
JavaScript), dates typed dd/mm/yyyy."""

import re

import pytest
import sqlalchemy as sa

from app.assignments.models import Assignment
from app.auth.services import find_user
from app.core.text import person_sort_key


def current(db, group_code):
    return db.session.scalar(sa.select(Assignment).where(
        Assignment.subject_key == f"G:{group_code}", Assignment.effective_to.is_(None)))


def picker_names(page: str) -> list[str]:
    """The people offered by the picker, in page order."""
    return re.findall(r'name="performer_ids" value="\d+"[^>]*>\s*<span><span translate="no">([^<]+)</span>', page)


def form(a, **overrides):
    data = {"version": a.version, "responsible_unit_id": a.responsible_unit_id,
            "performer_ids": [p.id for p in a.performers], "team_unit_id": a.team_unit_id or 0,
            "effective_from": "01/12/2026", "note": ""}
    return {**data, **overrides}


def test_the_office_head_sees_his_officers_first_in_vietnamese_order(demo, db, client, auth, clock):
    auth.login("phuclv")
    page = client.get(f"/assignments/{current(db, 'II').id}/reassign").get_data(as_text=True)
    assert picker_names(page) == ["Trần Thị Thu Hằng", "Lê Văn Phúc", "Nguyễn Anh Văn", "Nguyễn Thị Kim Yến",
                                  "Trần Thị Ngọc Ánh", "Lê Thị Thu Hà", "Phạm Văn Minh"]
    assert 'name="cooperating_unit_ids"' not in page and "người ban hành kế hoạch" in page
    assert 'type="date"' not in page and 'placeholder="dd/mm/yyyy"' in page and 'inputmode="numeric"' in page


def test_the_office_head_hands_group_ii_over(demo, db, client, auth, clock):
    auth.login("phuclv")
    old = current(db, "II")
    response = client.post(f"/assignments/{old.id}/reassign",
                           data=form(old, performer_ids=[find_user("hangttt").id]))
    assert response.status_code == 302
    new = current(db, "II")
    assert [p.username for p in new.performers] == ["hangttt"]
    assert {u.id for u in new.cooperating_units} == {u.id for u in old.cooperating_units}


def test_the_chairs_picker_never_offers_the_administrator_nor_chairs(demo, db, client, auth, clock):
    auth.login("hungdv")
    page = client.get(f"/assignments/{current(db, 'V').id}/reassign").get_data(as_text=True)
    names = picker_names(page)
    assert names[0] == "Nguyễn Thành Công Hào"  # Phòng Nội vụ's officer first (the responsible unit)
    assert "Quản trị hệ thống" not in names and "Đoàn Văn Hùng" not in names
    assert "Nguyễn Văn Bình" not in names and "Đặng Văn Lợi" not in names  # commune chairs
    others = names[1:]
    assert others == sorted(others, key=person_sort_key) and others[0] == "Trần Thị Ngọc Ánh"
    assert others.index("Lê Thị Thu Hà") < others.index("Lê Văn Hòa") < others.index("Pi Năng Thị Hường")


@pytest.mark.parametrize(("q", "shown", "hidden"), [
    ("hang", "Trần Thị Thu Hằng", "Phạm Văn Minh"),
    ("HẰNG", "Trần Thị Thu Hằng", "Lê Văn Phúc"),
    ("tiep nhan", "Phạm Văn Minh", "Nguyễn Anh Văn"),  # by unit, without diacritics
])
def test_the_picker_is_searched_without_javascript(demo, db, client, auth, clock, q, shown, hidden):
    auth.login("phuclv")
    a = current(db, "II")
    before = db.session.scalar(sa.select(sa.func.count(Assignment.id)))
    response = client.post(f"/assignments/{a.id}/reassign", data=form(a, q=q, filter="1", performer_ids=[]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shown in picker_names(page) and hidden not in picker_names(page)
    assert f'value="{q}"' in page
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == before  # "Lọc" saves nothing


def test_a_chosen_performer_stays_when_filtered_out(demo, db, client, auth, clock):
    auth.login("phuclv")
    a = current(db, "II")
    page = client.get(f"/assignments/{a.id}/reassign?q=minh").get_data(as_text=True)
    assert picker_names(page) == ["Nguyễn Thị Kim Yến", "Phạm Văn Minh"]  # Yến is the performer now


@pytest.mark.parametrize(("typed", "status", "text"), [
    ("1/12/2026", 302, None),
    ("2026-12-01", 302, None),
    ("31/11/2026", 422, "không có trên lịch"),
    ("12/01/26", 422, "nhập theo dạng ngày/tháng/năm"),
])
def test_the_effective_date_is_typed_day_first(demo, db, client, auth, clock, typed, status, text):
    auth.login("hungdv")
    a = current(db, "V")
    response = client.post(f"/assignments/{a.id}/reassign", data=form(a, effective_from=typed))
    assert response.status_code == status
    if text:
        assert text in response.get_data(as_text=True)
    else:
        assert current(db, "V").effective_from.isoformat() == "2026-12-01"


@pytest.mark.parametrize(("on", "shown", "error"), [
    ("01/06/2024", "01/06/2024", False),
    ("2024-06-01", "01/06/2024", False),
    ("31/06/2024", "15/11/2026", True),
])
def test_the_table_date_is_typed_day_first(demo, client, auth, clock, on, shown, error):
    auth.login("hungdv")
    page = client.get(f"/assignments/?on={on}").get_data(as_text=True)
    assert f'name="on" value="{shown}"' in page
    assert ("không có trên lịch" in page) is error


@pytest.mark.parametrize(("username", "buttons"), [
    ("hungdv", 7),   # the chair: every group
    ("phuclv", 5),   # the office head: groups I and II (the office) and III.1, III.2, IV.1 (its one-stop section)
    ("yenntk", 0),
    ("binhnv", 0),   # a commune's head: the district's plan is above him
])
def test_the_table_offers_hand_over_where_the_user_may(demo, client, auth, clock, username, buttons):
    auth.login(username)
    page = client.get("/assignments/").get_data(as_text=True)
    assert page.count(">Chuyển giao</a>") == buttons
