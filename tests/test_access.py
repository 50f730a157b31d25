"""Who may open what: roles × pages on the Ninh Sơn demo, scoped by the unit tree."""

import pytest
import sqlalchemy as sa

from app.assignments.models import Assignment
from app.auth.services import find_user
from app.indicators.models import IndicatorRule
from app.org.services import find_unit_by_code


def resolve(db, path: str) -> str:
    """Fill placeholders in a path from the demo data."""
    if "{unit:" in path:
        code = path.split("{unit:")[1].split("}")[0]
        path = path.replace(f"{{unit:{code}}}", str(find_unit_by_code(code).id))
    if "{user:" in path:
        name = path.split("{user:")[1].split("}")[0]
        path = path.replace(f"{{user:{name}}}", str(find_user(name).id))
    if "{assignment:II}" in path:
        a = db.session.scalar(sa.select(Assignment).where(Assignment.subject_key == "G:II",
                                                          Assignment.effective_to.is_(None)))
        path = path.replace("{assignment:II}", str(a.id))
    if "{rule}" in path:
        path = path.replace("{rule}", str(db.session.scalar(sa.select(IndicatorRule.id).limit(1))))
    return path


PAGES = [
    "/", "/assignments/", "/units", "/indicators", "/units/{unit:NS}", "/units/{unit:NS.VP}",
    "/units/{unit:NS.CA}", "/units/{unit:NS.TANSON}", "/officers/{user:yenntk}", "/officers/{user:hungtv}",
    "/assignments/{assignment:II}/history", "/assignments/{assignment:II}/reassign",
    "/admin/users", "/admin/units", "/admin/units/{unit:NS.CA}/edit", "/admin/catalog/rules/{rule}",
    "/scores/overview", "/scores/red", "/scores/units/{unit:NS}", "/scores/units/{unit:NS.MYSON}",
    "/scores/ranks/{unit:NT}", "/documents/", "/documents/verify",
]

# expected status per user, in the order of PAGES: 404 for an object outside the user's tree (exactly as for a
# missing one), 403 for a page of a role the user does not have or an action they may not take
EXPECTED = {
    # officer of Văn phòng: own unit (and the one-stop office below it), not the police or communes; the district
    # scorecard because the district's plan binds her; no overview (chair, head and admin only)
    "yenntk": [200, 200, 200, 200, 404, 200, 404, 404, 200, 404, 200, 403, 403, 403, 403, 403,
               403, 200, 200, 404, 404, 200, 200],
    # police officer: only Công an huyện
    "hungtv": [200, 200, 200, 200, 404, 404, 200, 404, 404, 200, 200, 403, 403, 403, 403, 403,
               403, 200, 200, 404, 404, 200, 200],
    # commune chair (head): own commune only, the district plan still binds them
    "binhnv": [200, 200, 200, 200, 404, 404, 404, 200, 404, 404, 200, 403, 403, 403, 403, 403,
               200, 200, 200, 404, 404, 200, 200],
    # head of Văn phòng: own unit tree; hands group II (the office's) over inside the office (heads assign within
    # their unit), no admin pages
    "phuclv": [200, 200, 200, 200, 404, 200, 404, 404, 200, 404, 200, 200, 403, 403, 403, 403,
               200, 200, 200, 404, 404, 200, 200],
    # district chair: everything in the district, reassigns, no admin pages; not the province's ranks page
    "hungdv": [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403,
               200, 200, 200, 200, 404, 200, 200],
    # district admin: everything in the district, but not the national catalog (the operator's)
    "admin": [200] * 15 + [403] + [200, 200, 200, 200, 404, 200, 200],
    # province admin (operator): everything, the catalog included
    "quantri": [200] * 23,
}

CASES = [(user, page, code) for user, codes in EXPECTED.items() for page, code in zip(PAGES, codes, strict=True)]


@pytest.mark.parametrize(("username", "page", "status"), CASES)
def test_role_page_table(demo, db, client, auth, username, page, status):
    auth.login(username)
    assert client.get(resolve(db, page)).status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_sent_to_sign_in(demo, db, client, page):
    response = client.get(resolve(db, page))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _reassign_form(db):
    return {
        "responsible_unit_id": find_unit_by_code("NS.VP").id,
        "cooperating_label": "Các cơ quan chuyên môn và UBND các xã",
        "performer_ids": [find_user("vanna").id],
        "team_unit_id": 0,
        "effective_from": "2026-12-01",
        "note": "Điều động công tác",
    }


