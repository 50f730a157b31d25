"""Import score files (portal JSON, CSV, XLSX) all or nothing: parse, resolve units and indicators, upsert."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from app.audit.services import record
from app.extensions import db
from app.indicators.models import Indicator, IndicatorGroup
from app.indicators.services import rules_on
from app.org.models import Unit
from app.scores import tabular
from app.scores.models import ImportBatch
from app.scores.periods import Period, parse_period, period_from_request
from app.scores.portal import ParseError, parse_portal_file
from app.scores.services import ScoreInput, UpsertResult, upsert

KIND_BY_TYPE = {"PROVINCE": "province", "PROVINCIAL_DEPARTMENT": "department", "COMMUNE": "commune",
                "DISTRICT": "district"}


@dataclass
class SourceFile:
    name: str
    content: bytes
    manifest: dict | None = None  # the capture's entry in a manifest.json saved beside it, if any
    formality_code: str | None = None
    scope: str | None = None  # "all" / "formality" when the person importing says so


@dataclass
class FileReport:
    name: str
    kind: str = ""
    period: str = ""
    scope: str = "all"
    rows: int = 0
    skipped: str = ""
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    result: UpsertResult = field(default_factory=UpsertResult)


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    created_units: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not any(f.errors for f in self.files)

    def total(self, attr: str) -> int:
        return sum(getattr(f.result, attr) for f in self.files)

    @property
    def nothing_new(self) -> bool:
        return self.total("new") == 0 and self.total("changed") == 0 and not self.created_units


def read_paths(paths: list[str]) -> list[SourceFile]:
    """Files (folders are walked) with the manifest.json entry saved beside each, when there is one."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, _dirs, names in sorted(os.walk(path)):
                files += [os.path.join(root, n) for n in sorted(names) if n.lower().endswith((".json", ".csv", ".xlsx"))]
        else:
            files.append(path)
    out = []
    for path in files:
        with open(path, "rb") as handle:
            content = handle.read()
        out.append(SourceFile(path, content, *_manifest_entry(path)))
    return out


def _manifest_entry(path: str) -> tuple[dict | None, str | None]:
    folder = os.path.dirname(os.path.abspath(path))
    for candidate in (folder, os.path.dirname(folder)):
        manifest = os.path.join(candidate, "manifest.json")
        if os.path.isfile(manifest) and os.path.abspath(manifest) != os.path.abspath(path):
            try:
                with open(manifest, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError):
                return None, None
            rel = os.path.relpath(os.path.abspath(path), candidate).replace(os.sep, "/")
            entry = next((c for c in data.get("captures", []) if c.get("file") == rel), None)
            return entry, (data.get("formality") or {}).get("code")
    return None, None


def _is_listing(obj) -> bool:
    """A page of the portal's procedure (TTHC) list or a capture manifest: not scoring data."""
    if not isinstance(obj, dict):
        return False
    if "captures" in obj:
        return True
    data = obj.get("data")
    items = data.get("items") if isinstance(data, dict) else None
    return isinstance(items, list) and "evaluation" not in data and all(
        isinstance(i, dict) and {"code", "name"} <= i.keys() and not {"metrics", "totalScore", "score"} & i.keys()
        for i in items[:5])


