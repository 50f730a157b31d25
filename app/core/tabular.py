"""CSV and XLSX tables read row by row, as Vietnamese offices save them (formats.md), in constant memory.

`iter_csv` and `iter_xlsx` are generators of (row number, cells), row 1 being the header; `Table` puts a header
apart and yields the non-blank rows below it. A problem with the whole file (encoding, a damaged workbook, several
sheets, an empty file) raises `TableError`, whose text is the Vietnamese message, possibly mid-way through a file:
callers that import all or nothing treat it as the file's error. Formula cells are yielded as `Formula`, never
evaluated: values must be typed in. Text cells come out in NFC (core.text), whatever form the file saved them in.
An XLSX is checked (core.uploads.xlsx_problem: zip bomb, macros, external links, encryption) before it is parsed.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from app.core.text import nfc
from app.core.uploads import rows_refusal, xlsx_problem

ENCODING_HINT = "Trong Excel: Lưu thành… → CSV UTF-8 (Comma delimited) (*.csv)."
HEADER_ONLY = "Tệp chỉ có hàng tiêu đề, không có dòng số liệu nào."
EMPTY_CSV = "Tệp CSV trống."
EMPTY_SHEET = "Trang tính trống."
DAMAGED_XLSX = "Tệp XLSX hỏng hoặc không phải Excel (.xlsx)."
BROKEN_CSV = "Tệp CSV hỏng, không đọc được (có ô quá dài hoặc dấu ngoặc kép không khép)."
CHUNK = 1 << 16
MAX_LINE = 4 * 1024 * 1024  # one physical line longer than this is not a table row (no line breaks?)


class TableError(ValueError):
    """The file as a whole cannot be read as a table; str() is the Vietnamese message, `value` what it is about."""

    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.value = value


@dataclass(frozen=True)
class Formula:
    """A formula cell of an XLSX sheet: refused, values must be typed in (or pasted as values)."""

    coordinate: str
    column: str
    row: int
    text: str

    @property
    def message(self) -> str:
        return f"Ô {self.coordinate} chứa công thức «{self.text}»: hãy dán giá trị (Paste values)."

    def __str__(self) -> str:
        return self.text


def normalise_header(text: Any) -> str:
    """Header key without case, diacritics, spaces or punctuation ("Mã đơn vị" → "madonvi")."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


def is_blank(value: Any) -> bool:
    """An empty cell (None or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank_row(cells) -> bool:
    return all(is_blank(c) for c in cells)


# ---------------------------------------------------------------- CSV


def _utf8_lines(data: bytes, stream: IO[bytes]) -> Iterator[str]:
    """UTF-8 text lines (ends kept); TableError naming the first line that is not UTF-8, or a NUL byte."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    pending = ""
    while True:
        more = stream.read(CHUNK)
        try:
            text = decoder.decode(data, final=not more)
        except UnicodeDecodeError as exc:
            line = newlines + exc.object[:exc.start].count(b"\n") + 1
            raise TableError(f"Tệp CSV phải mã hóa UTF-8 (hoặc UTF-16 có BOM); tệp này dùng bảng mã khác (ví dụ "
                             f"Windows-1258, TCVN3), ký tự lỗi đầu tiên ở dòng {line}. {ENCODING_HINT}") from None
        newlines += data.count(b"\n")
        lines, pending = _split(pending + text, final=not more)
        yield from lines
        if not more:
            return
        data = more


def _utf16_lines(data: bytes, stream: IO[bytes]) -> Iterator[str]:
    """UTF-16 text lines (the BOM says which byte order); TableError when the bytes are damaged."""
    decoder = codecs.getincrementaldecoder("utf-16")()
    pending = ""
    while True:
        more = stream.read(CHUNK)
        try:
            text = decoder.decode(data, final=not more)
        except UnicodeDecodeError:
            raise TableError(f"Tệp CSV UTF-16 bị hỏng (cắt cụt hoặc lẫn byte lạ). {ENCODING_HINT}") from None
        lines, pending = _split(pending + text, final=not more)
        yield from lines
        if not more:
            return
        data = more


def _split(text: str, *, final: bool) -> tuple[list[str], str]:
    """The complete lines of `text` (ends kept) and the unfinished last one (given out too at the end of a file)."""
    if "\x00" in text:
        raise TableError("Tệp CSV phải mã hóa UTF-8 (hoặc UTF-16 có BOM); tệp này chứa byte 0 (UTF-16 không có "
                         f"BOM, hoặc không phải tệp văn bản). {ENCODING_HINT}")
    lines = text.split("\n")
    rest = lines.pop()
    lines = [line + "\n" for line in lines]
    if final:
        return ([*lines, rest] if rest else lines), ""
    if len(rest) > MAX_LINE:
        raise TableError(f"Tệp CSV hỏng: có dòng dài hơn {MAX_LINE // (1024 * 1024)} MB (tệp không xuống dòng?).")
    return lines, rest