def test_an_officer_gets_403_on_the_chairs_edit(demo, db, client, auth, clock):
    auth.login("yenntk")
    path = resolve(db, "/assignments/{assignment:II}/reassign")
    assert client.post(path, data=_reassign_form(db)).status_code == 403
    a = db.session.scalar(sa.select(Assignment).where(Assignment.subject_key == "G:II",
                                                      Assignment.effective_to.is_(None)))
    assert [p.username for p in a.performers] == ["yenntk"]


def test_the_chair_reassigns_and_the_history_shows_it(demo, db, client, auth, clock):
    auth.login("hungdv")
    path = resolve(db, "/assignments/{assignment:II}/reassign")
    response = client.post(path, data=_reassign_form(db))
    assert response.status_code == 302
    table = client.get("/assignments/").get_data(as_text=True)
    assert "01/10/2024 – 30/11/2026: Nguyễn Thị Kim Yến" in table
    assert "01/12/2026 – nay: Nguyễn Anh Văn" in table
    db.session.expire_all()
    history = db.session.scalars(sa.select(Assignment).where(Assignment.subject_key == "G:II")
                                 .order_by(Assignment.effective_from)).all()
    assert [h.effective_to.isoformat() if h.effective_to else None for h in history] == [
        "2024-03-31", "2024-09-30", "2026-11-30", None]


@pytest.mark.parametrize(("change", "message"), [
    ({"effective_from": "2026-11-01"}, "Ngày hiệu lực (01/11/2026) không được trước hôm nay (15/11/2026)"),
    ({"effective_from": "2026-11-01", "correction_reason": "sửa"}, "phải nêu rõ lý do"),
    ({"effective_from": "2024-01-01", "correction_reason": "Theo quyết định điều động đã ký"},
     "phải sau ngày bắt đầu của phân công hiện tại (01/10/2024)"),
])
def test_a_bad_reassignment_shows_a_vietnamese_message_and_saves_nothing(demo, db, client, auth, clock, change,
                                                                          message):
    auth.login("hungdv")
    form = _reassign_form(db) | change
    response = client.post(resolve(db, "/assignments/{assignment:II}/reassign"), data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 9


def test_the_chair_corrects_the_past_with_a_reason(demo, db, client, auth, clock):
    auth.login("hungdv")
    form = _reassign_form(db) | {"effective_from": "2026-11-01",
                                 "correction_reason": "Đồng chí Văn phụ trách thực tế từ 01/11/2026"}
    assert client.post(resolve(db, "/assignments/{assignment:II}/reassign"), data=form).status_code == 302
    table = client.get("/assignments/?on=2026-11-05").get_data(as_text=True)
    assert "Nguyễn Anh Văn" in table


def test_the_chair_cannot_pick_a_unit_outside_the_tree(demo, db, client, auth, make_unit, clock):
    other = make_unit("TB", "UBND huyện Thăng Bình", "district")
    auth.login("hungdv")
    form = _reassign_form(db) | {"responsible_unit_id": other.id}
    response = client.post(resolve(db, "/assignments/{assignment:II}/reassign"), data=form)
    assert response.status_code == 422
    assert "Lựa chọn không hợp lệ" in response.get_data(as_text=True)


def test_the_chair_assigns_one_indicator_separately(demo, db, client, auth, clock):
    from app.indicators.models import Indicator

    auth.login("hungdv")
    ind = db.session.scalar(sa.select(Indicator).where(Indicator.number == "14"))
    form = _reassign_form(db) | {"responsible_unit_id": find_unit_by_code("NS.TP").id,
                                 "performer_ids": [find_user("hatlt").id]}
    response = client.post(f"/assignments/new?plan=1&indicator={ind.id}", data=form)
    assert response.status_code == 302
    page = client.get("/assignments/?on=2026-12-01").get_data(as_text=True)
    assert "phân công riêng" in page and "Phòng Tư pháp" in page
