"""Names, numbers and dates as Nghị định 30/2020 writes them (pure functions)."""

from datetime import date

import pytest

from app.core.errors import DomainError
from app.reports import texts
from app.reports.services import parse_quarter


@pytest.mark.parametrize(("number", "kind", "expected"), [
    (7, "KH", "Số: 07/KH-UBND"), (12, "BC", "Số: 12/BC-UBND"), (103, "KH", "Số: 103/KH-UBND"),
])
def test_numbers_under_ten_take_a_leading_zero(number, kind, expected):
    assert texts.number_text(number, kind, "UBND") == expected


def test_a_document_without_number_leaves_the_space_for_it():
    assert texts.number_text(None, "KH", "UBND") == "Số:\u2003\u2003/KH-UBND"


@pytest.mark.parametrize(("on", "expected"), [
    (date(2026, 10, 5), "Ninh Sơn, ngày 05 tháng 10 năm 2026"),
    (date(2027, 2, 3), "Ninh Sơn, ngày 03 tháng 02 năm 2027"),   # months 1 and 2 take a leading 0
    (date(2022, 7, 15), "Ninh Sơn, ngày 15 tháng 7 năm 2022"),   # the others do not
    (date(2026, 1, 31), "Ninh Sơn, ngày 31 tháng 01 năm 2026"),
])
def test_place_and_date(on, expected):
    assert texts.place_date("Ninh Sơn", on, on.year) == expected


@pytest.mark.parametrize(("name", "kind", "parent", "expected"), [
    ("UBND huyện Ninh Sơn", "district", "UBND tỉnh Ninh Thuận", ("", ["ỦY BAN NHÂN DÂN", "HUYỆN NINH SƠN"])),
    ("UBND thị trấn Tân Sơn", "commune", "UBND huyện Ninh Sơn", ("", ["ỦY BAN NHÂN DÂN", "THỊ TRẤN TÂN SƠN"])),
    ("UBND tỉnh Ninh Thuận", "province", None, ("", ["ỦY BAN NHÂN DÂN", "TỈNH NINH THUẬN"])),
    ("Phòng Nội vụ", "department", "UBND huyện Ninh Sơn", ("UBND HUYỆN NINH SƠN", ["PHÒNG NỘI VỤ"])),
])
def test_heading_names_the_issuing_body(name, kind, parent, expected):
    assert texts.agency_lines(name, kind, parent) == expected


@pytest.mark.parametrize(("title", "lines"), [
    ("Chủ tịch UBND huyện", ["CHỦ TỊCH"]),
    ("Phó Chủ tịch UBND huyện", ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
])
def test_signature_authority(title, lines):
    assert texts.authority_lines(texts.is_deputy_title(title)) == lines


def test_recipients_each_on_a_line_the_last_with_a_full_stop():
    assert texts.recipients(["UBND tỉnh (b/c);", "- CT, các PCT", "", "Lưu: VT, VP."]) == [
        "- UBND tỉnh (b/c);", "- CT, các PCT;", "- Lưu: VT, VP."]


@pytest.mark.parametrize("text", ["2026Q3", "2026-Q3", "2026 q3", "Q3/2026", "Quý 3/2026", "Quý III/2026"])
def test_quarters_as_typed(text):
    assert parse_quarter(text).code == "2026-Q3"


@pytest.mark.parametrize(("text", "message"), [
    ("2026", "không phải một quý"), ("2026-10", "không phải một quý"), ("2026Q5", "quý phải từ 1 đến 4"),
    ("", "trống"), ("quý sau", "không hợp lệ"), ("1999Q4", "năm phải trong khoảng"),
])
def test_bad_quarters_are_explained(text, message):
    with pytest.raises(DomainError, match=message):
        parse_quarter(text)