def csv_lines(stream: IO[bytes]) -> Iterator[str]:
    """The text lines of CSV bytes: UTF-8 with or without BOM, or UTF-16 with a BOM; TableError otherwise."""
    head = stream.read(4)
    if head.startswith(b"PK\x03\x04"):
        raise TableError("Tệp này là tệp Excel nhưng có đuôi .csv: đổi tên thành .xlsx, hoặc lưu lại dạng CSV. "
                         + ENCODING_HINT)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise TableError(f"Tệp CSV mã hóa UTF-32: chỉ nhận UTF-8 (hoặc UTF-16 có BOM). {ENCODING_HINT}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16_lines(head, stream)
    return _utf8_lines(head[3:] if head.startswith(codecs.BOM_UTF8) else head, stream)


def iter_csv(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """Every record of a CSV file, numbered from 1 (the header); comma, semicolon or tab, sniffed on line 1."""
    lines = csv_lines(stream)
    first = next(lines, None)
    try:
        dialect = csv.Sniffer().sniff(first.rstrip("\r\n") if first is not None else ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(lines if first is None else itertools.chain((first,), lines), dialect)
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [c if c.isascii() else nfc(c) for c in cells]
    except csv.Error:
        raise TableError(BROKEN_CSV) from None


# ---------------------------------------------------------------- XLSX


def plain_value(cell) -> Any:
    return cell.value


def iter_xlsx(stream: IO[bytes], *, value: Callable[[Any], Any] = plain_value) -> Iterator[tuple[int, list]]:
    """Every row of the only sheet of an XLSX file (read-only: one row in memory), numbered from 1.

    `value(cell)` gives a cell's value (e.g. to read its number format); a formula cell is a `Formula`.
    """
    from openpyxl import load_workbook

    problem = xlsx_problem(stream)
    if problem:
        raise TableError(problem)
    try:
        book = load_workbook(stream, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise TableError(DAMAGED_XLSX) from None
    try:
        sheets = len(book.worksheets)
        if sheets != 1:
            raise TableError(f"Tệp có {sheets} trang tính: chỉ được có một trang.", value=sheets)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions: read every row there is
        rows = sheet.iter_rows()
        number = 0
        while True:
            try:
                cells = next(rows, None)
            except Exception:  # read-only sheets are parsed lazily: a damaged sheet fails here
                raise TableError(DAMAGED_XLSX) from None
            if cells is None:
                return
            number += 1
            yield number, [_formula(c) if c.data_type == "f" else nfc(value(c)) for c in cells]
    finally:
        book.close()


def _formula(cell) -> Formula:
    text = getattr(cell.value, "text", cell.value)  # read-only: the formula text "=45*2" (or an ArrayFormula)
    return Formula(cell.coordinate, cell.column_letter, cell.row, str(text))


_TIME_CODES = re.compile(r"[hs]", re.IGNORECASE)


def format_has_time(number_format: str | None) -> bool:
    """Whether an Excel date format shows a time of day ("dd/mm/yyyy hh:mm"); literals and [..] do not count."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format or "")
    return bool(_TIME_CODES.search(bare))


def is_percent_format(number_format: str | None) -> bool:
    """Whether an Excel number format scales by 100 and shows "%" (a "%" in quotes, after "\\" or in [...] does not)."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format or "")
    return "%" in bare


def number_format(cell) -> str | None:
    """A read-only cell's number format (None when the file refers to a style it does not define)."""
    try:
        return cell.number_format
    except (IndexError, AttributeError):
        return None


# ---------------------------------------------------------------- header and body


class Table:
    """A table read row by row: `header` (the cells of row 1) and `rows()`, the non-blank rows below it.

    A file with nothing in it raises TableError(`empty`) here; after `rows()` is exhausted, `data_rows == 0`
    means the file had only its header (HEADER_ONLY). With `max_rows`, one data row more raises TableError.
    """

    def __init__(self, records: Iterator[tuple[int, list]], *, empty: str, max_rows: int | None = None):
        self._records = iter(records)
        self.max_rows = max_rows
        self._pending: tuple[int, list] | None = None
        self.data_rows = 0
        first = next(self._records, None)
        if first is None:
            raise TableError(empty)
        self.header = list(first[1])
        if is_blank_row(self.header):  # a blank row 1: the file is empty unless something follows
            self._pending = next(((n, c) for n, c in self._records if not is_blank_row(c)), None)
            if self._pending is None:
                raise TableError(empty)

    def columns(self, known: dict[str, str]) -> dict[str, int]:
        """Position of each known column: `known` maps a normalised header to a key; the first one wins."""
        index: dict[str, int] = {}
        for i, name in enumerate(self.header):
            key = known.get(normalise_header(name))
            if key and key not in index:
                index[key] = i
        return index

    def rows(self) -> Iterator[tuple[int, list]]:
        if self._pending is not None:
            self.data_rows += 1
            yield self._pending
            self._pending = None
        for number, cells in self._records:
            if not is_blank_row(cells):
                self.data_rows += 1
                if self.max_rows is not None and self.data_rows > self.max_rows:
                    raise TableError(rows_refusal(self.max_rows), value=number)
                yield number, cells


def open_table(stream: IO[bytes], file_format: str, *, value: Callable[[Any], Any] = plain_value,
               max_rows: int | None = None) -> Table:
    """A CSV ("csv") or XLSX ("xlsx") stream as a Table; TableError when it cannot be read or is empty."""
    if file_format == "xlsx":
        return Table(iter_xlsx(stream, value=value), empty=EMPTY_SHEET, max_rows=max_rows)
    return Table(iter_csv(stream), empty=EMPTY_CSV, max_rows=max_rows)
