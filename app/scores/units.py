"""Which unit of ours a row of an import file is about: by code, else by the portal's id; checked, never guessed.

A portal id is bound to one unit only; a unit's name must match the portal's; a file without codes gets
provisional codes from the names, replaced by the real code as soon as a file gives it. Bindings, code changes and
created units are audited.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from app.audit.services import record
from app.core.text import fold
from app.extensions import db
from app.org.models import Unit
from app.org.services import valid_unit_code
from app.scores.portal import ParseError, PortalScoreRow

_SPACES = re.compile(r"\s+")
_PREFIXES = ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd ")


def _norm(name: str) -> str:
    text = _SPACES.sub(" ", fold(name)).strip()
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text


def names_match(ours: str, theirs: str | None) -> bool:
    """The same unit by name: equal without case, spacing or a leading "UBND", or the portal's name is ours followed
    by its province suffix ("Sở Công Thương" ~ "Sở Công Thương - Tỉnh Phú Thọ")."""
    if not theirs:
        return True
    a, b = _norm(ours), _norm(theirs)
    return a == b or b.startswith(a + " - ") or a.startswith(b + " - ")


def code_from_name(name: str) -> str:
    """A provisional unit code from a name: ASCII letters and digits joined by '-' ("TAM.SO-CONG-THUONG")."""
    text = unicodedata.normalize("NFD", name or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.findall(r"[A-Za-z0-9]+", text.upper())
    words = [w for w in words if w not in ("UBND",)] or ["DON", "VI"]
    return ("TAM." + "-".join(words))[:34].rstrip("-")


def kind_of(row: PortalScoreRow) -> str:
    """Unit kind from what the portal says (type, else level): the province row, departments, communes."""
    types = {"PROVINCE": "province", "PROVINCIAL_DEPARTMENT": "department", "COMMUNE_PEOPLE_COMMITTEE": "commune",
             "COMMUNE": "commune", "DISTRICT": "district", "DISTRICT_PEOPLE_COMMITTEE": "district"}
    if row.unit_type in types:
        return types[row.unit_type]
    if row.is_overview:
        return "province"
    level = (row.unit_level or "").upper()
    return {"PROVINCE": "department", "COMMUNE": "commune", "DISTRICT": "district"}.get(level, "other")


class UnitResolver:
    """Resolves the units of one import (all files together) and reports each problem once per file and unit."""

    def __init__(self, *, create: bool, actor=None, known_codes: dict[str, str] | None = None):
        self.create, self.actor = create, actor
        self.known_codes = known_codes or {}
        self.by_code = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        self.by_portal = {u.portal_id: u for u in self.by_code.values() if u.portal_id}
        self.created: list[str] = []
        self._reported: set[tuple] = set()

    # --- reporting

    def _error(self, fr, row_no, fld, value, message: str, code: str) -> None:
        key = (id(fr), code, value)
        if key not in self._reported:
            self._reported.add(key)
            fr.errors.append(ParseError(row_no, fld, value, message, code=code))

    def may_write(self, unit: Unit) -> bool:
        """From the web, an admin imports only for units in their own tree (the command line is the operator's)."""
        return self.actor is None or self.actor.can_administer(unit)

    def _allowed(self, unit: Unit, fr, row_no, value) -> Unit | None:
        if self.may_write(unit):
            return unit
        self._error(fr, row_no, "departmentCode" if fr.rows_are_units else "MaDonVi", value,
                    f"Đơn vị «{unit.name}» ({unit.code}) nằm ngoài phạm vi quản lý của bạn: không nhập số liệu "
                    "cho đơn vị này.", "outside_tree")
        return None

    # --- CSV / XLSX rows carry only a code

    def by_code_only(self, code: str, fr, row_no: int) -> Unit | None:
        unit = self.by_code.get(code)
        if unit is None:
            self._error(fr, row_no, "MaDonVi", code, f"Không có đơn vị mã «{code}» trong hệ thống.", "unknown_unit")
            return None
        return self._allowed(unit, fr, row_no, code)

    # --- portal rows carry a code (most groups), the portal's id and the name

    def resolve(self, row: PortalScoreRow, fr, *, parent: Unit | None) -> Unit | None:
        code = row.unit_code or self.known_codes.get(row.portal_id or "")
        label = f"«{row.unit_name or code or row.portal_id}»"
        value = code or row.portal_id
        by_portal = self.by_portal.get(row.portal_id) if row.portal_id else None
        unit = self.by_code.get(code) if code else None
        if unit is None and by_portal is not None:
            if code and by_portal.is_code_provisional:
                self._set_code(by_portal, code)
                unit = by_portal
            elif code:
                self._error(fr, row.row, "departmentCode", value,
                            f"Đơn vị {label} trên cổng mang mã {code}, nhưng mã cổng {row.portal_id} đã gắn với đơn "
                            f"vị «{by_portal.name}» mã {by_portal.code} trong hệ thống.", "portal_id_conflict")
                return None
            else:
                unit = by_portal
        if unit is None:
            return self._create(row, fr, code, parent, label, value)
        if row.portal_id:
            if unit.portal_id and unit.portal_id != row.portal_id:
                self._error(fr, row.row, "departmentId", value,
                            f"Đơn vị «{unit.name}» (mã {unit.code}) đã gắn với mã cổng {unit.portal_id}, còn tệp ghi "
                            f"mã cổng {row.portal_id} cho {label}.", "portal_id_conflict")
                return None
            if by_portal is not None and by_portal.id != unit.id:
                self._error(fr, row.row, "departmentId", value,
                            f"Mã cổng {row.portal_id} của {label} đã gắn với đơn vị «{by_portal.name}» (mã "
                            f"{by_portal.code}), không phải «{unit.name}» (mã {unit.code}).", "portal_id_conflict")
                return None
        if not names_match(unit.name, row.unit_name):
            self._error(fr, row.row, "departmentName", value,
                        f"Tên đơn vị trong tệp {label} khác tên trong hệ thống «{unit.name}» (mã {unit.code}).",
                        "name_mismatch")
            return None
        if self._allowed(unit, fr, row.row, value) is None:
            return None
        if row.portal_id and not unit.portal_id:
            self._bind(unit, row.portal_id)
        return unit

    def _bind(self, unit: Unit, portal_id: str) -> None:
        unit.portal_id = portal_id
        self.by_portal[portal_id] = unit
        record(self.actor, "unit.bind_portal_id", unit, after={"code": unit.code, "portal_id": portal_id})

    def _set_code(self, unit: Unit, code: str) -> None:
        before = unit.code
        self.by_code.pop(before, None)
        unit.code, unit.is_code_provisional = code, False
        self.by_code[code] = unit
        record(self.actor, "unit.code_from_portal", unit, before={"code": before}, after={"code": code})

    def _create(self, row: PortalScoreRow, fr, code: str | None, parent: Unit | None, label: str,
                value) -> Unit | None:
        if not self.create:
            self._error(fr, row.row, "departmentCode", value,
                        f"Không có đơn vị {label} (mã {code or '—'}, mã cổng {row.portal_id or '—'}) trong hệ thống.",
                        "unknown_unit")
            return None
        if self.actor is not None and not (self.may_write(parent) if parent is not None
                                           else self.actor.unit.parent_id is None):
            self._error(fr, row.row, "departmentCode", value,
                        f"Đơn vị {label} nằm ngoài phạm vi quản lý của bạn: không tạo và không nhập số liệu.",
                        "outside_tree")
            return None
        provisional = not code
        if code and not valid_unit_code(code):
            self._error(fr, row.row, "departmentCode", code,
                        f"Mã đơn vị «{code}» của {label} không hợp lệ (chỉ chữ, số, dấu chấm, gạch ngang, gạch dưới).",
                        "bad_code")
            return None
        if provisional:
            code = base = code_from_name(row.unit_name or row.portal_id or "")
            n = 1
            while code in self.by_code:
                n += 1
                code = f"{base[:30]}-{n}"
        name = (row.unit_name or code).strip()[:255]
        unit = Unit(code=code, name=name, parent=parent, portal_id=row.portal_id, kind=kind_of(row),
                    is_code_provisional=provisional)
        db.session.add(unit)
        db.session.flush()
        record(self.actor, "unit.create_from_import", unit,
               after={"code": code, "name": name, "portal_id": row.portal_id, "provisional_code": provisional})
        self.by_code[code] = unit
        if row.portal_id:
            self.by_portal[row.portal_id] = unit
        self.created.append(f"{code} — {name}" + (" (mã tạm, theo tên: tệp không ghi mã đơn vị)" if provisional else ""))
        return unit
