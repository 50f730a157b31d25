"""Users and units as sortable, filterable tables with their Excel workbooks (admin and /org pages).

The rows are those the pages already read (`units_in_scope`, the accounts of the admin's tree); the default order
of the units is the tree's (each unit under its parent), which the page indents.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.core.excel import Sheet, workbook_bytes
from app.core.listing import Column, Filter, Listing


def _status(active: bool, off_label: str) -> tuple[str, str]:
    return ("1", gettext("Hoạt động")) if active else ("0", off_label)


USERS = Listing(
    columns=(
        Column("username", _l("Tên đăng nhập"), value=lambda u: u.username, text=True),
        Column("name", _l("Họ và tên"), value=lambda u: u.full_name, text=True),
        Column("title", _l("Chức vụ"), value=lambda u: u.title, text=True),
        Column("unit", _l("Đơn vị"), value=lambda u: u.unit.name if u.unit else None, text=True),
        Column("role", _l("Vai trò"), value=lambda u: u.role_label, text=True),
        Column("active", _l("Trạng thái"), value=lambda u: not u.is_active),
    ),
    default="active",
    filters=(Filter("unit", _l("Đơn vị"), choice=lambda u: (u.unit_id, u.unit.name) if u.unit else None),
             Filter("role", _l("Vai trò"), choice=lambda u: (u.role, gettext(u.role_label))),
             Filter("active", _l("Trạng thái"), choice=lambda u: _status(u.is_active, ""),
                    options=[("1", _l("Hoạt động")), ("0", _l("Vô hiệu"))])),
    search=lambda u: f"{u.username} {u.full_name} {u.title or ''} {u.email or ''}",
    search_label=_l("Tìm tên, tên đăng nhập"),
)


def _tree_order(units: list) -> dict[int, int]:
    return {u.id: i for i, u in enumerate(units)}


def units_listing(units: list, *, members: bool = False) -> Listing:
    """The units of a tree: tree order by default; by code, name, kind, parent (or active members), status."""
    order = _tree_order(units)
    columns = [Column("tree", _l("Theo cây đơn vị"), value=lambda u: order.get(u.id)),
               Column("code", _l("Mã"), value=lambda u: u.code, text=True),
               Column("name", _l("Tên đơn vị"), value=lambda u: u.name, text=True),
               Column("kind", _l("Loại"), value=lambda u: u.kind_label, text=True)]
    if members:
        columns.append(Column("members", _l("Cán bộ"), value=lambda u: sum(1 for m in u.members if m.is_active)))
    else:
        columns.append(Column("parent", _l("Cấp trên"), value=lambda u: u.parent.name if u.parent else None,
                              text=True))
    columns.append(Column("active", _l("Trạng thái"), value=lambda u: not u.is_active))
    return Listing(
        columns=tuple(columns), default="tree",
        filters=(Filter("kind", _l("Loại"), choice=lambda u: (u.kind, gettext(u.kind_label))),
                 Filter("active", _l("Trạng thái"), choice=lambda u: _status(u.is_active, ""),
                        options=[("1", _l("Hoạt động")), ("0", _l("Ngừng"))])),
        search=lambda u: f"{u.code} {u.name}", search_label=_l("Tìm mã, tên đơn vị"),
    )


def users_workbook(people: list, filtered: bool) -> bytes:
    rows = [[p.username, p.full_name, p.title or "", p.unit.name if p.unit else "", p.role_label, p.email or "",
             gettext("Hoạt động") if p.is_active else gettext("Vô hiệu")] for p in people]
    note = gettext("Tài khoản — %(count)s tài khoản", count=len(rows)) + (
        " " + gettext("(đã lọc)") if filtered else "")
    return workbook_bytes([Sheet(
        title=gettext("Tài khoản"), note=note,
        headers=[gettext("Tên đăng nhập"), gettext("Họ và tên"), gettext("Chức vụ"), gettext("Đơn vị"),
                 gettext("Vai trò"), gettext("Thư điện tử"), gettext("Trạng thái")],
        rows=rows, widths=[16, 28, 30, 36, 22, 30, 12])])


def units_workbook(units: list, filtered: bool, *, root=None) -> bytes:
    base = len(root.ancestors()) if root is not None else 0
    rows = [[u.code, "    " * max(0, len(u.ancestors()) - base) + u.name, u.kind_label,
             u.parent.name if u.parent else "", sum(1 for m in u.members if m.is_active),
             gettext("Hoạt động") if u.is_active else gettext("Ngừng")] for u in units]
    note = gettext("Đơn vị — %(count)s đơn vị", count=len(rows)) + (" " + gettext("(đã lọc)") if filtered else "")
    return workbook_bytes([Sheet(
        title=gettext("Đơn vị"), note=note,
        headers=[gettext("Mã"), gettext("Tên đơn vị"), gettext("Loại"), gettext("Cấp trên"), gettext("Cán bộ"),
                 gettext("Trạng thái")],
        rows=rows, widths=[14, 50, 20, 40, 9, 12], integer_columns={4})])
