"""Tests for app.core.excel: typed cells, sheet titles, frozen header and no formula injection."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.core.excel import XLSX_MIMETYPE, Sheet, workbook_bytes

VIETNAMESE = "Nguyễn Thị Kim Yến — Tỷ lệ hồ sơ xử lý đúng hạn"
INJECTIONS = ["=1+1", '=HYPERLINK("http://x","y")', "+SUM(A1)", "-2+3", "@cmd", "\t=1+1", "=cmd|' /C calc'!A0"]


def _load(sheets: list[Sheet]):
    return load_workbook(io.BytesIO(workbook_bytes(sheets)))


def _assert_no_formulas(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


def test_mimetype():
    assert XLSX_MIMETYPE == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_strings_stay_text(text):
    data = workbook_bytes([Sheet("Dữ liệu", [text], [[text, "ok"]], note=text)])
    _assert_no_formulas(data)
    ws = load_workbook(io.BytesIO(data)).active
    for cell in (ws["A1"], ws["A2"], ws["A3"]):  # note, header, data
        assert cell.data_type == "s"
        assert cell.value == text


def test_carriage_return_prefix_stays_text():
    data = workbook_bytes([Sheet("S", ["H"], [["\r=1+1"]])])
    _assert_no_formulas(data)
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    # XML parsers normalise a raw CR to LF; the cell stays plain text either way.
    assert cell.data_type == "s" and cell.value.replace("\n", "\r") == "\r=1+1"


def test_vietnamese_text_round_trips():
    ws = _load([Sheet(VIETNAMESE, ["Người phụ trách", "Chỉ số"], [["Nguyễn Thị Kim Yến", VIETNAMESE]])]).active
    assert ws["A2"].value == "Nguyễn Thị Kim Yến"
    assert ws["B2"].value == VIETNAMESE
    assert ws.title == VIETNAMESE[:31]


def test_numbers_are_numeric_with_format():
    rows = [[Decimal("15.70"), 1.5, 7, True, None, float("nan")]]
    ws = _load([Sheet("Điểm", ["a", "b", "c", "d", "e", "f"], rows, number_format="0.00")]).active
    a, b, c, d, e, f = ws[2]
    assert a.data_type == "n" and a.value == pytest.approx(15.7) and a.number_format == "0.00"
    assert b.data_type == "n" and b.value == pytest.approx(1.5) and b.number_format == "0.00"
    assert c.data_type == "n" and c.value == 7 and isinstance(c.value, int)
    assert d.value is True
    assert e.value is None
    assert f.value is None  # NaN cannot be stored in Excel


def test_default_number_format():
    ws = _load([Sheet("S", ["x"], [[Decimal("1234.5")]])]).active
    assert ws["A2"].number_format == "#,##0.00"


def test_dates_are_dates():
    aware = datetime(2024, 3, 1, 1, 30, tzinfo=UTC)
    ws = _load([Sheet("S", ["Ngày", "Lúc"], [[date(2024, 7, 5), aware]])]).active
    assert ws["A2"].is_date and ws["A2"].value.date() == date(2024, 7, 5)
    assert ws["A2"].number_format == "dd/mm/yyyy"
    assert ws["B2"].is_date and ws["B2"].value == datetime(2024, 3, 1, 8, 30)  # Vietnam time, naive


def test_other_values_are_written_as_text():
    ws = _load([Sheet("S", ["x"], [[["=a"]]])]).active
    assert ws["A2"].data_type == "s" and ws["A2"].value == "['=a']"


def test_sheet_titles_are_sanitised_and_unique():
    titles = ["Điểm [Q1]: a/b\\c*d?", "x" * 40, "x" * 40, "X" * 40, "", "'Trích'"]
    wb = _load([Sheet(t, ["h"], []) for t in titles])
    names = wb.sheetnames
    assert names[0] == "Điểm -Q1-- a-b-c-d-"
    assert names[1] == "x" * 31
    assert names[2] == "x" * 27 + " (2)"
    assert names[3] == "X" * 27 + " (3)"
    assert names[4] == "Sheet"
    assert names[5] == "Trích"
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)


def test_header_frozen_bold_and_filtered():
    ws = _load([Sheet("S", ["Đơn vị", "Điểm"], [["Xã A", 1.5], ["Xã B", 2]])]).active
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B3"
    assert ws["A1"].font.b and ws["B1"].font.b
    assert ws["A1"].value == "Đơn vị"


def test_note_moves_header_to_second_row():
    ws = _load([Sheet("S", ["Đơn vị", "Điểm"], [["Xã A", 1.5]], note="Số liệu đến 30/06/2024")]).active
    assert ws["A1"].value == "Số liệu đến 30/06/2024"
    assert ws["A2"].value == "Đơn vị" and ws["A2"].font.b
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:B3"


def test_column_widths_given_or_estimated():
    rows = [["ngắn", "x" * 200]]
    ws = _load([Sheet("S", ["a", "b", "c"], rows, widths=[25])]).active
    assert ws.column_dimensions["A"].width == 25
    assert ws.column_dimensions["B"].width == 60  # capped
    assert 6 <= ws.column_dimensions["C"].width < 25


def test_multiple_sheets_and_empty_rows():
    wb = _load([Sheet("Một", ["a"], []), Sheet("Hai", ["b"], [[1]])])
    assert wb.sheetnames == ["Một", "Hai"]
    assert wb["Một"].auto_filter.ref == "A1:A1"


def test_requires_a_sheet():
    with pytest.raises(ValueError):
        workbook_bytes([])
