"""Excel (.xlsx) export with openpyxl: typed cells, frozen bold header, auto-filter, no formulas ever.

Counts are integer cells (`integer_columns`), group and total rows bold (`bold_rows`); every sheet prints on A4
(landscape when wide), fitted to the page width, with the header row repeated on each page.

Pure module: no Flask, no database. Every ``str`` is stored as a text cell, so user-entered values
such as ``=HYPERLINK(...)`` can never become formulas (CSV/formula injection).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.core.time import to_vn

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_MAX_TITLE = 31
_MAX_TEXT = 32767  # Excel's limit for one cell
_MAX_WIDTH = 60
_MIN_WIDTH = 6
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
_BOLD = Font(bold=True)
_GROUP_FILL = PatternFill("solid", fgColor="F1F4F8")
INTEGER_FORMAT = "#,##0"


@dataclass
class Sheet:
    """One worksheet: header row, data rows and optional note line above the header."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int] | None = None
    number_format: str = "#,##0.00"
    note: str | None = None
    integer_columns: frozenset[int] | set[int] = frozenset()  # 0-based: counts, written as whole numbers
    bold_rows: frozenset[int] | set[int] = frozenset()  # 0-based indexes into rows: group and total rows
    landscape: bool | None = None  # None: landscape when the sheet has more than 6 columns


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel-valid, unique (case-insensitive) sheet title of at most 31 characters."""
    base = _INVALID_TITLE.sub("-", ILLEGAL_CHARACTERS_RE.sub("", title)).strip().strip("'").strip() or "Sheet"
    base = base[:_MAX_TITLE]
    candidate, n = base, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = base[: _MAX_TITLE - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


def _write_text(cell: Cell, text: str) -> None:
    """Store ``text`` as a plain string cell, never as a formula."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)[:_MAX_TEXT]
    cell.value = text
    cell.data_type = "s"  # openpyxl infers "f" for a leading "="; force text
    if text.startswith(_FORMULA_START):
        cell.quotePrefix = True  # Excel keeps it as text even when the user edits the cell


def _write_value(cell: Cell, value: Any, number_format: str) -> None:
    """Write one value with the right Excel type and number format."""
    if value is None:
        return
    if isinstance(value, str):
        _write_text(cell, value)
    elif isinstance(value, int):  # includes bool
        cell.value = value
    elif isinstance(value, Decimal | float):
        number = float(value)
        if math.isfinite(number):
            cell.value = number
            cell.number_format = number_format
    elif isinstance(value, datetime):
        # Excel has no time zones: aware datetimes are shown in Vietnam time.
        cell.value = to_vn(value).replace(tzinfo=None) if value.tzinfo else value
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        _write_text(cell, str(value))


def _as_integer(value: Any) -> Any:
    """A whole number stored as Decimal or float becomes an int (a count shows "1063", never "1.063,00")."""
    if isinstance(value, Decimal | float) and math.isfinite(float(value)) and float(value) == int(value):
        return int(value)
    return value


def _display_len(value: Any) -> int:
    """Rough on-screen length of a value, for column width estimation."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, Decimal | float):
        return len(f"{value:,.2f}") if math.isfinite(float(value)) else 0
    lines = str(value).splitlines() or [""]
    return max(len(line) for line in lines)


def _column_widths(sheet: Sheet, ncols: int) -> list[float]:
    """Given widths first, otherwise estimated from header and content (capped)."""
    widths: list[float] = []
    for col in range(ncols):
        if sheet.widths and col < len(sheet.widths) and sheet.widths[col]:
            widths.append(sheet.widths[col])
            continue
        header = len(sheet.headers[col]) if col < len(sheet.headers) else 0
        content = max((_display_len(row[col]) for row in sheet.rows if col < len(row)), default=0)
        widths.append(min(_MAX_WIDTH, max(_MIN_WIDTH, min(header, 30), content) + 2))
    return widths


def _fill_worksheet(ws: Worksheet, sheet: Sheet) -> None:
    """Write note, header and rows; freeze and filter the header; set column widths."""
    header_row = 2 if sheet.note else 1
    if sheet.note:
        _write_text(ws.cell(row=1, column=1), sheet.note)
        ws.cell(row=1, column=1).font = Font(italic=True)
    for col, header in enumerate(sheet.headers, start=1):
        cell = ws.cell(row=header_row, column=col)
        _write_text(cell, str(header))
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
    for i, row in enumerate(sheet.rows):
        r = header_row + 1 + i
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col)
            if col - 1 in sheet.integer_columns:
                value = _as_integer(value)
                _write_value(cell, value, sheet.number_format)
                if isinstance(value, int) and not isinstance(value, bool):
                    cell.number_format = INTEGER_FORMAT
            else:
                _write_value(cell, value, sheet.number_format)
            if i in sheet.bold_rows:
                cell.font, cell.fill = _BOLD, _GROUP_FILL
    ncols = max([len(sheet.headers), *(len(row) for row in sheet.rows)], default=0)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if ncols:
        last = f"{get_column_letter(ncols)}{header_row + len(sheet.rows)}"
        ws.auto_filter.ref = f"A{header_row}:{last}"
    for col, width in enumerate(_column_widths(sheet, ncols), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    _print_setup(ws, sheet, header_row, ncols)


def _print_setup(ws: Worksheet, sheet: Sheet, header_row: int, ncols: int) -> None:
    """A4, landscape when wide, fitted to one page wide (as many pages tall as needed), header repeated."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wide = sheet.landscape if sheet.landscape is not None else ncols > 6
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if wide else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """Build an .xlsx file (one worksheet per Sheet) and return its bytes."""
    if not sheets:
        raise ValueError("workbook_bytes needs at least one Sheet")
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        _fill_worksheet(wb.create_sheet(_sheet_title(sheet.title, used)), sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def send_xlsx(data: bytes, name: str):
    """A Flask download response of a workbook (views only)."""
    from flask import send_file

    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)
