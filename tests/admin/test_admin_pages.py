"""Admin pages: units and accounts through the forms, with Vietnamese messages and nothing half-saved."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import User
from app.auth.services import find_user
from app.org.models import Unit
from app.org.services import find_unit_by_code


@pytest.fixture
def admin(demo, auth):
    auth.login("admin")


def unit_form(**overrides):
    return {"code": "NS.TTVH", "name": "Trung tâm Văn hóa - Thể thao huyện", "kind": "department",
            "parent_id": find_unit_by_code("NS").id, "sort_order": 30, "is_active": "y"} | overrides


def user_form(**overrides):
    return {"username": "thunt", "full_name": "Nguyễn Thị Thu", "title": "Chuyên viên", "email": "",
            "unit_id": find_unit_by_code("NS.VP").id, "role": "officer", "is_active": "y",
            "password": "mat-khau-dai-hon", "confirm": "mat-khau-dai-hon"} | overrides


def test_admin_creates_a_unit(admin, client, db):
    response = client.post("/admin/units/new", data=unit_form())
    assert response.status_code == 302
    unit = find_unit_by_code("NS.TTVH")
    assert unit.parent.code == "NS" and unit.name == "Trung tâm Văn hóa - Thể thao huyện"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "unit.create")) is not None


@pytest.mark.parametrize(("path", "data", "message"), [
    ("/admin/units/new", {"code": "NS.VP"}, "Mã đơn vị «NS.VP» đã được dùng"),
    ("/admin/units/new", {"name": ""}, "Nhập tên đơn vị"),
    ("/admin/units/{NS.VP}/edit", {"code": "NS.VP", "name": "Văn phòng HĐND và UBND huyện", "kind": "office",
                                   "parent_id": "{NS.MC}"}, "không thể là cấp trên của chính nó"),
    # the district admin cannot cut the district off the province, nor hang it elsewhere
    ("/admin/units/{NS}/edit", {"code": "NS", "name": "UBND huyện Ninh Sơn", "kind": "district",
                                "parent_id": "0"}, "Lựa chọn không hợp lệ"),
    ("/admin/units/{NS}/edit", {"code": "NS", "name": "UBND huyện Ninh Sơn", "kind": "district",
                                "parent_id": "{NS.VP}"}, "Lựa chọn không hợp lệ"),
    ("/admin/units/new", {"code": "NS X", "name": "Có dấu cách"}, "Mã đơn vị «NS X» không hợp lệ"),
    ("/admin/units/new", {"code": "NS\nX"}, "không hợp lệ"),
])
def test_bad_unit_forms_are_refused(admin, client, db, path, data, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
    ns = find_unit_by_code("NS")
    ids = {code: str(find_unit_by_code(code).id) for code in ("NS", "NS.VP", "NS.MC")}
    data = {k: _fill(v, ids) for k, v in data.items()}
    response = client.post(_fill(path, ids), data=unit_form(**data))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == before
    assert find_unit_by_code("NS").parent.code == "NT" and ns.parent_id == find_unit_by_code("NT").id
    assert find_unit_by_code("NS.VP").parent.code == "NS"


def _fill(text, ids):
    if not isinstance(text, str):
        return text
    for code in sorted(ids, key=len, reverse=True):
        text = text.replace("{" + code + "}", ids[code])
    return text


def test_the_district_admin_edits_the_own_unit_name_but_not_its_parent(admin, client, db):
    ns, nt = find_unit_by_code("NS"), find_unit_by_code("NT")
    form = unit_form(code="NS", name="UBND huyện Ninh Sơn (mới)", kind="district", parent_id=nt.id)
    assert client.post(f"/admin/units/{ns.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert (ns.name, ns.parent_id) == ("UBND huyện Ninh Sơn (mới)", nt.id)


@pytest.mark.parametrize("target", [None, "NT.BA", "NS.VP"])
def test_the_service_refuses_moves_outside_the_admins_tree(admin, db, target):
    """Rights hold in the service too: whatever a page sends, nothing leaves (or enters) the admin's tree."""
    from app.core.errors import DomainError
    from app.org.services import update_unit

    actor, ns = find_user("admin"), find_unit_by_code("NS")
    unit = ns if target != "NS.VP" else find_unit_by_code("NS.TP")
    parent = find_unit_by_code(target) if target and target != "NS.VP" else None
    if target == "NS.VP":  # a unit of the tree moved under the province (outside the admin's tree)
        parent = find_unit_by_code("NT")
    with pytest.raises(DomainError):
        update_unit(unit, code=unit.code, name=unit.name, kind=unit.kind, parent=parent, is_active=True,
                    actor=actor)
    db.session.rollback()
    assert find_unit_by_code("NS").parent.code == "NT" and find_unit_by_code("NS.TP").parent.code == "NS"


def test_admin_creates_an_account_that_can_sign_in(admin, client, db):
    assert client.post("/admin/users/new", data=user_form()).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"username": "thunt", "password": "mat-khau-dai-hon"}).status_code == 302


@pytest.mark.parametrize(("data", "message"), [
    ({"username": "yenntk"}, "Tên đăng nhập «yenntk» đã tồn tại"),
    ({"username": "Thu Nguyen"}, "chữ thường không dấu"),
    ({"password": "ngan", "confirm": "ngan"}, "ít nhất 10 ký tự"),
    ({"confirm": "khac-hoan-toan"}, "Hai mật khẩu không khớp"),
    ({"password": "", "confirm": ""}, "Nhập mật khẩu cho tài khoản mới"),
    ({"email": "khong-phai-thu"}, "Địa chỉ thư không hợp lệ"),
])
def test_bad_account_forms_are_refused(admin, client, db, data, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    response = client.post("/admin/users/new", data=user_form(**data))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_admin_deactivates_an_officer_who_then_cannot_sign_in(admin, client, db):
    hang = find_user("hangttt")
    form = user_form(username="hangttt", full_name=hang.full_name, is_active="", password="", confirm="")
    assert client.post(f"/admin/users/{hang.id}/edit", data=form).status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"username": "hangttt", "password": "matkhau-thu-nghiem"}).status_code == 401


def test_admin_cannot_deactivate_the_own_account(admin, client, db):
    me = find_user("admin")
    form = user_form(username="admin", full_name=me.full_name, unit_id=me.unit_id, role="admin", is_active="",
                     password="", confirm="")
    response = client.post(f"/admin/users/{me.id}/edit", data=form)
    assert response.status_code == 422
    assert "không thể tự vô hiệu hóa" in response.get_data(as_text=True)
    db.session.expire_all()
    assert find_user("admin").is_active


def test_an_inactive_officer_cannot_be_picked_for_an_assignment(admin, client, db):
    from app.assignments.models import Assignment

    hang = find_user("hangttt")
    hang.is_active = False
    db.session.commit()
    client.post("/logout")
    client.post("/login", data={"username": "hungdv", "password": "matkhau-thu-nghiem"})
    a = db.session.scalar(sa.select(Assignment).where(Assignment.subject_key == "G:V", Assignment.effective_to.is_(None)))
    page = client.get(f"/assignments/{a.id}/reassign").get_data(as_text=True)
    assert "Trần Thị Thu Hằng" not in page
    response = client.post(f"/assignments/{a.id}/reassign", data={
        "responsible_unit_id": a.responsible_unit_id, "performer_ids": [hang.id], "team_unit_id": 0,
        "effective_from": "2026-12-01"})
    assert response.status_code == 422
