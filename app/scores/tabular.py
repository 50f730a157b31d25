"""CSV and XLSX score files (formats.md): one row per unit × indicator × period, checked row by row."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from app.scores.portal import ParseError

COLUMNS = {"madonvi": "unit", "ky": "period", "machiso": "indicator", "tuso": "numerator", "mauso": "denominator",
           "tyle": "ratio", "diem": "points"}
REQUIRED = {"unit": "MaDonVi", "period": "Ky", "indicator": "MaChiSo"}


def normalise_header(text: str) -> str:
    """Header key without case, diacritics, spaces or punctuation ("Mã đơn vị" → "madonvi")."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


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


def _number(value, row: int, column: str, errors: list[ParseError]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = str(value).strip().replace(" ", "")
    if "," in text:  # Vietnamese decimal comma, dots as thousands separators
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.append(ParseError(row, column, value, f"«{value}» không phải là số."))
        return None
    if not number.is_finite():
        errors.append(ParseError(row, column, value, f"«{value}» không phải là số hữu hạn."))
        return None
    return number


def _rows_from(header: list, body: list[tuple[int, list]]) -> ParsedTable:
    result = ParsedTable()
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        key = COLUMNS.get(normalise_header(name))
        if key and key not in index:
            index[key] = i
    missing = [label for key, label in REQUIRED.items() if key not in index]
    if missing:
        result.errors.append(ParseError(1, ", ".join(missing), None,
                                        f"Thiếu cột bắt buộc: {', '.join(missing)} (hàng tiêu đề là hàng 1)."))
        return result
    for row_no, cells in body:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue

        def cell(key, cells=cells):
            i = index.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        errors: list[ParseError] = []
        texts = {}
        for key, label in REQUIRED.items():
            value = cell(key)
            texts[key] = str(value).strip() if value is not None else ""
            if not texts[key]:
                errors.append(ParseError(row_no, label, value, f"Cột {label} không được để trống."))
        nums = {k: _number(cell(k), row_no, {"numerator": "TuSo", "denominator": "MauSo", "ratio": "TyLe",
                                               "points": "Diem"}[k], errors)
                for k in ("numerator", "denominator", "ratio", "points")}
        for key, label in (("numerator", "TuSo"), ("denominator", "MauSo"), ("points", "Diem")):
            if nums[key] is not None and nums[key] < 0:
                errors.append(ParseError(row_no, label, nums[key], f"{label} không được âm."))
        if None not in (nums["numerator"], nums["denominator"]) and nums["numerator"] > nums["denominator"]:
            errors.append(ParseError(row_no, "TuSo", nums["numerator"],
                                     f"Tử số ({nums['numerator']}) lớn hơn mẫu số ({nums['denominator']})."))
        if nums["ratio"] is not None and not Decimal(0) <= nums["ratio"] <= Decimal(100):
            errors.append(ParseError(row_no, "TyLe", nums["ratio"], "Tỷ lệ phải trong khoảng 0–100 (%)."))
        unreadable = {e.field for e in errors}
        if nums["ratio"] is None and (nums["numerator"] is None or nums["denominator"] is None) and not (
                unreadable & {"TuSo", "MauSo", "TyLe"}):
            errors.append(ParseError(row_no, "TyLe", None, "Cần TyLe, hoặc cả TuSo và MauSo."))
        if isinstance(cell("period"), int | float):
            texts["period"] = str(int(cell("period")))
        elif isinstance(cell("period"), date):  # Excel turned "2026-09" into a date: read it as that month
            texts["period"] = f"{cell('period').year}-{cell('period').month:02d}"
        result.errors.extend(errors)
        if not errors:
            result.rows.append(TableRow(row_no, texts["unit"], texts["period"], texts["indicator"], **nums))
    return result


def parse_csv(content: bytes) -> ParsedTable:
    """UTF-8 CSV (with or without BOM), comma or semicolon separated."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParsedTable(errors=[ParseError(None, None, None, "Tệp CSV phải mã hóa UTF-8.")])
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = list(csv.reader(io.StringIO(text), dialect))
    if not lines:
        return ParsedTable(errors=[ParseError(None, None, None, "Tệp CSV trống.")])
    return _rows_from(lines[0], [(i, row) for i, row in enumerate(lines[1:], start=2)])


def parse_xlsx(content: bytes) -> ParsedTable:
    """The only sheet of an XLSX file, header in row 1; formulas are refused (values must be typed in)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=False, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        return ParsedTable(errors=[ParseError(None, None, None, "Tệp XLSX hỏng hoặc không phải Excel (.xlsx).")])
    if len(book.worksheets) != 1:
        return ParsedTable(errors=[ParseError(None, None, len(book.worksheets),
                                              f"Tệp có {len(book.worksheets)} trang tính: chỉ được có một trang.")])
    sheet = book.worksheets[0]
    errors = [ParseError(c.row, c.column_letter, c.value,
                         f"Ô {c.coordinate} chứa công thức «{c.value}»: hãy dán giá trị (Paste values).")
              for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    if errors:
        return ParsedTable(errors=errors)
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    if not rows:
        return ParsedTable(errors=[ParseError(None, None, None, "Trang tính trống.")])
    return _rows_from(rows[0], [(i, r) for i, r in enumerate(rows[1:], start=2)])
