"""Vietnamese input habits: alphabetical order of names, dates typed dd/mm/yyyy, periods typed as people write them."""

from datetime import date

import pytest

from app.core.forms import parse_vn_date
from app.core.text import person_sort_key, plain, vn_sort_key
from app.scores.periods import parse_period


@pytest.mark.parametrize(("before", "after"), [
    ("Dũng", "Đào"),          # Đ is a letter of its own, after D...
    ("Đào", "Em"),            # ...and before E
    ("Duy", "Đa"),
    ("An", "Anh"),            # a shorter word first
    ("Anh", "Ánh"),           # tones only break ties: none before sắc
    ("Ánh", "Ăn"),            # a < ă < â
    ("Ăn", "Ân"),
    ("Ong", "Ôn"),            # o < ô < ơ
    ("Ôn", "Ơn"),
    ("Uy", "Ưu"),             # u < ư
    ("Hoa", "Hòa"),           # tones: none, huyền, hỏi, ngã, sắc, nặng
    ("Hòa", "Hỏa"),
    ("Hỏa", "Hõa"),
    ("Hõa", "Hóa"),
    ("Hóa", "Họa"),
    ("Vân", "Xuân"),
    ("an", "Bình"),           # case does not matter
    ("Lê Văn", "Lê Văn Phúc"),
])
def test_vietnamese_alphabetical_order(before, after):
    assert vn_sort_key(before) < vn_sort_key(after)


def test_nfd_and_nfc_names_sort_alike():
    import unicodedata

    name = "Nguyễn Thị Kim Yến"
    assert vn_sort_key(unicodedata.normalize("NFD", name))[:2] == vn_sort_key(name)[:2]


def test_people_sort_by_given_name_then_family():
    names = ["Lê Văn Phúc", "Trần Thị Hoa", "Đoàn Văn Hùng", "Lê Thị Hoa", "Nguyễn Văn Bình", "Đặng Văn Lợi",
             "Trần Văn Dũng", "Trần Thị Ngọc Ánh", "Nguyễn Anh Văn"]
    assert sorted(names, key=person_sort_key) == [
        "Trần Thị Ngọc Ánh", "Nguyễn Văn Bình", "Trần Văn Dũng", "Lê Thị Hoa", "Trần Thị Hoa", "Đoàn Văn Hùng",
        "Đặng Văn Lợi", "Lê Văn Phúc", "Nguyễn Anh Văn"]


@pytest.mark.parametrize(("typed", "key"), [
    ("Nguyễn Văn Bình", "nguyen van binh"),
    ("ĐẶNG  văn", "dang van"),
    ("", ""),
])
def test_plain_search_key(typed, key):
    assert plain(typed) == key


@pytest.mark.parametrize(("typed", "day"), [
    ("03/12/2026", date(2026, 12, 3)),
    ("3/12/2026", date(2026, 12, 3)),
    ("03-12-2026", date(2026, 12, 3)),
    ("03.12.2026", date(2026, 12, 3)),
    (" 29/02/2028 ", date(2028, 2, 29)),
    ("2026-12-03", date(2026, 12, 3)),   # what a browser's date picker or an old link sends
])
def test_dates_typed_day_first(typed, day):
    assert parse_vn_date(typed) == day


@pytest.mark.parametrize(("typed", "message"), [
    ("12/03", "không hợp lệ: nhập theo dạng ngày/tháng/năm"),
    ("12/2026", "không hợp lệ: nhập theo dạng ngày/tháng/năm"),
    ("31/02/2026", "không có trên lịch"),
    ("29/02/2026", "không có trên lịch"),
    ("03/13/2026", "không có trên lịch"),   # never read month first
    ("hôm nay", "không hợp lệ"),
])
def test_bad_dates_are_refused_in_vietnamese(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_vn_date(typed)


@pytest.mark.parametrize(("typed", "code"), [
    ("11/2026", "2026-11"),
    ("T11/2026", "2026-11"),
    ("t11/2026", "2026-11"),
    ("Tháng 11/2026", "2026-11"),
    ("tháng 11 năm 2026", "2026-11"),
    ("2026-11", "2026-11"),
    ("1/2026", "2026-01"),
    ("Quý 3/2026", "2026-Q3"),
    ("Quý III/2026", "2026-Q3"),
    ("Q3/2026", "2026-Q3"),
    ("q3-2026", "2026-Q3"),
    ("2026-Q3", "2026-Q3"),
    ("2026", "2026"),
    ("Năm 2026", "2026"),
])
def test_periods_typed_as_people_write_them(typed, code):
    assert parse_period(typed).code == code


@pytest.mark.parametrize("typed", ["13/2026", "1999", "11/2101", "Quý 5/2026", "11/26", "2026/11", "tháng mười", ""])
def test_bad_periods_name_the_accepted_forms(typed):
    with pytest.raises(ValueError) as exc:
        parse_period(typed)
    assert "11/2026" in str(exc.value) and "Quý 3/2026" in str(exc.value)  # the accepted forms are named
