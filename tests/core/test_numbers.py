"""app.core.numbers: numbers as Vietnamese offices type them; ambiguous or English spellings are refused, not guessed."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.numbers import NumberError, checked_number, in_words, parse_vn_number

ACCEPTED = [
    # (text, whole, value)
    ("8,81", False, "8.81"),
    ("0,856", False, "0.856"),
    ("85,6%", False, "85.6"),
    ("85,6 %", False, "85.6"),
    ("85.6", False, "85.6"),
    ("8.81", False, "8.81"),
    ("18.01", False, "18.01"),
    ("0.856", False, "0.856"),  # a leading 0 is never a thousands group
    ("1234.567", False, "1234.567"),  # four digits before the dot: not a thousands group either
    ("1,234", False, "1.234"),  # a ratio or points: the comma is the decimal comma
    ("2.752", True, "2752"),
    ("1.234.567", True, "1234567"),
    ("1.234.567", False, "1234567"),  # two dots can only be thousands separators
    ("1.234,5", False, "1234.5"),
    ("1.234,0", True, "1234"),
    ("12,0", True, "12"),
    ("12,00", True, "12"),
    ("0,000", True, "0"),
    ("1 234", True, "1234"),
    ("1\u00a0234,5", False, "1234.5"),
    ("1\u202f234\u202f567", True, "1234567"),
    ("  90 ", True, "90"),
    ("\u00a090\u00a0", True, "90"),
    ("-5", True, "-5"),
    ("-1.234,5", False, "-1234.5"),
    ("-0", False, "0"),
    ("007", True, "7"),
    ("999.999.999.999.999", True, "999999999999999"),
    ("999999999999999,99", False, "999999999999999.99"),
]


@pytest.mark.parametrize(("text", "whole", "value"), ACCEPTED)
def test_accepted_values(text, whole, value):
    number = parse_vn_number(text, whole=whole)
    assert number == Decimal(value)
    assert not number.is_signed() or number < 0
    if whole:
        assert number.as_tuple().exponent == 0  # a count comes back without a fraction part ("12,0" → 12)


REFUSED = [
    # (text, whole, the exact Vietnamese sentence)
    ("2.752", False,
     "«2.752» không rõ là hai nghìn bảy trăm năm mươi hai hay 2,752: viết 2752 hoặc 2,752."),
    ("18.010", False, "«18.010» không rõ là mười tám nghìn không trăm mười hay 18,010: viết 18010 hoặc 18,010."),
    ("1,234", True,
     "«1,234» không rõ là một nghìn hai trăm ba mươi tư (kiểu viết tiếng Anh) hay 1,234 (dấu phẩy thập phân): "
     "số đếm phải là số nguyên, viết 1234 hoặc 1.234."),
    ("12,000", True,
     "«12,000» không rõ là mười hai nghìn (kiểu viết tiếng Anh) hay 12,000 (dấu phẩy thập phân): "
     "số đếm phải là số nguyên, viết 12000 hoặc 12.000."),
    ("1,234.5", False,
     "«1,234.5» viết theo kiểu tiếng Anh (dấu phẩy phân cách hàng nghìn): hãy viết kiểu Việt Nam, dấu chấm phân "
     "cách hàng nghìn, dấu phẩy thập phân (ví dụ 1.234,5)."),
    ("1,234,567", True,
     "«1,234,567» viết theo kiểu tiếng Anh (dấu phẩy phân cách hàng nghìn): hãy viết kiểu Việt Nam, dấu chấm phân "
     "cách hàng nghìn, dấu phẩy thập phân (ví dụ 1.234.567)."),
    ("1.23.4", False,
     "«1.23.4» sai cách nhóm chữ số: nhóm đầu 1–3 chữ số, sau mỗi dấu phân cách hàng nghìn đúng 3 chữ số "
     "(ví dụ 1.234.567)."),
    ("12,5", True, "«12,5» phải là số nguyên (số đếm không có phần thập phân)."),
    ("0.856", True, "«0.856» phải là số nguyên (số đếm không có phần thập phân)."),
    ("abc", False, "«abc» không phải là số."),
    ("1234567890123456", True, "«1234567890123456» quá lớn: phần nguyên tối đa 15 chữ số."),
    ("5.", False,
     "«5.» không phải là số viết đúng cách: dùng dấu chấm phân cách hàng nghìn, dấu phẩy thập phân (ví dụ 1.234,5)."),
]


@pytest.mark.parametrize(("text", "whole", "message"), REFUSED)
def test_refused_values_say_why_in_vietnamese(text, whole, message):
    with pytest.raises(NumberError) as caught:
        parse_vn_number(text, whole=whole)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", [
    "", " ", "-", "%", "-%", "85%%", "%85", "+5", "- 5", "1e5", "1E+3", "NaN", "nan", "Infinity", "inf", "0x1F",
    "١٢٣", "１２", "12a", "a12", "1..2", "1,,2", ",5", ".5", "5,", "1.234 567", "1 234.5", "12 34", "1,2,3",
    "1.234,567.8", "12,34.5", "1.23,4", "0.123.456", "1234.567.890", "1  234",
])
def test_junk_and_malformed_values_are_refused(text):
    with pytest.raises(NumberError):
        parse_vn_number(text)
    with pytest.raises(NumberError):
        parse_vn_number(text, whole=True)


def test_a_number_error_is_a_value_error():
    assert issubclass(NumberError, ValueError)


@pytest.mark.parametrize(("value", "whole", "expected"), [
    (12, True, "12"), (12.0, True, "12"), (0.856, False, "0.856"), (Decimal("85.60"), False, "85.60"),
    (1e14, True, "100000000000000"),
])
def test_checked_number_accepts_typed_numbers(value, whole, expected):
    assert checked_number(value, whole=whole) == Decimal(expected)


@pytest.mark.parametrize(("value", "whole", "message"), [
    (12.5, True, "«12.5» phải là số nguyên"),
    (float("nan"), False, "không phải là số hữu hạn"),
    (float("inf"), False, "không phải là số hữu hạn"),
    (1e16, False, "quá lớn"),
    (True, False, "không phải là số"),
])
def test_checked_number_refuses(value, whole, message):
    with pytest.raises(NumberError, match=message):
        checked_number(value, whole=whole)


@pytest.mark.parametrize(("n", "words"), [
    (0, "không"), (5, "năm"), (10, "mười"), (14, "mười bốn"), (15, "mười lăm"), (21, "hai mươi mốt"),
    (24, "hai mươi tư"), (25, "hai mươi lăm"), (105, "một trăm linh năm"), (1000, "một nghìn"),
    (1005, "một nghìn không trăm linh năm"), (1111, "một nghìn một trăm mười một"),
    (2050, "hai nghìn không trăm năm mươi"), (2752, "hai nghìn bảy trăm năm mươi hai"),
    (101001, "một trăm linh một nghìn không trăm linh một"),
    (999999, "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
])
def test_in_words(n, words):
    assert in_words(n) == words


# ---------------------------------------------------------------- properties


def vn_format(value: Decimal, *, thousands: bool) -> str:
    """The Vietnamese spelling of a value: dot thousands separator (when asked), decimal comma."""
    sign = "-" if value < 0 else ""
    integer, _, fraction = f"{abs(value):f}".partition(".")
    if thousands:
        integer = f"{int(integer):,}".replace(",", ".")
    return f"{sign}{integer},{fraction}" if fraction else f"{sign}{integer}"


values = st.decimals(min_value=Decimal("-999999999999999.99"), max_value=Decimal("999999999999999.99"), places=2,
                     allow_nan=False, allow_infinity=False)
places = st.sampled_from([0, 1, 2])


@settings(max_examples=200)
@given(values, places, st.booleans())
def test_vietnamese_spelling_reads_back(value, digits, thousands):
    value = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN)  # 0, 1 or 2 decimals
    text = vn_format(value, thousands=thousands)
    if "," not in text and text.count(".") == 1:  # "2.752": a whole number with one thousands dot
        with pytest.raises(NumberError, match="không rõ là"):
            parse_vn_number(text)  # could be 2,752 where fractions are allowed: refused, not guessed
        assert parse_vn_number(text, whole=True) == value
    else:
        assert parse_vn_number(text) == value


@settings(max_examples=200)
@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_whole_numbers_with_dot_thousands_read_back_as_counts(n):
    text = vn_format(Decimal(n), thousands=True)
    assert parse_vn_number(text, whole=True) == n
    assert parse_vn_number(text.replace(".", ""), whole=True) == n


@settings(max_examples=200)
@given(st.text())
def test_arbitrary_text_gives_a_number_error_or_a_number(text):
    for whole in (False, True):
        try:
            number = parse_vn_number(text, whole=whole)
        except NumberError as exc:
            assert str(exc)
        else:
            assert number.is_finite()


@settings(max_examples=200)
@given(st.text(alphabet="0123456789.,-% \u00a0", max_size=20))
def test_number_like_text_gives_a_number_error_or_a_number(text):
    for whole in (False, True):
        try:
            number = parse_vn_number(text, whole=whole)
        except NumberError as exc:
            assert str(exc).startswith("«")
        else:
            assert number.is_finite() and abs(number) < 10**15
            assert not whole or number == number.to_integral_value()
