"""Every table sorts, filters and exports (core.listing): pages × sort column × direction, filters, unknown parameters,
the workbooks read back with openpyxl (integer cells, bold group rows, print setup, period labels) and rights."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.auth.services import find_user
from app.org.services import find_unit_by_code

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)

# page, who looks, its sort keys
PAGES = [
    ("/assignments/", "hungdv", ["number", "name", "unit", "coop", "performer"]),
    ("/scores/overview", "hungdv", ["unit", "total", "reds"]),
    ("/scores/red", "hungdv", ["unit", "indicator", "points", "change", "owner", "explained"]),
    ("/admin/users", "admin", ["username", "name", "title", "unit", "role", "active"]),
    ("/admin/units", "admin", ["tree", "code", "name", "kind", "parent", "active"]),
    ("/units", "hungdv", ["tree", "code", "name", "kind", "members", "active"]),
]


def _book(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(BytesIO(response.data))


def _texts(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.parametrize(("path", "user", "keys"), PAGES, ids=[p[0] for p in PAGES])
def test_every_column_sorts_both_ways_and_the_export_follows(scored, client, auth, path, user, keys):
    auth.login(user)
    for key in keys:
        for direction in ("asc", "desc"):
            response = client.get(f"{path}?sort={key}&dir={direction}")
            assert response.status_code == 200, (key, direction)
            page = response.get_data(as_text=True)
            assert re.search(rf'<option value="{key}" selected>', page), key  # the form shows the order
            if path != "/scores/overview" and key != "tree":  # the tree order has no header of its own  # the heatmap is sorted by its form (its headers belong to the legend)
                aria = "ascending" if direction == "asc" else "descending"
                assert re.search(rf'aria-sort="{aria}"><a href="[^"]*sort={key}&amp;dir='
                                 rf'{"desc" if direction == "asc" else "asc"}', page), (key, direction)
            assert f"sort={key}&amp;dir={direction}&amp;format=xlsx" in page  # export carries the same state
        book = _book(client.get(f"{path}?sort={key}&dir=desc&format=xlsx"))
        assert book.active.freeze_panes is not None


@pytest.mark.parametrize(("path", "user", "_keys"), PAGES, ids=[p[0] for p in PAGES])
def test_unknown_parameters_are_ignored(scored, client, auth, path, user, _keys):
    auth.login(user)
    plain = client.get(path).get_data(as_text=True)
    odd = client.get(f"{path}?sort=password&dir=sideways&unit=999999&kind=x%27--&role=root&q=").get_data(as_text=True)
    assert client.get(f"{path}?sort=id);DROP&dir=1").status_code == 200
    strip = re.compile(r'(href|value|action)="[^"]*"')
    assert len(strip.sub("", odd)) > 0.5 * len(strip.sub("", plain))


def test_users_sorted_in_vietnamese_order_and_filtered(scored, client, auth):
    auth.login("admin")
    page = client.get("/admin/users?sort=name").get_data(as_text=True)
    names = ["Lê Văn Khoa", "Nguyễn Anh Văn", "Trương Việt Hùng"]
    assert [page.index(n) for n in names] == sorted(page.index(n) for n in names)
    assert page.index("Đoàn Văn Hùng") < page.index("Lê Văn Khoa")  # Đ after D, before L
    filtered = client.get("/admin/users?q=Nguyễn&role=officer").get_data(as_text=True)
    assert "Nguyễn Thị Kim Yến" in filtered and "Đoàn Văn Hùng" not in filtered and "Nguyễn Văn Bình" not in filtered
    assert "Lê Văn Khoa" in client.get("/admin/users?q=nguyen").get_data(as_text=True)  # "Tài nguyên" typed plain
    book = _book(client.get("/admin/users?q=Nguyễn&role=officer&format=xlsx"))
    names = [r[1] for r in book.active.iter_rows(min_row=3, values_only=True)]
    assert "Nguyễn Thị Kim Yến" in names and all(n.startswith("Nguyễn") for n in names)


def test_assignment_table_export_is_laid_out_like_the_plan(scored, client, auth):
    auth.login("hungdv")
    ws = _book(client.get("/assignments/?format=xlsx")).active
    assert [c.value for c in ws[2]] == ["STT", "Chỉ số", "Đơn vị phụ trách", "Đơn vị phối hợp", "Người thực hiện"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    assert rows["II"][4].value == "Nguyễn Thị Kim Yến" and rows["II"][0].font.b and rows["II"][1].font.b
    assert rows["4."][1].value == "Tỷ lệ hồ sơ xử lý đúng hạn" and not rows["4."][1].font.b
    assert rows["4."][4].value is None  # the indicator belongs to its group's owner, as the plan prints it
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == "$2:$2" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.freeze_panes == "A3"


def test_assignment_table_filters_by_performer_and_keeps_the_group_row(scored, client, auth):
    auth.login("hungdv")
    yen = find_user("yenntk")
    page = client.get(f"/assignments/?performer={yen.id}").get_data(as_text=True)
    assert "Tiến độ, kết quả giải quyết" in page and "Tỷ lệ hồ sơ xử lý đúng hạn" in page
    assert "Công khai, minh bạch" not in page
    ws = _book(client.get(f"/assignments/?performer={yen.id}&format=xlsx")).active
    assert [r[0] for r in ws.iter_rows(min_row=3, values_only=True)] == ["II", "4."]
    assert "(đã lọc)" in ws["A1"].value


def test_heatmap_sorts_by_total_filters_by_kind_and_exports_numbers(scored, client, auth):
    auth.login("hungdv")
    page = client.get("/scores/overview?sort=total&dir=desc").get_data(as_text=True)
    assert page.index("thị trấn Tân Sơn</a>") < page.index("xã Ma Nới</a>")  # full scores before half scores
    book = _book(client.get("/scores/overview?sort=total&dir=desc&unit_kind=commune&format=xlsx"))
    ws = book.active
    units = [r[0] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert units == ["UBND thị trấn Tân Sơn", "UBND xã Ma Nới"]
    totals = [r[1] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert all(isinstance(t, int | float) for t in totals) and totals[0] > totals[1]
    assert "Tháng 10/2026" in ws["A1"].value and ws.page_setup.orientation == "landscape"
    assert "Tỷ lệ hồ sơ xử lý đúng hạn" in _texts(book.worksheets[1])


def test_red_list_filters_sorts_and_exports_with_period_labels(scored, client, auth):
    auth.login("hungdv")
    page = client.get("/scores/red?explained=0").get_data(as_text=True)
    assert "Tỷ lệ hồ sơ xử lý đúng hạn" in page
    assert "Không có dòng nào khớp" in client.get("/scores/red?explained=1").get_data(as_text=True)
    ws = _book(client.get("/scores/red?sort=points&format=xlsx")).active
    data = list(ws.iter_rows(min_row=3, values_only=True))
    assert data and {r[1] for r in data} == {"Tháng 10/2026"}
    four = next(r for r in data if r[3] == "Tỷ lệ hồ sơ xử lý đúng hạn")
    assert four[2] == 4 and isinstance(four[4], int | float) and four[9] == "Chưa giải trình"
    points = [r[4] for r in data]
    assert points == sorted(points)


def test_scorecard_export_has_integer_counts_and_bold_groups(scored, client, auth):
    auth.login("hungdv")
    ws = _book(client.get(f"/scores/units/{find_unit_by_code('NS').id}?period=2026-10&format=xlsx")).active
    rows = list(ws.iter_rows(min_row=3))
    group = next(r for r in rows if r[0].value == "II")
    four = next(r for r in rows if r[1].value == "Tỷ lệ hồ sơ xử lý đúng hạn")
    total = rows[-1]
    assert group[1].font.b and total[1].font.b and total[1].value == "Tổng điểm" and not four[1].font.b
    assert four[2].value == 40 and isinstance(four[2].value, int) and four[3].value == 100
    assert four[2].number_format == "#,##0"


def test_owner_export_shows_periods_as_labels(scored, client, auth):
    auth.login("hungdv")
    ws = _book(client.get(f"/scores/owners/{find_user('yenntk').id}?format=xlsx")).active
    periods = {r[2] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert "Tháng 10/2026" in periods and not any(re.fullmatch(r"\d{4}-\d{2}", str(p)) for p in periods)


@pytest.mark.parametrize(("user", "path", "status"), [
    ("yenntk", "/admin/users?format=xlsx", 403), ("binhnv", "/admin/units?format=xlsx", 403),
    ("yenntk", "/scores/overview?format=xlsx", 403),
])
def test_exports_keep_the_pages_rights(scored, client, auth, user, path, status):
    auth.login(user)
    assert client.get(path).status_code == status


def test_a_commune_head_exports_only_his_tree(scored, client, auth):
    auth.login("binhnv")
    units = [r[0] for r in _book(client.get("/units?format=xlsx")).active.iter_rows(min_row=3, values_only=True)]
    assert units == ["NS.TANSON"]
    red = _texts(_book(client.get("/scores/red?format=xlsx")).active)
    assert "UBND xã Ma Nới" not in red and "UBND huyện Ninh Sơn" not in red


@pytest.mark.parametrize("key", ["rank", "unit", "total", "movement"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_ranks_sort_and_export_in_the_same_order(scored, client, auth, key, direction):
    auth.login("hungdv")
    path = f"/scores/ranks/{find_unit_by_code('NS').id}?period=2026-10&sort={key}&dir={direction}"
    page = client.get(path).get_data(as_text=True)
    assert f'aria-sort="{"ascending" if direction == "asc" else "descending"}"' in page
    ws = _book(client.get(path + "&format=xlsx")).active
    shown = [r[1] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert shown and [page.index(name) for name in shown] == sorted(page.index(name) for name in shown)
    assert all(isinstance(r[0], int) for r in ws.iter_rows(min_row=3, values_only=True))



@pytest.mark.parametrize(("path", "user", "keys"), [
    ("/alerts/", "yenntk", ["urgency", "kind", "message", "created", "state"]),
    ("/documents/", "hungdv", ["newest", "kind", "unit", "quarter", "issued", "status"]),
    ("/admin/audit", "admin", ["at", "actor", "action", "object"]),
])
def test_other_lists_sort_and_export(scored, client, auth, path, user, keys):
    from app.extensions import db
    from app.scores import accountability

    accountability.scan_red(now=NOW)
    db.session.commit()
    auth.login(user)
    for key in keys:
        for direction in ("asc", "desc"):
            response = client.get(f"{path}?sort={key}&dir={direction}")
            assert response.status_code == 200, (key, direction)
            page = response.get_data(as_text=True)
            if path != "/documents/" or "list-filter" in page:  # no document yet: no form
                assert re.search(rf'<option value="{key}" selected>', page), key
        assert _book(client.get(f"{path}?sort={key}&format=xlsx")).active.max_row >= 1