class _Resolver:
    """Finds units by code, else by the portal's id; creates them on request (under the file's province row)."""

    def __init__(self, create: bool, report: ImportReport, actor=None):
        self.create, self.report, self.actor = create, report, actor
        self.by_code = {u.code: u for u in db.session.scalars(sa.select(Unit))}
        self.by_portal = {u.portal_id: u for u in self.by_code.values() if u.portal_id}

    def find(self, code, portal_id) -> Unit | None:
        unit = (self.by_code.get(code) if code else None) or (self.by_portal.get(portal_id) if portal_id else None)
        if unit is not None and portal_id and not unit.portal_id and portal_id not in self.by_portal:
            unit.portal_id = portal_id
            self.by_portal[portal_id] = unit
        return unit

    def may_write(self, unit: Unit) -> bool:
        """From the web, an admin imports only for units in their own tree (the command line is the operator's)."""
        return self.actor is None or self.actor.can_administer(unit)

    def may_create_under(self, parent: Unit | None) -> bool:
        if self.actor is None:
            return True
        return self.may_write(parent) if parent is not None else self.actor.unit.parent_id is None

    def make(self, row, parent: Unit | None) -> Unit | None:
        if not self.may_create_under(parent):
            return None
        code = row.unit_code or f"P.{(row.portal_id or '')[-12:]}"
        unit = Unit(code=code, name=row.unit_name or code, parent=parent, portal_id=row.portal_id,
                    kind=KIND_BY_TYPE.get(row.unit_type or "", "commune" if row.unit_level == "COMMUNE" else "other"))
        db.session.add(unit)
        db.session.flush()
        self.by_code[code] = unit
        if row.portal_id:
            self.by_portal[row.portal_id] = unit
        self.report.created_units.append(f"{code} — {unit.name}")
        return unit


def _catalog():
    indicators = list(db.session.scalars(sa.select(Indicator)))
    by_key = {}
    for i in indicators:
        by_key[i.code.upper()] = i
        if i.portal_code:
            by_key[i.portal_code.upper()] = i
        if i.number:
            by_key[i.number.upper()] = i
    groups = {g.code: g for g in db.session.scalars(sa.select(IndicatorGroup))}
    return by_key, groups


def _portal_items(src: SourceFile, fr: FileReport, period_arg: str | None, resolver: _Resolver) -> list[ScoreInput]:
    payload = (src.manifest or {}).get("payload") or {}
    period: Period | None = None
    if period_arg:
        try:
            period = parse_period(period_arg)
        except ValueError as exc:
            fr.errors.append(ParseError(None, "--period", period_arg, str(exc)))
            return []
    elif payload:
        period = period_from_request(payload)
    scope = (src.manifest or {}).get("scope") or ("formality" if payload.get("formalityId") else None) or (
        src.scope) or ("formality" if src.formality_code and not src.manifest else None)
    parsed = parse_portal_file(src.content, period=period.code if period else None, scope=scope)
    fr.kind, fr.warnings = f"Cổng DVCQG · {parsed.portal_group or '?'}", list(parsed.warnings)
    fr.errors.extend(parsed.errors)
    if parsed.errors:
        return []
    if period is None and parsed.period:
        period = parse_period(parsed.period)
    if period is None:
        fr.errors.append(ParseError(None, "period", None, "Không xác định được kỳ đánh giá của tệp: nhập kỳ "
                                                          "(dòng lệnh: --period; trang nhập: ô «Kỳ»), ví dụ 2026-Q3, "
                                                          "2026-08, 2026."))
        return []
    if parsed.scope_source == "default":
        fr.errors.append(ParseError(None, "scope", None, "Dữ liệu trong tệp không cho biết đây là số liệu toàn đơn vị "
                                                         "hay theo một TTHC: chọn phạm vi (dòng lệnh: --scope all hoặc "
                                                         "--formality MÃ_TTHC; trang nhập: ô «Phạm vi»)."))
        return []
    fr.period, fr.scope = period.code, parsed.scope
    formality = ""
    if parsed.scope == "formality":
        formality = src.formality_code or payload.get("formalityCode") or ""
        if not formality:
            fr.errors.append(ParseError(None, "formality", None, "Tệp là số liệu theo một TTHC nhưng không rõ mã TTHC: "
                                                                 "nhập mã (dòng lệnh: --formality; trang nhập: ô «Mã "
                                                                 "TTHC»), ví dụ 2.000815."))
            return []
    by_key, groups = _catalog()
    province = None
    for row in parsed.rows:
        if row.is_overview:
            province = resolver.find(row.unit_code, row.portal_id)
            if province is None and resolver.create:
                province = resolver.make(row, None)
    items, unknown = [], set()
    for row in parsed.rows:
        unit = resolver.find(row.unit_code, row.portal_id)
        if unit is None and resolver.create:
            unit = resolver.make(row, province if not row.is_overview else None)
        if unit is not None and not resolver.may_write(unit) or unit is None and resolver.create:
            if row.portal_id not in unknown:
                unknown.add(row.portal_id)
                fr.errors.append(ParseError(row.row, "departmentCode", row.unit_code or row.portal_id,
                                            f"Đơn vị «{row.unit_name}» nằm ngoài phạm vi quản lý của bạn: "
                                            "không nhập (và không tạo) số liệu cho đơn vị này."))
            continue
        if unit is None:
            if row.portal_id in unknown:
                continue
            unknown.add(row.portal_id)
            fr.errors.append(ParseError(row.row, "departmentCode", row.unit_code or row.portal_id,
                                        f"Không có đơn vị «{row.unit_name}» (mã {row.unit_code or '—'}, mã cổng "
                                        f"{row.portal_id}) trong hệ thống: thêm đơn vị, hoặc cho phép tạo đơn vị mới (dòng lệnh: --create-units; trang "
                                        "nhập: ô «Tạo đơn vị chưa có»)."))
            continue
        indicator = by_key.get((row.indicator_code or "").upper()) if row.indicator_code else None
        group = groups.get(row.group_code)
        if indicator is None and group is None:
            continue  # a total across two catalog groups (IV = IV.1 + IV.2): derivable, not stored
        quality = None
        if row.data_quality:
            quality = " — ".join(str(v) for v in row.data_quality.values() if v)[:400]
        items.append(ScoreInput(
            unit=unit, period=period, source="portal", indicator=indicator,
            group=indicator.group if indicator else group, numerator=row.numerator, denominator=row.denominator,
            ratio=row.ratio, portal_points=row.score, max_points=row.max_score, formality_code=formality,
            data_quality=quality, extra=_jsonable(row.extra) or None, row=row.row))
    return items


