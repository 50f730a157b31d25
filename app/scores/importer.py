"""Import score files (portal JSON, CSV, XLSX) all or nothing: parse, resolve units and indicators, upsert.

The service flushes and never commits: the entry point (CLI, upload page) commits the import together with the
red-indicator scan, or rolls back (a dry run, or any error in any file).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from app.audit.services import record
from app.core.formatting import vn_number
from app.core.text import nfc
from app.extensions import db
from app.indicators.models import Indicator, IndicatorGroup
from app.indicators.services import rules_on
from app.scores import tabular
from app.scores.models import ImportBatch
from app.scores.periods import Period, parse_period, period_from_request
from app.scores.portal import ParseError, PortalScoreRow, parse_portal_file
from app.scores.services import MAX_COUNT, ScoreInput, UpsertResult, upsert
from app.scores.sources import SourceFile, is_listing, read_paths  # noqa: F401  (read_paths: re-exported)
from app.scores.units import UnitResolver

FORMAT_LABELS = {"portal-json": "Cổng DVCQG", "csv": "CSV", "xlsx": "XLSX"}
MAX_JSON_BYTES = 64 * 1024 * 1024  # a portal response is a few hundred kB; anything this big is not one

# Problems that repeat over many rows and files: one summary line each, with this advice once.
HINTS = {
    "unknown_unit": "Thêm đơn vị (trang Quản trị › Đơn vị, hoặc lệnh flask units create), hoặc cho phép tạo đơn vị "
                    "mới (dòng lệnh: --create-units; trang nhập: ô «Tạo đơn vị chưa có trong hệ thống»).",
    "outside_tree": "Chỉ nhập số liệu của các đơn vị thuộc phạm vi bạn quản lý.",
    "portal_id_conflict": "Mỗi đơn vị trên cổng chỉ gắn với một đơn vị trong hệ thống: kiểm tra mã đơn vị trong tệp "
                          "và mã cổng đã gắn (trang Quản trị › Đơn vị).",
    "name_mismatch": "Kiểm tra lại tệp có đúng của đơn vị này không; nếu đúng, sửa tên đơn vị trong hệ thống cho "
                     "khớp tên trên cổng.",
    "period_missing": "Nhập kỳ (dòng lệnh: --period; trang nhập: ô «Kỳ»), ví dụ 2026-Q3, 2026-08, 2026.",
    "scope_missing": "Chọn phạm vi (dòng lệnh: --scope all hoặc --formality MÃ_TTHC; trang nhập: ô «Phạm vi»).",
    "formality_missing": "Nhập mã TTHC (dòng lệnh: --formality; trang nhập: ô «Mã TTHC»), ví dụ 2.000815.",
}
SUMMARY_TITLES = {
    "unknown_unit": "Đơn vị chưa có trong hệ thống",
    "outside_tree": "Đơn vị nằm ngoài phạm vi quản lý của bạn",
    "portal_id_conflict": "Mã đơn vị trên cổng đã gắn với đơn vị khác",
    "name_mismatch": "Tên đơn vị trong tệp khác tên trong hệ thống",
    "period_missing": "Không xác định được kỳ đánh giá của tệp",
    "scope_missing": "Không xác định được phạm vi số liệu (toàn đơn vị hay theo một TTHC)",
    "formality_missing": "Tệp số liệu theo một TTHC nhưng không rõ mã TTHC",
}


@dataclass
class FileReport:
    name: str
    file_format: str = ""
    portal_group: str | None = None
    period: str = ""
    scope: str = "all"
    rows: int = 0
    skipped: str = ""
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    result: UpsertResult = field(default_factory=UpsertResult)

    @property
    def label(self) -> str:
        """"Cổng DVCQG · transparency", "CSV", "XLSX"."""
        base = FORMAT_LABELS.get(self.file_format, self.file_format)
        return f"{base} · {self.portal_group or '?'}" if self.file_format == "portal-json" else base

    @property
    def rows_are_units(self) -> bool:
        """In a portal file a row number is the unit's position (0 = the province row); else a line number."""
        return self.file_format == "portal-json"


@dataclass
class ErrorSummary:
    """One repeated problem over the whole import: how often, where, a few examples, and what to do."""

    code: str
    title: str
    count: int
    files: int
    examples: list[str]
    distinct: int
    hint: str


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

    def summaries(self, examples: int = 5) -> list[ErrorSummary]:
        """Repeated problems (errors with a code) gathered over every file."""
        out: dict[str, ErrorSummary] = {}
        seen: dict[str, set] = {}
        in_files: dict[str, set[int]] = {}
        for f in self.files:
            for e in f.errors:
                if not e.code:
                    continue
                s = out.setdefault(e.code, ErrorSummary(e.code, SUMMARY_TITLES.get(e.code, e.code), 0, 0, [], 0,
                                                        HINTS.get(e.code, "")))
                s.count += 1
                in_files.setdefault(e.code, set()).add(id(f))
                value = str(e.value) if e.value not in (None, "") else f.name
                if value not in seen.setdefault(e.code, set()):
                    seen[e.code].add(value)
                    if len(s.examples) < examples:
                        s.examples.append(e.message_vi)
        for code, s in out.items():
            s.files, s.distinct = len(in_files[code]), len(seen[code])
        return list(out.values())

    def row_errors(self, f: FileReport) -> list[ParseError]:
        """A file's errors that are not summarised (each says something of its own row)."""
        return [e for e in f.errors if not e.code]


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


