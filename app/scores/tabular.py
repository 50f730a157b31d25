"""CSV and XLSX score files (formats.md): one row per unit × indicator × period, checked row by row."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from app.core.numbers import NumberError, checked_number, parse_vn_number
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


@dataclass(frozen=True)
class Percent:
    """A numeric XLSX cell shown as a percentage: the fraction stored in it (0.856 is shown as 85,6%)."""

    fraction: Decimal

    def __str__(self) -> str:
        return f"{format((self.fraction * 100).normalize(), 'f')}%"


NUMBER_COLUMNS = {"numerator": ("TuSo", True), "denominator": ("MauSo", True), "ratio": ("TyLe", False),
                  "points": ("Diem", False)}  # key: (column, whole number)
ENCODING_HINT = "Trong Excel: Lưu thành… → CSV UTF-8 (Comma delimited) (*.csv)."
HEADER_ONLY = "Tệp chỉ có hàng tiêu đề, không có dòng số liệu nào."


def _blank(value) -> bool:
    """An empty cell (None or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


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
    if all(all(_blank(c) for c in cells) for _, cells in body):
        result.errors.append(ParseError(None, None, None, HEADER_ONLY))
        return result
    for row_no, cells in body:
        if all(_blank(c) for c in cells):
            continue

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
                                     f"Tử số ({nums['numerator']}) lớn hơn mẫu số ({nums['denominator']})."))
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
    return result


def decode_csv(content: bytes) -> str:
    """CSV bytes as text: UTF-8 with or without BOM, or UTF-16 with a BOM; ValueError (Vietnamese) otherwise."""
    if content.startswith(b"PK\x03\x04"):
        raise ValueError("Tệp này là tệp Excel nhưng có đuôi .csv: đổi tên thành .xlsx, hoặc lưu lại dạng CSV. "
                         + ENCODING_HINT)
    if content.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ValueError(f"Tệp CSV mã hóa UTF-32: chỉ nhận UTF-8 (hoặc UTF-16 có BOM). {ENCODING_HINT}")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = content.decode("utf-16")  # the BOM says which byte order
        except UnicodeDecodeError:
            raise ValueError(f"Tệp CSV UTF-16 bị hỏng (cắt cụt hoặc lẫn byte lạ). {ENCODING_HINT}") from None
    else:
        text = _decode_utf8(content)
    if "\x00" in text:
        raise ValueError("Tệp CSV phải mã hóa UTF-8 (hoặc UTF-16 có BOM); tệp này chứa byte 0 (UTF-16 không có "
                         f"BOM, hoặc không phải tệp văn bản). {ENCODING_HINT}")
    return text


def _decode_utf8(content: bytes) -> str:
    """UTF-8 text (a BOM is dropped); ValueError naming the first line that is not UTF-8."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        raise ValueError(f"Tệp CSV phải mã hóa UTF-8 (hoặc UTF-16 có BOM); tệp này dùng bảng mã khác (ví dụ "
                         f"Windows-1258, TCVN3), ký tự lỗi đầu tiên ở dòng {line}. {ENCODING_HINT}") from None


def parse_csv(content: bytes) -> ParsedTable:
    """CSV in UTF-8 (with or without BOM) or UTF-16 with BOM, comma, semicolon or tab separated."""
    try:
        text = decode_csv(content)
    except ValueError as exc:
        return ParsedTable(errors=[ParseError(None, None, None, str(exc))])
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        lines = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error:
        return ParsedTable(errors=[ParseError(None, None, None, "Tệp CSV hỏng, không đọc được (có ô quá dài hoặc "
                                                                "dấu ngoặc kép không khép).")])
    if all(all(_blank(c) for c in line) for line in lines):
        return ParsedTable(errors=[ParseError(None, None, None, "Tệp CSV trống.")])
    return _rows_from(lines[0], [(i, row) for i, row in enumerate(lines[1:], start=2)])


def _is_percent_format(number_format: str | None) -> bool:
    """Whether an Excel number format scales by 100 and shows "%" (a "%" in quotes, after "\\" or in [...] does not)."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format or "")
    return "%" in bare


def _cell_value(cell):
    """A read-only cell's value; a number in a percentage format becomes Percent (the fraction it holds)."""
    value = cell.value
    if cell.data_type != "n" or not isinstance(value, int | float) or isinstance(value, bool):
        return value
    try:
        number_format = cell.number_format
    except (IndexError, AttributeError):  # a style id the file does not define: no format
        number_format = None
    if _is_percent_format(number_format):
        try:
            return Percent(checked_number(value))
        except NumberError:
            return value
    return value


def _sheet_rows(sheet) -> tuple[list[list], list[ParseError]]:
    """All rows of a read-only sheet as values, and an error for every formula cell."""
    sheet.reset_dimensions()  # some writers record wrong dimensions: read every row there is
    rows, formulas = [], []
    for cells in sheet.iter_rows():
        for c in cells:
            if c.data_type == "f":  # read-only mode: the value is the formula text "=45*2" (or an ArrayFormula)
                formula = getattr(c.value, "text", c.value)
                formulas.append(ParseError(c.row, c.column_letter, formula,
                                           f"Ô {c.coordinate} chứa công thức «{formula}»: hãy dán giá trị (Paste values)."))
        rows.append([_cell_value(c) for c in cells])
    return rows, formulas


def parse_xlsx(content: bytes) -> ParsedTable:
    """The only sheet of an XLSX file, header in row 1; formulas are refused (values must be typed in)."""
    from openpyxl import load_workbook

    damaged = ParsedTable(errors=[ParseError(None, None, None, "Tệp XLSX hỏng hoặc không phải Excel (.xlsx).")])
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        return damaged
    try:
        if len(book.worksheets) != 1:
            return ParsedTable(errors=[ParseError(None, None, len(book.worksheets),
                                                  f"Tệp có {len(book.worksheets)} trang tính: chỉ được có một trang.")])
        try:
            rows, formulas = _sheet_rows(book.worksheets[0])
        except Exception:  # read-only sheets are parsed lazily: a damaged sheet fails here
            return damaged
    finally:
        book.close()
    if formulas:
        return ParsedTable(errors=formulas)
    if all(all(_blank(c) for c in row) for row in rows):
        return ParsedTable(errors=[ParseError(None, None, None, "Trang tính trống.")])
    return _rows_from(rows[0], [(i, r) for i, r in enumerate(rows[1:], start=2)])
