"""/admin/audit: filters (dates typed dd/mm/yyyy), pages, Excel of the filtered set; who reads what; each object's
"Lịch sử thay đổi"."""

from datetime import UTC, datetime
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.services import record
from app.auth.services import find_user
from app.org.services import find_unit_by_code


@pytest.fixture
def trail(demo, db, make_user):
    """Entries in Ninh Sơn (district admin's tree) and in the sibling district Bác Ái."""
    make_user("adminba", "NT.BA", role="admin", full_name="Quản trị Bác Ái")
    admin, other = find_user("admin"), find_user("adminba")
    ns_vp, ba = find_unit_by_code("NS.VP"), find_unit_by_code("NT.BA")
    for day in range(1, 61):
        record(admin, "unit.update", ns_vp, before={"name": "Văn phòng"}, after={"name": f"Văn phòng số {day}"},
               now=datetime(2026, 9, 1, 3, tzinfo=UTC).replace(day=1 + (day - 1) % 28,
                                                                month=9 + (day - 1) // 28))
    record(other, "unit.update", ba, before={"name": "Bác Ái"}, after={"name": "Huyện Bác Ái mới"},
           now=datetime(2026, 10, 5, 3, tzinfo=UTC))
    db.session.commit()


def rows_of(page: str) -> int:
    return page.count('data-label="Thời điểm"')


@pytest.mark.parametrize(("user", "status"), [
    ("yenntk", 403), ("hungdv", 403), ("binhnv", 403), ("admin", 200), ("quantri", 200), (None, 302),
])
def test_who_may_open_the_trail(trail, client, auth, user, status):
    if user:
        auth.login(user)
    assert client.get("/admin/audit").status_code == status
    assert client.get("/admin/audit?format=xlsx").status_code == status


def test_an_admin_reads_only_their_tree_and_the_operator_everything(trail, client, auth):
    auth.login("adminba")
    page = client.get("/admin/audit?action=unit.update").get_data(as_text=True)
    assert "Huyện Bác Ái mới" in page and "Văn phòng số" not in page
    auth.logout()
    auth.login("admin")
    page = client.get("/admin/audit?action=unit.update").get_data(as_text=True)
    assert "Văn phòng số" in page and "Huyện Bác Ái mới" not in page
    # nor by naming the other tree's unit in the address
    assert client.get(f"/admin/audit?unit={find_unit_by_code('NT.BA').id}").status_code == 404
    auth.logout()
    auth.login("quantri")
    assert "Huyện Bác Ái mới" in client.get("/admin/audit?action=unit.update&actor=adminba").get_data(as_text=True)


def test_pages_of_fifty_newest_first_with_the_filters_in_the_links(trail, client, auth):
    auth.login("quantri")
    first = client.get("/admin/audit?action=unit.update&actor=admin").get_data(as_text=True)
    assert "60 dòng" in first and rows_of(first) == 50 and "Trang 1/2" in first
    assert "page=2" in first and "actor=admin" in first
    second = client.get("/admin/audit?action=unit.update&actor=admin&page=2").get_data(as_text=True)
    assert rows_of(second) == 10 and "Văn phòng số 1<" in second.replace("</div>", "<")


@pytest.mark.parametrize(("query", "count", "message"), [
    ("tu=01/10/2026&den=31/10/2026", 29, None),  # Ninh Sơn's 29th..56th and Bác Ái's
    ("tu=05/10/2026&den=05/10/2026", 2, None),
    ("tu=31/10/2026&den=01/10/2026", 61, "“Từ ngày” phải trước hoặc bằng “Đến ngày”"),
    ("tu=2026-10-01", 61, "Từ ngày «2026-10-01» không hợp lệ"),
    ("type=unit&object_id={NT.BA}", 1, None),
    ("unit={NS}", 60, None),
    ("type=khong-co", 61, "Loại đối tượng «khong-co» không có"),
])
def test_filters(trail, client, auth, query, count, message):
    auth.login("quantri")
    for code in ("NT.BA", "NS"):
        query = query.replace("{" + code + "}", str(find_unit_by_code(code).id))
    page = client.get(f"/admin/audit?action=unit.update&{query}").get_data(as_text=True)
    assert f"{count} dòng" in page
    if message:
        assert message in page


def test_the_excel_file_holds_the_filtered_rows_in_vietnamese(trail, client, auth):
    auth.login("admin")
    response = client.get("/admin/audit?format=xlsx&action=unit.update&tu=01/10/2026")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "Thời điểm")
    assert values[header][:4] == ["Thời điểm", "Tên đăng nhập", "Người thực hiện", "Thao tác"]
    data = values[header + 1:]
    assert len(data) == 32  # 01/10 on; Bác Ái's entry is not the district admin's
    assert all(r[1] == "admin" and r[2] == "Quản trị hệ thống" and r[3] == "Sửa đơn vị" for r in data)
    assert "Văn phòng số 60" in data[0][11] and data[0][5] == "Đơn vị"


@pytest.mark.parametrize(("kind", "obj", "user", "status"), [
    ("unit", "NS.VP", "yenntk", 200),
    ("unit", "NT.BA", "admin", 404),
    ("unit", "NT.BA", "adminba", 200),
    ("user", "yenntk", "yenntk", 200),
    ("user", "yenntk", "adminba", 404),
    ("indicator", 1, "yenntk", 200),
    ("nothing", 1, "admin", 404),
])
def test_an_object_history_follows_the_object_page_rule(trail, db, client, auth, kind, obj, user, status):
    from app.indicators.models import Indicator

    if kind == "unit":
        object_id = find_unit_by_code(obj).id
    elif kind == "user":
        object_id = find_user(obj).id
    elif kind == "indicator":
        object_id = db.session.scalars(sa.select(Indicator.id).order_by(Indicator.id)).first()
    else:
        object_id = obj
    auth.login(user)
    response = client.get(f"/history/{kind}/{object_id}")
    assert response.status_code == status
    if kind == "unit" and status == 200 and obj == "NS.VP":
        page = response.get_data(as_text=True)
        assert "Lịch sử thay đổi" in page and "61 dòng" in page and "Văn phòng số 60" in page  # + its creation


@pytest.mark.parametrize(("path", "user"), [
    ("/units/{NS.VP}", "admin"), ("/officers/{yenntk}", "yenntk"), ("/assignments/", "hungdv"),
])
def test_object_pages_link_to_their_history(trail, client, auth, path, user):
    path = path.replace("{NS.VP}", str(find_unit_by_code("NS.VP").id)).replace(
        "{yenntk}", str(find_user("yenntk").id))
    auth.login(user)
    page = client.get(path).get_data(as_text=True)
    assert "/history/" in page and "Lịch sử thay đổi" in page