@dataclass
class _PortalFile:
    """A parsed portal file waiting for its units to be resolved."""

    src: SourceFile
    report: FileReport
    rows: list[PortalScoreRow]
    period: Period
    formality: str


def _parse_portal(src: SourceFile, fr: FileReport, period_arg: str | None) -> _PortalFile | None:
    payload = (src.manifest or {}).get("payload") or {}
    period: Period | None = None
    if period_arg:
        try:
            period = parse_period(period_arg)
        except ValueError as exc:
            fr.errors.append(ParseError(None, "--period", period_arg, str(exc)))
            return None
    elif payload:
        period = period_from_request(payload)
    scope = (src.manifest or {}).get("scope") or ("formality" if payload.get("formalityId") else None) or (
        src.scope) or ("formality" if src.formality_code and not src.manifest else None)
    parsed = parse_portal_file(src.content, period=period.code if period else None, scope=scope)
    fr.portal_group, fr.warnings = parsed.portal_group, list(parsed.warnings)
    fr.errors.extend(parsed.errors)
    if parsed.errors:
        return None
    if period is None and parsed.period:
        period = parse_period(parsed.period)
    if period is None:
        fr.errors.append(ParseError(None, "period", None, "Không xác định được kỳ đánh giá của tệp: "
                                    + HINTS["period_missing"], code="period_missing"))
        return None
    if parsed.scope_source == "default":
        fr.errors.append(ParseError(None, "scope", None, "Dữ liệu trong tệp không cho biết đây là số liệu toàn đơn vị "
                                    "hay theo một TTHC: " + HINTS["scope_missing"], code="scope_missing"))
        return None
    fr.period, fr.scope = period.code, parsed.scope
    formality = ""
    if parsed.scope == "formality":
        formality = src.formality_code or payload.get("formalityCode") or ""
        if not formality:
            fr.errors.append(ParseError(None, "formality", None, "Tệp là số liệu theo một TTHC nhưng không rõ mã "
                                        "TTHC: " + HINTS["formality_missing"], code="formality_missing"))
            return None
    return _PortalFile(src, fr, parsed.rows, period, formality)


def _portal_items(pf: _PortalFile, resolver: UnitResolver) -> list[ScoreInput]:
    fr = pf.report
    by_key, groups = _catalog()
    province = None
    for row in pf.rows:
        if row.is_overview:
            province = resolver.resolve(row, fr, parent=None)
    items = []
    for row in pf.rows:
        unit = province if row.is_overview else resolver.resolve(row, fr, parent=province)
        if unit is None:
            continue
        indicator = by_key.get((row.indicator_code or "").upper()) if row.indicator_code else None
        group = groups.get(row.group_code)
        if indicator is None and group is None:
            continue  # a total across two catalog groups (IV = IV.1 + IV.2): derivable, not stored
        quality = None
        if row.data_quality:
            quality = " — ".join(str(v) for v in row.data_quality.values() if v)[:400]
        items.append(ScoreInput(
            unit=unit, period=pf.period, source="portal", indicator=indicator,
            group=indicator.group if indicator else group, numerator=row.numerator, denominator=row.denominator,
            ratio=row.ratio, portal_points=row.score, max_points=row.max_score, formality_code=pf.formality,
            data_quality=quality, extra=_jsonable(row.extra) or None, row=row.row))
    return items


def _jsonable(extra: dict) -> dict:
    return {k: (float(v) if isinstance(v, Decimal) else v) for k, v in (extra or {}).items()}


def _table_items(src: SourceFile, fr: FileReport, resolver: UnitResolver, max_rows: int | None) -> list[ScoreInput]:
    parse = tabular.parse_xlsx if src.file_format == "xlsx" else tabular.parse_csv
    parsed = parse(src.content, max_rows=max_rows)
    fr.errors.extend(parsed.errors)
    by_key, _ = _catalog()
    items = []
    for row in parsed.rows:
        unit = resolver.by_code_only(row.unit, fr, row.row)
        indicator = by_key.get(row.indicator.upper())
        try:
            period = parse_period(row.period)
        except ValueError as exc:
            fr.errors.append(ParseError(row.row, "Ky", row.period, str(exc)))
            period = None
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