def _jsonable(extra: dict) -> dict:
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in (extra or {}).items()}


def _table_items(src: SourceFile, fr: FileReport, resolver: _Resolver) -> list[ScoreInput]:
    parsed = tabular.parse_xlsx(src.content) if src.name.lower().endswith(".xlsx") else tabular.parse_csv(src.content)
    fr.kind = "XLSX" if src.name.lower().endswith(".xlsx") else "CSV"
    fr.errors.extend(parsed.errors)
    by_key, _ = _catalog()
    items = []
    for row in parsed.rows:
        unit = resolver.find(row.unit, None)
        if unit is not None and not resolver.may_write(unit):
            fr.errors.append(ParseError(row.row, "MaDonVi", row.unit,
                                        f"Đơn vị «{unit.name}» nằm ngoài phạm vi quản lý của bạn."))
            continue
        indicator = by_key.get(row.indicator.upper())
        try:
            period = parse_period(row.period)
        except ValueError as exc:
            fr.errors.append(ParseError(row.row, "Ky", row.period, str(exc)))
            period = None
        if unit is None:
            fr.errors.append(ParseError(row.row, "MaDonVi", row.unit, f"Không có đơn vị mã «{row.unit}»."))
        if indicator is None:
            fr.errors.append(ParseError(row.row, "MaChiSo", row.indicator,
                                        f"Không có chỉ số «{row.indicator}» (dùng mã trên cổng hoặc số thứ tự 1–19, 16b)."))
        if unit is None or indicator is None or period is None:
            continue
        items.append(ScoreInput(unit=unit, period=period, source="portal", indicator=indicator, group=indicator.group,
                                numerator=row.numerator, denominator=row.denominator, ratio=row.ratio,
                                portal_points=row.points, row=row.row))
    periods = {i.period.code for i in items}
    fr.period = periods.pop() if len(periods) == 1 else ""
    counts = Counter((i.unit.id, i.subject_key, i.period.code) for i in items)
    for item in items:
        if counts[(item.unit.id, item.subject_key, item.period.code)] > 1:
            fr.errors.append(ParseError(item.row, "MaChiSo", item.subject_key[2:],
                                        "Dòng trùng đơn vị, chỉ số và kỳ trong tệp."))
    return items


