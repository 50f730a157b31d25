"""CSV and XLSX score files (formats.md): one row per unit × indicator × period, checked row by row."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from app.core import tabular as core
from app.core.formatting import vn_number
from app.core.numbers import NumberError, checked_number, parse_vn_number
from app.core.tabular import ENCODING_HINT, HEADER_ONLY, TableError, normalise_header  # noqa: F401  (public here)
from app.core.uploads import rows_refusal
from app.scores.portal import ParseError

COLUMNS = {"madonvi": "unit", "ky": "period", "machiso": "indicator", "tuso": "numerator", "mauso": "denominator",
           "tyle": "ratio", "diem": "points"}
REQUIRED = {"unit": "MaDonVi", "period": "Ky", "indicator": "MaChiSo"}


@dataclass
class TableRow:
    row: int
    unit: str
    period: str
    indicator: str
    numerator: Decimal | None
    denominator: Decimal | None
    ratio: Decimal | None
    points: Decimal | None


@dataclass
class ParsedTable:
    rows: list[TableRow] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


@dataclass(frozen=True)
class Percent:
    """A numeric XLSX cell shown as a percentage: the fraction stored in it (0.856 is shown as 85,6%)."""

    fraction: Decimal

    def __str__(self) -> str:
        return f"{format((self.fraction * 100).normalize(), 'f')}%"


NUMBER_COLUMNS = {"numerator": ("TuSo", True), "denominator": ("MauSo", True), "ratio": ("TyLe", False),
                  "points": ("Diem", False)}  # key: (column, whole number)
_blank = core.is_blank


def _text(value) -> str:
    """A code cell as text (an XLSX number 4.0 reads "4")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _read_number(value, key: str) -> Decimal:
    """The number in a cell of column `key`, read the Vietnamese way; NumberError (a Vietnamese sentence) otherwise."""
    label, whole = NUMBER_COLUMNS[key]
    if isinstance(value, Percent):
        if key != "ratio":
            raise NumberError(f"Ô «{value}» định dạng phần trăm: cột {label} không phải tỷ lệ, hãy bỏ định dạng %.")
        return checked_number(value.fraction * 100, shown=str(value))
    if isinstance(value, datetime | date | time):
        raise NumberError(f"Ô chứa ngày giờ «{value}», không phải số: Excel có thể đã tự đổi số thành ngày, hãy "
                          "định dạng ô là Number (Số) rồi gõ lại.")
    if isinstance(value, int | float | Decimal):
        return checked_number(value, whole=whole)
    text = str(value)
    number = parse_vn_number(text, whole=whole)
    if text.strip().endswith("%") and key != "ratio":
        raise NumberError(f"«{text.strip()}» có dấu %: chỉ cột TyLe ghi tỷ lệ phần trăm.")
    return number


def _number(value, row: int, key: str, errors: list[ParseError]) -> Decimal | None:
    """The cell's number, None when empty; a row error when it cannot be read."""
    if _blank(value):
        return None
    try:
        return _read_number(value, key)
    except NumberError as exc:
        errors.append(ParseError(row, NUMBER_COLUMNS[key][0], str(value) if isinstance(value, Percent) else value,
                                 str(exc)))
        return None


