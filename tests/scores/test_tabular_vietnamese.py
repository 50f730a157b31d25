"""CSV / XLSX score files as Vietnamese offices make them: percent cells, dot thousands, decimal commas, UTF-16,
legacy encodings, header-only files. Parsing only (no database), then a few imports end to end."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from app.scores.importer import SourceFile, import_files
from app.scores.tabular import HEADER_ONLY, ParsedTable, parse_csv, parse_xlsx

HEADER = ["MaDonVi", "Ky", "MaChiSo", "TuSo", "MauSo", "TyLe", "Diem"]
RESAVE = "Trong Excel: Lưu thành… → CSV UTF-8 (Comma delimited) (*.csv)."


def csv_bytes(*rows: str, header: str = ";".join(HEADER), encoding: str = "utf-8") -> bytes:
    """A semicolon CSV (so decimal commas need no quotes) in the given encoding."""
    return "\r\n".join((header, *rows, "")).encode(encoding)


def xlsx_bytes(rows: list[list], formats: dict[str, str] | None = None) -> bytes:
    """One sheet with a header row; `formats` maps a cell ("F2") to its number format."""
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def only_row(parsed: ParsedTable):
    assert not parsed.errors, [(e.row, e.field, e.message_vi) for e in parsed.errors]
    (row,) = parsed.rows
    return row


def only_error(parsed: ParsedTable):
    assert not parsed.rows
    (error,) = parsed.errors
    return error


# ---------------------------------------------------------------- XLSX numbers


@pytest.mark.parametrize(("value", "number_format", "ratio"), [
    (0.856, "0.0%", "85.6"),
    (0.856, "0%", "85.6"),  # shown as 86%: the cell still holds 0.856
    (1, "0.00%", "100"),
    (0, "0%", "0"),
    (0.8561234, "0.00 %", "85.61234"),
    (85.6, "General", "85.6"),
    (85.6, '0.0"%"', "85.6"),  # a literal "%" in quotes does not scale by 100
    (85.6, "0.0\\%", "85.6"),  # neither does an escaped one
    ("85,6%", "General", "85.6"),  # text cells are read as typed
    ("85,6", "0.0%", "85.6"),
])
def test_an_xlsx_ratio_is_read_as_shown(value, number_format, ratio):
    row = only_row(parse_xlsx(xlsx_bytes([["NS", "2026-09", "4", None, None, value, None]], {"F2": number_format})))
    assert row.ratio == Decimal(ratio)


def test_a_percent_ratio_over_one_is_out_of_range():
    error = only_error(parse_xlsx(xlsx_bytes([["NS", "2026-09", "4", None, None, 1.5, None]], {"F2": "0%"})))
    assert (error.row, error.field, error.message_vi) == (2, "TyLe", "Tỷ lệ phải trong khoảng 0–100 (%).")


@pytest.mark.parametrize(("column", "value", "number_format", "message"), [
    ("D", 12.5, "General", "«12.5» phải là số nguyên (số đếm không có phần thập phân)."),
    ("E", 100.25, "General", "«100.25» phải là số nguyên (số đếm không có phần thập phân)."),
    ("D", "12,5", "General", "«12,5» phải là số nguyên (số đếm không có phần thập phân)."),
    ("D", 0.5, "0%", "Ô «50%» định dạng phần trăm: cột TuSo không phải tỷ lệ, hãy bỏ định dạng %."),
    ("D", True, "General", "«True» không phải là số."),
    ("D", datetime(2026, 8, 8), "dd/mm/yyyy",
     "Ô chứa ngày giờ «2026-08-08 00:00:00», không phải số: Excel có thể đã tự đổi số thành ngày, hãy định dạng ô "
     "là Number (Số) rồi gõ lại."),
    ("D", 1e16, "General", "«1e+16» quá lớn: phần nguyên tối đa 15 chữ số."),
    ("G", "2.752", "General", "«2.752» không rõ là hai nghìn bảy trăm năm mươi hai hay 2,752: viết 2752 hoặc 2,752."),
])
def test_an_xlsx_number_that_cannot_be_read_is_a_row_error(column, value, number_format, message):
    row = ["NS", "2026-09", "4", 90, 100, None, None]
    row[ord(column) - ord("A")] = value
    error = next(e for e in parse_xlsx(xlsx_bytes([row], {f"{column}2": number_format})).errors
                 if e.field == HEADER[ord(column) - ord("A")])
    assert (error.row, error.message_vi) == (2, message)


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (45, 50, (45, 50)), (45.0, 50.0, (45, 50)), ("45", "50", (45, 50)), ("2.752", "3.000", (2752, 3000)),
    (2752, "3 000", (2752, 3000)),
])
def test_xlsx_counts_may_be_numbers_or_text(numerator, denominator, expected):
    row = only_row(parse_xlsx(xlsx_bytes([["NS", "2026-09", 4.0, numerator, denominator, None, None]])))
    assert (row.indicator, row.numerator, row.denominator) == ("4", *expected)
    assert str(row.numerator) == str(expected[0])  # a whole number: no ".0" in reports


@pytest.mark.parametrize(("period", "expected"), [
    (datetime(2026, 9, 1), "2026-09"),  # Excel turned "2026-09" into a date
    (2026, "2026"),
    (2026.0, "2026"),
    ("Quý III/2026", "Quý III/2026"),  # checked by parse_period in the importer
])
def test_an_xlsx_period_cell(period, expected):
    assert only_row(parse_xlsx(xlsx_bytes([["NS", period, "4", 90, 100, None, None]]))).period == expected


def test_xlsx_rows_past_a_wrong_dimension_are_read():
    """Some writers record a too small used range; read-only mode must not stop there."""
    content = xlsx_bytes([["NS", "2026-09", "4", 90, 100, None, None], ["NS", "2026-09", "3", 45, 50, None, None]])
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, count = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:B1"/>', data)
                assert count == 1
            target.writestr(item, data)
    parsed = parse_xlsx(out.getvalue())
    assert [(r.row, r.indicator, r.numerator) for r in parsed.rows] == [(2, "4", 90), (3, "3", 45)]


@pytest.mark.parametrize(("rows", "message"), [
    ([], HEADER_ONLY),
    ([[None] * 7, ["", " ", None, None, None, None, None]], HEADER_ONLY),
])
def test_a_header_only_xlsx_is_refused(rows, message):
    error = only_error(parse_xlsx(xlsx_bytes(rows)))
    assert (error.row, error.message_vi) == (None, message)


def test_an_empty_xlsx_sheet_is_refused():
    book, out = Workbook(), io.BytesIO()
    book.save(out)
    assert only_error(parse_xlsx(out.getvalue())).message_vi == "Trang tính trống."


def test_an_xlsx_formula_is_still_refused_in_read_only_mode():
    parsed = parse_xlsx(xlsx_bytes([["NS", "2026-09", "4", "=45*2", 100, None, "=SUM(D2:E2)"]]))
    assert [(e.row, e.field, e.value) for e in parsed.errors] == [(2, "D", "=45*2"), (2, "G", "=SUM(D2:E2)")]
    assert parsed.errors[1].message_vi == "Ô G2 chứa công thức «=SUM(D2:E2)»: hãy dán giá trị (Paste values)."


# ---------------------------------------------------------------- CSV numbers


@pytest.mark.parametrize(("cells", "expected"), [
    ("2.752;3.000;;", ("2752", "3000", None, None)),
    ("1.234.567;2.000.000;;", ("1234567", "2000000", None, None)),
    ("90;100;;8,81", ("90", "100", None, "8.81")),
    ("90;100;;18.01", ("90", "100", None, "18.01")),
    (";;85,6%;", (None, None, "85.6", None)),
    (";;85,6;", (None, None, "85.6", None)),
    (";;0,856;", (None, None, "0.856", None)),  # what was typed: 0,856 %
    (";;100 %;", (None, None, "100", None)),
    ("2\u00a0752;3\u00a0000;;", ("2752", "3000", None, None)),
    ("45;50;90;5,4", ("45", "50", "90", "5.4")),
])
def test_csv_numbers_are_read_the_vietnamese_way(cells, expected):
    row = only_row(parse_csv(csv_bytes(f"NS;2026-09;4;{cells}")))
    assert (row.numerator, row.denominator, row.ratio, row.points) == tuple(
        None if v is None else Decimal(v) for v in expected)


@pytest.mark.parametrize(("cells", "column", "message"), [
    (";;2.752;", "TyLe", "«2.752» không rõ là hai nghìn bảy trăm năm mươi hai hay 2,752: viết 2752 hoặc 2,752."),
    ("90;100;;18.010", "Diem",
     "«18.010» không rõ là mười tám nghìn không trăm mười hay 18,010: viết 18010 hoặc 18,010."),
    ("1,234;2000;;", "TuSo",
     "«1,234» không rõ là một nghìn hai trăm ba mươi tư (kiểu viết tiếng Anh) hay 1,234 (dấu phẩy thập phân): "
     "số đếm phải là số nguyên, viết 1234 hoặc 1.234."),
    ("12,5;100;;", "TuSo", "«12,5» phải là số nguyên (số đếm không có phần thập phân)."),
    ("90;1,000.0;;", "MauSo",
     "«1,000.0» viết theo kiểu tiếng Anh (dấu phẩy phân cách hàng nghìn): hãy viết kiểu Việt Nam, dấu chấm phân "
     "cách hàng nghìn, dấu phẩy thập phân (ví dụ 1.000,0)."),
    ("90%;100;;", "TuSo", "«90%» có dấu %: chỉ cột TyLe ghi tỷ lệ phần trăm."),
    ("1.23.4;2000;;", "TuSo",
     "«1.23.4» sai cách nhóm chữ số: nhóm đầu 1–3 chữ số, sau mỗi dấu phân cách hàng nghìn đúng 3 chữ số "
     "(ví dụ 1.234.567)."),
])
def test_a_csv_number_that_cannot_be_read_names_row_column_and_why(cells, column, message):
    parsed = parse_csv(csv_bytes("NS;2026-09;3;45;50;;", f"NS;2026-09;4;{cells}"))
    assert [r.row for r in parsed.rows] == [2]
    error = next(e for e in parsed.errors if e.field == column)
    assert (error.row, error.message_vi) == (3, message)


# ---------------------------------------------------------------- CSV encodings and empty files


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_and_utf16_with_a_bom_are_read(encoding):
    header = "Mã đơn vị\tKỳ\tMã chỉ số\tTử số\tMẫu số"
    content = csv_bytes("NS\tQuý III/2026\t4\t2.752\t3.000", header=header, encoding=encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # these codecs write no BOM: add the one Excel writes
        content = ("\ufeff".encode(encoding)) + content
    row = only_row(parse_csv(content))
    assert (row.unit, row.period, row.numerator, row.denominator) == ("NS", "Quý III/2026", 2752, 3000)


@pytest.mark.parametrize(("content", "message"), [
    (csv_bytes("NS;2026-09;4;90;100;;", "Lâm Sơn;2026-09;4;90;100;;", encoding="cp1258"),
     "Tệp CSV phải mã hóa UTF-8 (hoặc UTF-16 có BOM); tệp này dùng bảng mã khác (ví dụ Windows-1258, TCVN3), "
     f"ký tự lỗi đầu tiên ở dòng 3. {RESAVE}"),
    (csv_bytes("Hòa;2026-09;4;90;100;;", encoding="cp1252"),
     "Tệp CSV phải mã hóa UTF-8 (hoặc UTF-16 có BOM); tệp này dùng bảng mã khác (ví dụ Windows-1258, TCVN3), "
     f"ký tự lỗi đầu tiên ở dòng 2. {RESAVE}"),
    (csv_bytes("NS;2026-09;4;90;100;;", encoding="utf-16-le"),
     "Tệp CSV phải mã hóa UTF-8 (hoặc UTF-16 có BOM); tệp này chứa byte 0 (UTF-16 không có BOM, hoặc không phải "
     f"tệp văn bản). {RESAVE}"),
    (csv_bytes("NS;2026-09;4;90;100;;", encoding="utf-32"),
     f"Tệp CSV mã hóa UTF-32: chỉ nhận UTF-8 (hoặc UTF-16 có BOM). {RESAVE}"),
    (b"\xff\xfe" + "MaDonVi;Ky".encode("utf-16-le") + b"\x00",
     f"Tệp CSV UTF-16 bị hỏng (cắt cụt hoặc lẫn byte lạ). {RESAVE}"),
    (xlsx_bytes([["NS", "2026-09", "4", 90, 100, None, None]]),
     f"Tệp này là tệp Excel nhưng có đuôi .csv: đổi tên thành .xlsx, hoặc lưu lại dạng CSV. {RESAVE}"),
    (b"", "Tệp CSV trống."),
    (b"\xef\xbb\xbf\r\n \r\n", "Tệp CSV trống."),
    (csv_bytes(), HEADER_ONLY),
    (csv_bytes(";;;;;;", "", " ; ; "), HEADER_ONLY),
    (";".join(HEADER).encode(), HEADER_ONLY),  # no line break after the header
])
def test_a_csv_that_cannot_be_read_is_refused_whole(content, message):
    error = only_error(parse_csv(content))
    assert (error.row, error.field, error.message_vi) == (None, None, message)


def test_a_header_only_file_with_a_missing_column_names_the_column_first():
    error = only_error(parse_csv(b"MaDonVi;Ky\r\n"))
    assert (error.row, error.field) == (1, "MaChiSo")


# ---------------------------------------------------------------- end to end


def _import_twice(source: SourceFile):
    first = import_files([source])
    again = import_files([SourceFile(source.name, source.content)])
    return first, again


def test_dot_thousands_counts_import_once_and_a_second_import_changes_nothing(ninh_son, db):
    content = csv_bytes("NS;2026-09;4;2.752;3.000;;", "NS;Quý III/2026;4;9.000;10.000;;")
    first, again = _import_twice(SourceFile("diem.csv", content))
    assert first.ok, [e.message_vi for f in first.files for e in f.errors]
    assert (first.total("new"), again.total("new"), again.total("changed"), again.total("unchanged")) == (2, 0, 0, 2)


def test_a_percent_ratio_cell_imports_as_percent_and_a_second_import_changes_nothing(ninh_son, db):
    content = xlsx_bytes([["NS", "2026-09", "4", None, None, 0.856, None]], {"F2": "0.0%"})
    first, again = _import_twice(SourceFile("diem.xlsx", content))
    assert first.ok, [e.message_vi for f in first.files for e in f.errors]
    assert (first.total("new"), again.total("changed"), again.total("unchanged")) == (1, 0, 1)


@pytest.mark.parametrize("source", [
    SourceFile("diem.csv", csv_bytes()),
    SourceFile("diem.xlsx", xlsx_bytes([])),
])
def test_a_header_only_file_fails_the_import(ninh_son, db, source):
    report = import_files([source])
    assert report.ok is False
    assert [e.message_vi for f in report.files for e in f.errors] == [HEADER_ONLY]
