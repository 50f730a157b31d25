"""The audit trail page for admins (filters, pages, Excel) and each object's "Lịch sử thay đổi"."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import BytesIO

from flask import Blueprint, render_template, request, send_file
from flask_login import current_user, login_required

from app.audit import access
from app.audit import services as audit
from app.core.params import MAX_ID, arg_id
from app.core.time import now_utc, to_vn, today_vn

bp = Blueprint("audit", __name__)

PER_PAGE = 50


def _day(name: str, errors: list[str], label: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%d/%m/%Y").date()
    except ValueError:
        errors.append(f"{label} «{raw}» không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 05/11/2026.")
        return None


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_ID else 1


def _filter_from_args(errors: list[str]) -> tuple[audit.AuditFilter, dict]:
    start = _day("tu", errors, "Từ ngày")
    end = _day("den", errors, "Đến ngày")
    if start and end and start > end:
        errors.append("“Từ ngày” phải trước hoặc bằng “Đến ngày”.")
        start = end = None
    object_type = request.args.get("type", "")
    if object_type and object_type not in audit.OBJECT_TYPES:
        errors.append(f"Loại đối tượng «{object_type}» không có.")
        object_type = ""
    unit_id = arg_id("unit")
    flt = audit.AuditFilter(
        start=start, end=end, actor=(request.args.get("actor") or "").strip()[:60],
        action=(request.args.get("action") or "").strip()[:60], object_type=object_type,
        object_id=arg_id("object_id"), unit_ids=access.unit_filter_ids(current_user, unit_id))
    args = {k: v for k, v in request.args.items() if k not in ("page", "format") and v}
    return flt, args


def _cell(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _xlsx(rows, flt_args: dict):
    from app.core.excel import XLSX_MIMETYPE, Sheet, workbook_bytes

    data = [[to_vn(e.at).replace(tzinfo=None), e.actor_username, e.actor_name, audit.action_label(e.action), e.action,
             audit.OBJECT_TYPES.get(e.object_type, e.object_type), e.object_id, e.source_label, e.ip_address or "",
             e.user_agent or "", _cell(e.before), _cell(e.after)] for e in rows]
    shown = ", ".join(f"{k}={v}" for k, v in sorted(flt_args.items())) or "không lọc"
    book = workbook_bytes([Sheet(
        title="Nhật ký thay đổi", note=f"Nhật ký thay đổi — {shown} — {len(rows)} dòng",
        headers=["Thời điểm", "Tên đăng nhập", "Người thực hiện", "Thao tác", "Mã thao tác", "Đối tượng", "Mã đối tượng",
                 "Nguồn", "Địa chỉ IP", "Trình duyệt", "Trước", "Sau"],
        rows=data, widths=[17, 16, 24, 28, 24, 22, 10, 12, 16, 30, 50, 50])])
    return send_file(BytesIO(book), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"nhat-ky-{to_vn(now_utc()):%Y%m%d-%H%M}.xlsx")


def _listing():
    from flask_babel import lazy_gettext as _l

    from app.audit.models import AuditEntry
    from app.core.listing import Column, Listing

    return Listing(columns=(Column("at", _l("Thời điểm"), sql=AuditEntry.at),
                            Column("actor", _l("Tên đăng nhập"), sql=AuditEntry.actor_username),
                            Column("action", _l("Mã thao tác"), sql=AuditEntry.action),
                            Column("object", _l("Đối tượng"), sql=AuditEntry.object_type)),
                   default="at", default_desc=True)


LISTING = _listing()


@bp.route("/admin/audit")
@login_required
def index():
    scope = access.trail_scope(current_user)  # 403 for anyone but admins
    errors: list[str] = []
    flt, args = _filter_from_args(errors)
    from app.core.listing import listing_state

    order = listing_state(LISTING)
    if request.args.get("format") == "xlsx":
        return _xlsx(audit.all_entries(flt, scope=scope, limit=audit.export_limit(), order=order), args)
    page = _page()
    rows, total = audit.entries(flt, scope=scope, page=page, per_page=PER_PAGE, order=order)
    from app.org.services import units_in_scope

    return render_template("audit/index.html", rows=rows, total=total, page=page,
                           pages=max(1, (total + PER_PAGE - 1) // PER_PAGE), args=args, errors=errors,
                           units=units_in_scope(current_user), actions=audit.ACTIONS, types=audit.OBJECT_TYPES,
                           action_label=audit.action_label, state=order)


@bp.route("/history/<kind>/<int:object_id>")
@login_required
def history(kind: str, object_id: int):
    item = access.object_history(current_user, kind, object_id, today=today_vn())
    page = _page()
    rows, total = audit.entries(item.filter, scope=None, page=page, per_page=PER_PAGE)
    return render_template("audit/history.html", item=item, rows=rows, total=total, page=page,
                           pages=max(1, (total + PER_PAGE - 1) // PER_PAGE), types=audit.OBJECT_TYPES,
                           action_label=audit.action_label)