def _check_ranges(items: list[ScoreInput], fr: FileReport) -> None:
    """Values the database would refuse are row errors here, never a crash at write time."""
    points_field = "score" if fr.file_format == "portal-json" else "Diem"
    rules: dict = {}
    for item in items:
        if item.period.start_date not in rules:
            rules[item.period.start_date] = rules_on(item.period.start_date)
        rule = rules[item.period.start_date].get(item.indicator.id) if item.indicator is not None else None
        if item.portal_points is not None and rule is not None and item.portal_points > rule.max_points:
            fr.errors.append(ParseError(item.row, points_field, item.portal_points,
                                        f"Điểm {vn_number(item.portal_points)} vượt điểm tối đa {vn_number(rule.max_points)} của chỉ số "
                                        f"{item.indicator.label} trong danh mục."))
        if item.ratio is not None and not Decimal(0) <= item.ratio <= Decimal(100):
            fr.errors.append(ParseError(item.row, "ratio", item.ratio, "Tỷ lệ phải trong khoảng 0–100 (%)."))
        for name in ("numerator", "denominator"):
            value = getattr(item, name)
            if value is not None and abs(value) >= MAX_COUNT:
                fr.errors.append(ParseError(item.row, name, value, f"Giá trị {value} quá lớn (tối đa 15 chữ số)."))


def _load_json(src: SourceFile, fr: FileReport):
    """The file as JSON (None if it is not JSON: the portal parser then says why), or a refusal when too big."""
    if len(src.content) > MAX_JSON_BYTES:
        fr.errors.append(ParseError(None, None, None, f"Tệp JSON quá lớn ({len(src.content) // (1024 * 1024)} MB): "
                                                      "một tệp của cổng chỉ vài trăm kB."))
        return None
    try:
        return nfc(json.loads(src.content.decode("utf-8-sig")))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def import_files(files: list[SourceFile], *, period: str | None = None, formality: str | None = None,
                 scope: str | None = None, create_units: bool = False, dry_run: bool = False, actor=None,
                 on_file=None, max_rows: int | None = None) -> ImportReport:
    """Check every file, then write them all only when none has an error; flushes, the caller commits.

    A dry run writes exactly as the real import would (so its counts are the real ones) and the caller rolls it
    back. `actor` None is the server operator (command line); a web admin writes only inside their own tree.
    A CSV/XLSX file with more than `max_rows` data rows is refused (the entry points pass UPLOAD_MAX_ROWS).
    """
    report = ImportReport(dry_run=dry_run)
    portal: list[_PortalFile] = []
    tables: list[tuple[SourceFile, FileReport]] = []
    for src in files:
        if on_file is not None:
            on_file(src)
        fr = FileReport(os.path.basename(src.name), file_format=src.file_format)
        report.files.append(fr)
        if formality:
            src.formality_code = formality
        if scope:
            src.scope = scope
        if src.file_format in ("csv", "xlsx"):
            tables.append((src, fr))
            continue
        obj = _load_json(src, fr)
        if fr.errors:
            continue
        if is_listing(obj):
            fr.skipped = "không phải số liệu chấm điểm (danh mục TTHC hoặc tệp manifest): bỏ qua"
            continue
        parsed = _parse_portal(src, fr, period)
        if parsed is not None:
            portal.append(parsed)
    # Codes some files give for a portal unit help files that give none (e.g. the transparency group).
    known_codes = {row.portal_id: row.unit_code for pf in portal for row in pf.rows if row.portal_id and row.unit_code}
    resolver = UnitResolver(create=create_units, actor=actor, known_codes=known_codes)
    staged: list[tuple[SourceFile, FileReport, list[ScoreInput]]] = []
    for pf in portal:
        staged.append((pf.src, pf.report, _portal_items(pf, resolver)))
    for src, fr in tables:
        staged.append((src, fr, _table_items(src, fr, resolver, max_rows)))
    for _src, fr, items in staged:
        _check_ranges(items, fr)
        fr.rows = len(items)
    report.created_units = resolver.created
    if not report.ok:
        return report
    for src, fr, items in staged:
        batch = ImportBatch(filename=fr.name[:255], sha256=hashlib.sha256(src.content).hexdigest(),
                            file_format=fr.file_format, portal_group=fr.portal_group, scope=fr.scope,
                            created_by_id=getattr(actor, "id", None),
                            period_kind=parse_period(fr.period).kind if fr.period else None,
                            period_start=parse_period(fr.period).start_date if fr.period else None)
        db.session.add(batch)
        db.session.flush()
        fr.result = upsert(items, batch)
        fr.warnings += fr.result.warnings
        batch.rows_total, batch.rows_new = fr.result.total, fr.result.new
        batch.rows_changed, batch.rows_unchanged = fr.result.changed, fr.result.unchanged
        batch.warnings = (fr.warnings + fr.result.mismatches)[:200] or None
        if fr.result.new == 0 and fr.result.changed == 0:
            db.session.delete(batch)  # nothing new: a repeated import leaves no trace
        else:
            record(actor, "score.import", batch, after={"file": fr.name, "new": fr.result.new,
                                                        "changed": fr.result.changed})
    db.session.flush()
    return report
