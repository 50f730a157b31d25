"""Write audit entries in the caller's transaction; read them back filtered, page by page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import gettext

from app.audit.models import AuditEntry
from app.core.i18n import N_
from app.core.time import VN_TZ
from app.extensions import db

USER_AGENT_MAX = 255


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def set_source(source: str) -> None:
    """Mark what runs in this app context ("scheduler", "cli") for the entries it writes."""
    g.audit_source = source


def _origin() -> tuple[str, str | None, str | None]:
    """(source, client address, user agent) of the code that is writing the entry.

    In a request the address is `request.remote_addr`, which the proxy handling of the app (TRUSTED_PROXIES) has
    already taken from X-Forwarded-For when the app sits behind a trusted proxy; never the header itself.
    """
    if has_request_context():
        source = "api" if (request.blueprint or "") == "api" else "web"
        agent = request.user_agent.string or None
        return source, (request.remote_addr or None), (agent[:USER_AGENT_MAX] if agent else None)
    if has_app_context() and g.get("audit_source"):
        return g.audit_source, None, None
    import click

    if click.get_current_context(silent=True) is not None:
        return "cli", None, None
    return "system", None, None


def unit_of(obj) -> int | None:
    """The unit an audited object belongs to (None for what is national: the catalog, the calendar)."""
    if obj is None:
        return None
    table = getattr(obj, "__tablename__", "")
    if table == "unit":
        return obj.id
    if table == "assignment":
        return obj.scope_unit_id
    if table == "plan":
        return obj.issuing_unit_id
    if table == "dossier":
        return obj.handling_unit_id
    if table == "dossier_claim":
        return obj.dossier.handling_unit_id if obj.dossier is not None else None
    return getattr(obj, "unit_id", None)


def record(actor, action: str, obj=None, *, before: dict | None = None, after: dict | None = None,
           object_type: str | None = None, unit=None, now: datetime | None = None) -> AuditEntry | None:
    """Add one audit entry to the current session (committed with the change it describes).

    Who (the actor and a snapshot of their name and unit), from where (web/API with the client address and user
    agent, the command line, the scheduler), what (action, object, its unit) and before → after.
    Never pass password hashes or secrets in `before`/`after`. An edit that changed nothing (before equal to after, e.g.
    a form saved as it was) leaves no entry: the trail lists changes, not saves.
    """
    before = _jsonable(before) if before is not None else None
    after = _jsonable(after) if after is not None else None
    if before is not None and before == after:
        return None
    source, address, agent = _origin()
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_username=getattr(actor, "username", "") or "",
        actor_name=getattr(actor, "full_name", "") or "",
        actor_unit_id=getattr(actor, "unit_id", None),
        action=action,
        object_type=object_type or (obj.__tablename__ if obj is not None else "system"),
        object_id=getattr(obj, "id", None),
        unit_id=getattr(unit, "id", unit) if unit is not None else unit_of(obj),
        source=source,
        ip_address=address,
        user_agent=agent,
        before=before,
        after=after,
    )
    if now is not None:
        entry.at = now
    db.session.add(entry)
    return entry


# --- reading ------------------------------------------------------------------------------------------------------

# What the list and the Excel file call each object type.
OBJECT_TYPES = {
    "unit": N_("Đơn vị"), "user": N_("Tài khoản"), "plan": N_("Kế hoạch"), "assignment": N_("Phân công"), "indicator": N_("Chỉ số"),
    "indicator_rule": N_("Quy tắc chấm điểm"), "catalog_version": N_("Phiên bản danh mục"), "calendar_day": N_("Ngày làm việc"),
    "score_record": N_("Điểm số"), "import_batch": N_("Lần nhập điểm"), "score_explanation": N_("Giải trình"),
    "dossier": N_("Hồ sơ"), "dossier_claim": N_("Đề nghị xác nhận lỗi dữ liệu"), "alert": N_("Cảnh báo"),
    "document": N_("Văn bản"), "api_token": N_("Mã truy cập API"), "system": N_("Hệ thống"),
}

ACTIONS = {
    "auth.login": N_("Đăng nhập"), "auth.login_failed": N_("Đăng nhập thất bại"), "auth.logout": N_("Đăng xuất"),
    "user.create": N_("Tạo tài khoản"), "user.update": N_("Sửa tài khoản"), "user.set_password": N_("Đặt mật khẩu"),
    "user.update_profile": N_("Sửa thông tin cá nhân"), "user.deactivate": N_("Vô hiệu tài khoản"),
    "unit.create": N_("Tạo đơn vị"), "unit.update": N_("Sửa đơn vị"), "unit.create_from_import": N_("Tạo đơn vị khi nhập điểm"),
    "unit.bind_portal_id": N_("Gắn mã cổng cho đơn vị"), "unit.code_from_portal": N_("Lấy mã đơn vị từ cổng"),
    "catalog.rule_update": N_("Sửa quy tắc chấm điểm"), "catalog.version_create": N_("Tạo phiên bản danh mục"),
    "catalog.indicator_update": N_("Sửa chỉ số"), "calendar.set_day": N_("Đặt ngày làm việc/nghỉ"),
    "calendar.clear_day": N_("Bỏ điều chỉnh ngày"), "assignment.create": N_("Phân công"),
    "assignment.correct_past": N_("Điều chỉnh hồi tố"), "assignment.close": N_("Kết thúc phân công"),
    "score.import": N_("Nhập điểm từ tệp"), "score.manual_entry": N_("Nhập điểm thủ công"), "score.explain": N_("Giải trình"),
    "score.explain_accept": N_("Chấp nhận giải trình"), "score.explain_return": N_("Trả lại giải trình"),
    "dossier.import": N_("Nhập hồ sơ"), "dossier.api_upsert": N_("Nhận hồ sơ qua API"), "dossier.claim": N_("Đề nghị xác nhận lỗi dữ liệu"),
    "dossier.claim_decide": N_("Quyết định về lỗi dữ liệu"), "alert.acknowledge": N_("Xác nhận đã xem cảnh báo"),
    "api_token.issue": N_("Cấp mã API"), "api_token.revoke": N_("Thu hồi mã API"), "api_token.refused": N_("Từ chối mã API"),
    "demo.reset": N_("Nạp lại dữ liệu mẫu"), "unit.publishing": N_("Công khai điểm số"),
}


def action_label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    if action.startswith("document."):
        return gettext("Văn bản: %(action)s", action=action.split(".", 1)[1])
    return action


@dataclass(frozen=True)
class AuditFilter:
    """What the list shows: every field optional; dates are Vietnam calendar days, both ends included."""

    start: date | None = None
    end: date | None = None
    actor: str = ""  # a username, exact (case-insensitive)
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    unit_ids: frozenset[int] | None = None  # entries about, or by someone of, these units
    objects: tuple[tuple[str, frozenset[int]], ...] = ()  # an object's history: (type, ids) pairs, any of them

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.start is not None:
            where.append(AuditEntry.at >= datetime.combine(self.start, time(), VN_TZ))
        if self.end is not None:
            where.append(AuditEntry.at < datetime.combine(self.end + timedelta(days=1), time(), VN_TZ))
        if self.actor:
            where.append(AuditEntry.actor_username == self.actor.strip().lower())
        if self.action:
            where.append(AuditEntry.action == self.action)
        if self.object_type:
            where.append(AuditEntry.object_type == self.object_type)
        if self.object_id is not None:
            where.append(AuditEntry.object_id == self.object_id)
        if self.unit_ids is not None:
            where.append(in_units(self.unit_ids))
        if self.objects:
            where.append(sa.or_(*(sa.and_(AuditEntry.object_type == kind, AuditEntry.object_id.in_(sorted(ids)))
                                  for kind, ids in self.objects)))
        return where


def in_units(unit_ids) -> sa.ColumnElement[bool]:
    """Entries about an object of these units, or written by someone of these units."""
    ids = sorted(unit_ids)
    return sa.or_(AuditEntry.unit_id.in_(ids), AuditEntry.actor_unit_id.in_(ids))


def _query(flt: AuditFilter, scope: sa.ColumnElement[bool] | None) -> sa.Select:
    query = sa.select(AuditEntry).where(*flt.conditions())
    if scope is not None:
        query = query.where(scope)
    return query


def _ordered(query: sa.Select, order) -> sa.Select:
    """Newest first, or as `order` (a core.listing ListState of whitelisted columns) says."""
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return order.order_select(query, AuditEntry.id.desc()) if order is not None else query


def entries(flt: AuditFilter, *, scope: sa.ColumnElement[bool] | None, page: int = 1,
            per_page: int = 50, order=None) -> tuple[list[AuditEntry], int]:
    """One page of entries (newest first unless `order` says otherwise) and how many match in all."""
    query = _query(flt, scope)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(_ordered(query, order)
                              .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return list(rows), total


def all_entries(flt: AuditFilter, *, scope: sa.ColumnElement[bool] | None, limit: int,
                order=None) -> list[AuditEntry]:
    """Every matching entry, newest first (or as `order` says), at most `limit` (the Excel export)."""
    query = _ordered(_query(flt, scope), order).limit(limit)
    return list(db.session.scalars(query))


def export_limit() -> int:
    return int(current_app.config.get("AUDIT_EXPORT_MAX_ROWS", 50000))
