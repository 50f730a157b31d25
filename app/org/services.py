"""Unit tree services: scope queries and validated edits."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext

from app.audit.services import record
from app.core.errors import DomainError, NotFound
from app.extensions import db
from app.org.models import UNIT_KINDS, Unit


def descendant_ids(unit_id: int) -> set[int]:
    """Ids of a unit and all units below it, by one recursive query."""
    tree = sa.select(Unit.id).where(Unit.id == unit_id).cte("tree", recursive=True)
    tree = tree.union_all(sa.select(Unit.id).join(tree, Unit.parent_id == tree.c.id))
    return set(db.session.scalars(sa.select(tree.c.id)))


def units_in_scope(user, *, active_only: bool = False) -> list[Unit]:
    """Units the user may see, in tree order."""
    if not user.unit_id:
        return []
    ids = descendant_ids(user.unit_id)
    query = sa.select(Unit).where(Unit.id.in_(ids))
    if active_only:
        query = query.where(Unit.is_active.is_(True))
    units = list(db.session.scalars(query))
    return tree_order(units)


def tree_order(units: list[Unit]) -> list[Unit]:
    """Sort units depth-first (parents before children, siblings by order and name)."""
    by_parent: dict[int | None, list[Unit]] = {}
    ids = {u.id for u in units}
    for u in units:
        key = u.parent_id if u.parent_id in ids else None
        by_parent.setdefault(key, []).append(u)
    out: list[Unit] = []

    def walk(parent_id):
        for u in sorted(by_parent.get(parent_id, []), key=lambda x: (x.sort_order, x.name)):
            out.append(u)
            walk(u.id)

    walk(None)
    return out


def get_visible_unit(user, unit_id: int) -> Unit:
    """The unit if the user may see it, else NotFound (never reveal others)."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not unit.is_visible_to(user):
        raise NotFound(gettext("Không tìm thấy đơn vị hoặc bạn không có quyền xem đơn vị này."))
    return unit


def get_visible_user(user, user_id: int):
    """An account of the user's tree (or the user), else NotFound (never reveal others)."""
    from app.auth.models import User

    person = db.session.get(User, user_id)
    if person is None or not user.can_see_user(person):
        raise NotFound(gettext("Không tìm thấy cán bộ hoặc bạn không có quyền xem cán bộ này."))
    return person


def find_unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code.strip()))


CODE_RE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


def valid_unit_code(code: str) -> bool:
    """Unit codes are ASCII letters, digits, ".", "-" and "_" (they end up in file names, URLs and Excel)."""
    return bool(CODE_RE.match(code or ""))


def _validate(code: str, name: str, kind: str, parent: Unit | None, unit: Unit | None) -> None:
    if not code.strip():
        raise DomainError(gettext("Mã đơn vị không được để trống."), "code")
    if not valid_unit_code(code.strip()):
        raise DomainError(gettext("Mã đơn vị «%(code)s» không hợp lệ: chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch "
                                  "ngang, gạch dưới (tối đa 40 ký tự), ví dụ H44.07.",
                                  code=code.strip()[:60]), "code")
    if len(name.strip()) > 255:
        raise DomainError(gettext("Tên đơn vị dài quá 255 ký tự."), "name")
    if not name.strip():
        raise DomainError(gettext("Tên đơn vị không được để trống."), "name")
    if kind not in UNIT_KINDS:
        raise DomainError(gettext("Loại đơn vị «%(kind)s» không hợp lệ.", kind=kind), "kind")
    clash = find_unit_by_code(code)
    if clash is not None and (unit is None or clash.id != unit.id):
        raise DomainError(gettext("Mã đơn vị «%(code)s» đã được dùng cho «%(clash_name)s».", code=code.strip(), clash_name=clash.name), "code")
    if unit is not None and parent is not None and parent.is_descendant_of(unit):
        raise DomainError(
            gettext("Không thể đặt «%(parent_name)s» làm đơn vị cấp trên của «%(unit_name)s»: một đơn vị không "
                    "thể là cấp trên của chính nó.",
                    parent_name=parent.name, unit_name=unit.name),
            "parent_id",
        )


def _check_rights(actor, unit: Unit | None, parent: Unit | None) -> None:
    """An admin acts inside their own tree only: never a new root, never their own unit's parent, never a parent
    outside the tree (which would cut a part of the tree off). `actor` None is the server operator (CLI)."""
    if actor is None:
        return
    if unit is not None and not actor.can_administer(unit):
        raise DomainError(gettext("Bạn không có quyền sửa đơn vị này (ngoài phạm vi quản lý của bạn)."))
    if unit is not None and parent_id_of(parent) == unit.parent_id:
        return  # the parent stays as it is
    if unit is not None and unit.id == actor.unit_id:
        raise DomainError(gettext("Không thể đổi đơn vị cấp trên của chính đơn vị mình: việc này do quản trị đơn vị cấp trên "
                                  "hoặc người vận hành máy chủ thực hiện."), "parent_id")
    if parent is None:
        raise DomainError(gettext("Chỉ người vận hành máy chủ (lệnh flask setup / flask units create) mới tạo hoặc đặt được "
                                  "đơn vị gốc."), "parent_id")
    if not actor.can_administer(parent):
        raise DomainError(gettext("Đơn vị cấp trên «%(parent_name)s» nằm ngoài phạm vi quản lý của bạn.", parent_name=parent.name), "parent_id")


def parent_id_of(parent: Unit | None) -> int | None:
    return parent.id if parent is not None else None


def create_unit(*, code: str, name: str, kind: str, parent: Unit | None, actor=None,
                sort_order: int = 0, portal_id: str | None = None) -> Unit:
    """Create a unit under `parent` (None for a root: the operator only)."""
    _check_rights(actor, None, parent)
    _validate(code, name, kind, parent, None)
    unit = Unit(code=code.strip(), name=name.strip(), kind=kind, parent=parent,
                sort_order=sort_order, portal_id=portal_id)
    db.session.add(unit)
    db.session.flush()
    record(actor, "unit.create", unit, after=unit_snapshot(unit))
    return unit


def update_unit(unit: Unit, *, code: str, name: str, kind: str, parent: Unit | None,
                is_active: bool, sort_order: int = 0, actor=None) -> Unit:
    """Edit a unit; refuses duplicate codes, cycles in the tree and moves outside the actor's tree."""
    _check_rights(actor, unit, parent)
    if actor is not None and unit.id == actor.unit_id and not is_active:
        raise DomainError(gettext("Không thể ngừng hoạt động chính đơn vị của mình."), "is_active")
    _validate(code, name, kind, parent, unit)
    before = unit_snapshot(unit)
    unit.code, unit.name, unit.kind = code.strip(), name.strip(), kind
    unit.parent, unit.is_active, unit.sort_order = parent, is_active, sort_order
    db.session.flush()
    record(actor, "unit.update", unit, before=before, after=unit_snapshot(unit))
    return unit


def unit_snapshot(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id,
            "is_active": unit.is_active}