def _rows_from(table: core.Table) -> ParsedTable:
    """The rows of a table, checked one by one (a whole-file TableError met on the way is the caller's)."""
    result = ParsedTable()
    index = table.columns(COLUMNS)
    missing = [label for key, label in REQUIRED.items() if key not in index]
    if missing:
        result.errors.append(ParseError(1, ", ".join(missing), None,
                                        f"Thiếu cột bắt buộc: {', '.join(missing)} (hàng tiêu đề là hàng 1)."))
        return result
    for row_no, cells in table.rows():

        def cell(key, cells=cells):
            i = index.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        errors: list[ParseError] = []
        texts = {}
        for key, label in REQUIRED.items():
            value = cell(key)
            texts[key] = _text(value)
            if not texts[key]:
                errors.append(ParseError(row_no, label, value, f"Cột {label} không được để trống."))
        nums = {k: _number(cell(k), row_no, k, errors) for k in NUMBER_COLUMNS}
        for key, label in (("numerator", "TuSo"), ("denominator", "MauSo"), ("points", "Diem")):
            if nums[key] is not None and nums[key] < 0:
                errors.append(ParseError(row_no, label, nums[key], f"{label} không được âm."))
        if None not in (nums["numerator"], nums["denominator"]) and nums["numerator"] > nums["denominator"]:
            errors.append(ParseError(row_no, "TuSo", nums["numerator"],
                                     f"Tử số ({vn_number(nums['numerator'], 0)}) lớn hơn mẫu số ({vn_number(nums['denominator'], 0)})."))
        if nums["ratio"] is not None and not Decimal(0) <= nums["ratio"] <= Decimal(100):
            errors.append(ParseError(row_no, "TyLe", nums["ratio"], "Tỷ lệ phải trong khoảng 0–100 (%)."))
        unreadable = {e.field for e in errors}
        if nums["ratio"] is None and (nums["numerator"] is None or nums["denominator"] is None) and not (
                unreadable & {"TuSo", "MauSo", "TyLe"}):
            errors.append(ParseError(row_no, "TyLe", None, "Cần TyLe, hoặc cả TuSo và MauSo."))
        if isinstance(cell("period"), date):  # Excel turned "2026-09" into a date: read it as that month
            texts["period"] = f"{cell('period').year}-{cell('period').month:02d}"
        result.errors.extend(errors)
        if not errors:
            result.rows.append(TableRow(row_no, texts["unit"], texts["period"], texts["indicator"], **nums))
    if not table.data_rows:
        result.errors.append(ParseError(None, None, None, HEADER_ONLY))
    return result


def _file_error(message: str, value=None) -> ParsedTable:
    return ParsedTable(errors=[ParseError(None, None, value, message)])


def parse_csv(content: bytes, *, max_rows: int | None = None) -> ParsedTable:
    """CSV in UTF-8 (with or without BOM) or UTF-16 with BOM, comma, semicolon or tab separated."""
    try:
        return _rows_from(core.open_table(io.BytesIO(content), "csv", max_rows=max_rows))
    except TableError as exc:  # a whole-file problem, possibly found mid-way: it alone is reported
        return _file_error(str(exc), exc.value)


def _cell_value(cell):
    """A read-only cell's value; a number in a percentage format becomes Percent (the fraction it holds)."""
    value = cell.value
    if cell.data_type != "n" or not isinstance(value, int | float) or isinstance(value, bool):
        return value
    if core.is_percent_format(core.number_format(cell)):
        try:
            return Percent(checked_number(value))
        except NumberError:
            return value
    return value


def parse_xlsx(content: bytes, *, max_rows: int | None = None) -> ParsedTable:
    """The only sheet of an XLSX file, header in row 1; formulas are refused (values must be typed in)."""
    records = []  # a score sheet is small: kept whole to report every formula, up to the row cap
    try:
        for record in core.iter_xlsx(io.BytesIO(content), value=_cell_value):
            records.append(record)
            if max_rows is not None and len(records) > max_rows + 1 and not core.is_blank_row(record[1]):
                raise TableError(rows_refusal(max_rows), value=record[0])
    except TableError as exc:
        return _file_error(str(exc), exc.value)
    formulas = [c for _, cells in records for c in cells if isinstance(c, core.Formula)]
    if formulas:
        return ParsedTable(errors=[ParseError(f.row, f.column, f.text, f.message) for f in formulas])
    try:
        return _rows_from(core.Table(iter(records), empty=core.EMPTY_SHEET, max_rows=max_rows))
    except TableError as exc:
        return _file_error(str(exc), exc.value)