LIMIT = Decimal(10) ** 15  # what the numeric columns hold with room to spare


def _check_ranges(items: list[ScoreInput], fr: FileReport, points_field: str) -> None:
    """Values the database would refuse are row errors here, never a crash at write time."""
    rules: dict = {}
    for item in items:
        if item.period.start_date not in rules:
            rules[item.period.start_date] = rules_on(item.period.start_date)
        rule = rules[item.period.start_date].get(item.indicator.id) if item.indicator is not None else None
        if item.portal_points is not None and rule is not None and item.portal_points > rule.max_points:
            fr.errors.append(ParseError(item.row, points_field, item.portal_points,
                                        f"Điểm {item.portal_points} vượt điểm tối đa {rule.max_points} của chỉ số "
                                        f"{item.indicator.label} trong danh mục."))
        if item.ratio is not None and not Decimal(0) <= item.ratio <= Decimal(100):
            fr.errors.append(ParseError(item.row, "ratio", item.ratio, "Tỷ lệ phải trong khoảng 0–100 (%)."))
        for name in ("numerator", "denominator"):
            value = getattr(item, name)
            if value is not None and abs(value) >= LIMIT:
                fr.errors.append(ParseError(item.row, name, value, f"Giá trị {value} quá lớn."))


def import_files(files: list[SourceFile], *, period: str | None = None, formality: str | None = None,
                 scope: str | None = None,
                 create_units: bool = False, dry_run: bool = False, actor=None, on_file=None) -> ImportReport:
    """Import every file or none: any error anywhere rolls everything back; a dry run always rolls back."""
    report = ImportReport(dry_run=dry_run)
    resolver = _Resolver(create_units, report, actor)
    staged: list[tuple[SourceFile, FileReport, list[ScoreInput]]] = []
    for src in files:
        if on_file is not None:
            on_file(src)
        fr = FileReport(os.path.basename(src.name))
        report.files.append(fr)
        if formality:
            src.formality_code = formality
        if scope:
            src.scope = scope
        if src.name.lower().endswith((".csv", ".xlsx")):
            items = _table_items(src, fr, resolver)
        else:
            try:
                obj = json.loads(src.content.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError):
                obj = None
            if _is_listing(obj):
                fr.skipped = "không phải số liệu chấm điểm (danh mục TTHC hoặc tệp manifest): bỏ qua"
                continue
            items = _portal_items(src, fr, period, resolver)
        _check_ranges(items, fr, "Diem" if fr.kind in ("CSV", "XLSX") else "score")
        fr.rows = len(items)
        staged.append((src, fr, items))
    if report.ok:
        for src, fr, items in staged:
            batch = ImportBatch(filename=fr.name[:255], sha256=hashlib.sha256(src.content).hexdigest(),
                                file_format="xlsx" if fr.kind == "XLSX" else "csv" if fr.kind == "CSV" else "portal-json",
                                portal_group=fr.kind.split("· ")[-1] if "·" in fr.kind else None,
                                scope=fr.scope, created_by_id=getattr(actor, "id", None),
                                period_kind=parse_period(fr.period).kind if fr.period else None,
                                period_start=parse_period(fr.period).start_date if fr.period else None)
            db.session.add(batch)
            db.session.flush()
            fr.result = upsert(items, batch, dry_run=dry_run)
            fr.warnings += fr.result.warnings
            batch.rows_total, batch.rows_new = fr.result.total, fr.result.new
            batch.rows_changed, batch.rows_unchanged = fr.result.changed, fr.result.unchanged
            batch.warnings = (fr.warnings + fr.result.mismatches)[:200] or None
            if fr.result.new == 0 and fr.result.changed == 0:
                db.session.delete(batch)  # nothing new: a repeated import leaves no trace
            else:
                record(actor, "score.import", batch, after={"file": fr.name, "new": fr.result.new,
                                                            "changed": fr.result.changed})
    if dry_run or not report.ok:
        db.session.rollback()
    else:
        db.session.commit()
    return report
