"""Import dossier files (CSV / XLSX, formats.md «Dossiers»): each row checked into a DossierInput, then upserted.

A file is read one row at a time and written in batches (services.upsert_dossiers), so a file of a million rows
needs no more memory than a batch; row errors are kept within a bound, repeated problems summarised once with
advice. All or nothing across the files given: the service flushes, the entry point commits once or rolls back
(a dry run writes exactly as the import would, then rolls back, so its counts are the real ones).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from flask_babel import gettext

from app.core.errors import DomainError
from app.core.tabular import (
    HEADER_ONLY,
    Formula,
    TableError,
    format_has_time,
    normalise_header,
    number_format,
    open_table,
)
from app.core.time import to_vn
from app.dossiers.models import DEFAULT_SOURCE
from app.dossiers.rows import (  # noqa: F401  (re-exported: the API and tests import them from here)
    COLUMNS,
    EXTENSIONS,
    HINTS,
    KNOWN,
    PER_KIND,
    REQUIRED,
    SUMMARY_TITLES,
    Directory,
    ValueProblem,
    cleaned,
    parse_due,
    parse_moment,
    parse_record,
    text_of,
)
from app.dossiers.services import SUMMARY_ROWS, DossierInput, RowError, RowErrors, UpsertResult, upsert_dossiers
from app.extensions import db


def _xlsx_value(cell) -> Any:
    """A date cell whose format shows no time is a date (so a due date alone means the whole day)."""
    value = cell.value
    if isinstance(value, datetime) and not format_has_time(number_format(cell)):
        return value.date()
    return value


def _table_inputs(table, index: dict[str, int], directory: Directory, errors: RowErrors,
                  fr_format: str) -> Iterator[DossierInput]:
    """The valid rows of a table, one at a time; errors of the others (and a whole-file error met on the way)."""
    names = {i: name for name, i in index.items()}
    wanted = list(index.items())
    xlsx = fr_format == "xlsx"
    width = max(index.values()) + 1
    try:
        for number, cells in table.rows():
            if not xlsx and len(cells) >= width:  # a CSV row (text cells) with every known column: the quick way
                item = parse_record(number, {name: v for name, i in wanted if (v := cells[i].strip())}, directory,
                                    errors)
                if item is not None:
                    yield item
                continue
            formulas = [(i, c) for i, c in enumerate(cells) if c.__class__ is Formula] if xlsx else None
            if formulas:
                code = cells[index["MaHoSo"]] if index["MaHoSo"] < len(cells) else None
                for i, cell in formulas:
                    errors.add(RowError(number, names.get(i, f"cột {cell.column}"), cell.text, cell.message,
                                        code="formula", record=None if isinstance(code, Formula) else text_of(code) or None))
                continue
            values = {}
            for name, i in wanted:
                value = cells[i] if i < len(cells) else None
                if value.__class__ is str:
                    value = value.strip()
                    if value:
                        values[name] = value
                elif value is not None:
                    values[name] = value
            item = parse_record(number, values, directory, errors)
            if item is not None:
                yield item
    except TableError as exc:
        errors.add(RowError(None, None, exc.value, str(exc), code="file"))


# ---------------------------------------------------------------- files


@dataclass
class DossierFile:
    """A file to import: on disk (`path`, read as a stream) or in memory (`content`)."""

    name: str
    path: str | None = None
    content: bytes | None = None

    @property
    def file_format(self) -> str:
        lower = self.name.lower()
        return "xlsx" if lower.endswith(".xlsx") else "csv" if lower.endswith(".csv") else ""

    @property
    def size(self) -> int:
        return os.path.getsize(self.path) if self.path else len(self.content or b"")

    def open(self) -> IO[bytes]:
        return open(self.path, "rb") if self.path else io.BytesIO(self.content or b"")  # noqa: SIM115

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open() as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()


@dataclass
class FileReport:
    name: str
    file_format: str = ""
    rows: int = 0
    errors: RowErrors = field(default_factory=RowErrors)
    result: UpsertResult = field(default_factory=UpsertResult)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.file_format.upper() or "?"

    def listed_errors(self) -> list[RowError]:
        """Errors shown row by row (the repeated kinds are summarised instead)."""
        return [e for e in self.errors if e.code not in SUMMARY_TITLES]

    @property
    def unlisted(self) -> int:
        """Errors of the listed kinds beyond what was kept."""
        summarised = sum(self.errors.by_kind[k] for k in SUMMARY_TITLES)
        return self.errors.count - summarised - len(self.listed_errors())

    def shown_errors(self, per_kind: int = PER_KIND) -> tuple[list[RowError], list[Repeated]]:
        """The row errors to show one by one (the first `per_kind` of each kind in each column), and one line for
        each kind that repeats beyond that."""
        shown: list[RowError] = []
        repeated: dict[tuple, Repeated] = {}
        seen: dict[tuple, int] = {}
        for e in self.listed_errors():
            key = (e.code, e.column)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] <= per_kind:
                shown.append(e)
                continue
            more = repeated.setdefault(key, Repeated(e.column, 0, []))
            more.count += 1
            if e.row is not None and len(more.rows) < SUMMARY_ROWS:
                more.rows.append(e.row)
        return shown, list(repeated.values())


@dataclass
class Repeated:
    """More errors of a kind already shown: how many, in which column, the first rows."""

    column: str | None
    count: int
    rows: list[int]

    def __str__(self) -> str:
        rows = ", ".join(str(r) for r in self.rows) + (", …" if self.count > len(self.rows) else "")
        column = f" ở cột {self.column}" if self.column else ""
        return f"… và {self.count} dòng khác cùng loại lỗi{column} (dòng {rows})"


@dataclass
class ErrorSummary:
    """One repeated problem over the whole import: how often, in how many files, examples, and what to do."""

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
    dry_run: bool = False
    source: str = DEFAULT_SOURCE

    @property
    def ok(self) -> bool:
        return not any(f.errors for f in self.files)

    def total(self, attr: str) -> int:
        return sum(getattr(f.result, attr) for f in self.files)

    @property
    def nothing_new(self) -> bool:
        return self.total("new") == 0 and self.total("changed") == 0

    def summaries(self, examples: int = 5) -> list[ErrorSummary]:
        """Repeated problems gathered over every file: per value, how many rows and which ones first."""
        out: list[ErrorSummary] = []
        for code, title in SUMMARY_TITLES.items():
            lines, count, files, distinct = [], 0, 0, 0
            for f in self.files:
                n = f.errors.by_kind[code]
                if not n:
                    continue
                count, files = count + n, files + 1
                groups = f.errors.values.get(code, {})
                distinct += len(groups)
                for value, group in groups.items():
                    if len(lines) < examples:
                        more = ", …" if group.count > len(group.rows) else ""
                        rows = ", ".join(str(r) for r in group.rows)
                        lines.append(f"«{value}»: {group.count} dòng (dòng {rows}{more}) — {f.name}")
            if count:
                out.append(ErrorSummary(code, title, count, files, lines, distinct, HINTS[code]))
        return out


def read_paths(paths: list[str]) -> list[DossierFile]:
    """Files named (any kind: the import says when one is not CSV/XLSX) and the CSV/XLSX files of folders."""
    out: list[DossierFile] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                out += [DossierFile(os.path.join(root, n), path=os.path.join(root, n)) for n in sorted(names)
                        if n.lower().endswith(EXTENSIONS)]
        else:
            out.append(DossierFile(path, path=path))
    return out


def check_source(source: str | None) -> str:
    """The name of the system the dossiers come from (their codes are unique within it)."""
    source = (source or DEFAULT_SOURCE).strip()
    if not source or len(source) > 40:
        raise DomainError(gettext("Tên nguồn dữ liệu (--source) phải có từ 1 đến 40 ký tự."), "source")
    return source


class _Counted:
    """A binary stream that reports how many more bytes have been read (a progress bar for big CSV files)."""

    def __init__(self, raw: IO[bytes], report: Callable[[int], None]):
        self._raw, self._report, self._seen = raw, report, 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        position = self._raw.tell()
        if position > self._seen:
            self._report(position - self._seen)
            self._seen = position
        return data

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


def import_dossier_files(files: list[DossierFile], *, now: datetime, source: str | None = DEFAULT_SOURCE, actor=None,
                         dry_run: bool = False, on_progress: Callable[[int], None] | None = None,
                         max_rows: int | None = None) -> ImportReport:
    """Check every file and upsert its dossiers; writes nothing more once a file has an error. Flushes only.

    `actor` None is the server operator (command line, no limit); a web admin imports only dossiers whose units are
    in their own tree. `on_progress(n)` is told of every n more bytes read. A file with more than `max_rows` data
    rows is refused (the entry points pass UPLOAD_MAX_ROWS).
    """
    from app.audit.services import record

    if actor is not None and not actor.is_admin:
        raise DomainError(gettext("Chỉ quản trị hệ thống được nhập hồ sơ."))
    source = check_source(source)
    scope_unit = actor.unit if actor is not None else None
    report = ImportReport(dry_run=dry_run, source=source)
    directory = Directory()
    for src in files:
        fr = FileReport(os.path.basename(src.name), file_format=src.file_format)
        report.files.append(fr)
        if not fr.file_format:
            fr.errors.add(RowError(None, None, None, "Chỉ nhận tệp .csv hoặc .xlsx.", code="file"))
            continue
        write = report.ok  # once a file has an error, the others are only checked
        with src.open() as raw:
            progress = on_progress if on_progress is not None and fr.file_format == "csv" else None
            stream = _Counted(raw, progress) if progress is not None else raw
            _import_table(fr, stream, directory, source=source, scope_unit=scope_unit, now=now, write=write,
                          max_rows=max_rows)
        if on_progress is not None and fr.file_format == "xlsx":
            on_progress(src.size)
    if report.ok and not report.nothing_new:
        record(actor, "dossier.import", None, object_type="dossier",
               after={"source": source, "files": [f.name for f in report.files], "new": report.total("new"),
                      "changed": report.total("changed"), "unchanged": report.total("unchanged")})
    db.session.flush()
    return report


def _import_table(fr: FileReport, stream: IO[bytes], directory: Directory, *, source: str, scope_unit, now: datetime,
                  write: bool, max_rows: int | None = None) -> None:
    try:
        table = open_table(stream, fr.file_format, value=_xlsx_value, max_rows=max_rows)
    except TableError as exc:
        fr.errors.add(RowError(None, None, exc.value, str(exc), code="file"))
        return
    index = table.columns(KNOWN)
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        fr.errors.add(RowError(1, ", ".join(missing), None, f"Thiếu cột bắt buộc: {', '.join(missing)} (hàng tiêu "
                                                            "đề là hàng 1).", code="file"))
        return
    fr.ignored_columns = [text_of(h) for h in table.header if text_of(h) and normalise_header(h) not in KNOWN]
    inputs = _table_inputs(table, index, directory, fr.errors, fr.file_format)
    fr.result = upsert_dossiers(inputs, source=source, scope_unit=scope_unit, now=now, errors=fr.errors, write=write)
    fr.rows = table.data_rows
    if not table.data_rows and not fr.errors:
        fr.errors.add(RowError(None, None, None, HEADER_ONLY, code="file"))


def dossier_values(d) -> dict[str, Any]:
    """A stored dossier as the columns of the import format (times in Vietnam time, ISO 8601)."""
    def when(moment):
        return to_vn(moment).isoformat() if moment is not None else None

    def flag(value):
        return None if value is None else int(value)

    return {
        "MaHoSo": d.code, "MaTTHC": d.procedure_code, "TenTTHC": d.procedure_name,
        "MaDonViXuLy": d.handling_unit.code, "MaDonViTiepNhan": d.receiving_unit.code,
        "CanBoXuLy": d.handling_officer.username if d.handling_officer else None, "KenhThucHien": d.channel,
        "NgayTiepNhan": when(d.received_at), "NgayHenTra": when(d.due_at), "NgayKetThucXuLy": when(d.finished_at),
        "NgayTraKetQua": when(d.returned_at), "TrangThai": d.status_label, "SoLanBoSung": d.supplement_count,
        "NgayXinLoi": when(d.apology_at), "NgayHenTraMoi": when(d.new_due_at),
        "ThanhToanTrucTuyen": flag(d.paid_online), "SoHoa": flag(d.digitized), "KetQuaDienTu": flag(d.e_result),
        "DanhGia": d.rating,
    }
