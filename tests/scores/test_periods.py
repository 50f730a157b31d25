"""parse_period: the canonical codes and what people type ("T11/2026", "Quý III/2026", "Năm 2026")."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.scores.periods import (
    HINT,
    MAX_YEAR,
    MIN_YEAR,
    ROMAN,
    month_period,
    parse_period,
    quarter_period,
    year_period,
)

ACCEPTED = [
    ("2026-11", "2026-11"), ("11/2026", "2026-11"), ("T11/2026", "2026-11"), ("t11/2026", "2026-11"),
    ("Tháng 11/2026", "2026-11"), ("tháng 11 năm 2026", "2026-11"), ("THÁNG 11 NĂM 2026", "2026-11"),
    ("Thang 11/2026", "2026-11"), ("T 11 - 2026", "2026-11"), ("11-2026", "2026-11"), ("tháng 11 2026", "2026-11"),
    ("2026-08", "2026-08"), ("2026-8", "2026-08"), ("8/2026", "2026-08"), ("08/2026", "2026-08"),
    ("T8/2026", "2026-08"),
    ("2026-Q3", "2026-Q3"), ("2026-q3", "2026-Q3"), ("2026 - Q3", "2026-Q3"), ("Quý 3/2026", "2026-Q3"),
    ("Quý III/2026", "2026-Q3"), ("quý III năm 2026", "2026-Q3"), ("Q3/2026", "2026-Q3"), ("Q3-2026", "2026-Q3"),
    ("q3 2026", "2026-Q3"), ("Qúy 3/2026", "2026-Q3"), ("Quy iii/2026", "2026-Q3"), ("QUÝ IV/2026", "2026-Q4"),
    ("Quý I năm 2026", "2026-Q1"), ("Quý II/2026", "2026-Q2"),
    ("2026", "2026"), ("Năm 2026", "2026"), ("năm 2026", "2026"), ("NĂM 2026", "2026"), (" 2026 ", "2026"),
    ("\u00a0Quý\u00a03 /\u00a02026", "2026-Q3"),
]


@pytest.mark.parametrize(("text", "code"), ACCEPTED)
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_accepted_forms_give_the_canonical_code(text, code, form):
    period = parse_period(unicodedata.normalize(form, text))
    assert period.code == code
    assert parse_period(period.code) == period


def test_the_period_carries_dates_and_a_vietnamese_label():
    assert parse_period("Quý III/2026") == ("quarter", date(2026, 7, 1), date(2026, 9, 30), "Quý III/2026")
    assert parse_period("T2/2028") == ("month", date(2028, 2, 1), date(2028, 2, 29), "Tháng 02/2028")
    assert parse_period("Năm 2026") == ("year", date(2026, 1, 1), date(2026, 12, 31), "Năm 2026")



REFUSED = [
    ("", f"Kỳ đánh giá trống: {HINT}."),
    ("   ", f"Kỳ đánh giá trống: {HINT}."),
    ("abc", f"Kỳ đánh giá “abc” không hợp lệ: {HINT}."),
    ("Q3/26", f"Kỳ đánh giá “Q3/26” không hợp lệ: {HINT}."),
    ("11 2026", f"Kỳ đánh giá “11 2026” không hợp lệ: {HINT}."),
    ("Quý IIII/2026", f"Kỳ đánh giá “Quý IIII/2026” không hợp lệ: {HINT}."),
    ("2026-Q5", f"Kỳ đánh giá “2026-Q5” không hợp lệ: quý phải từ 1 đến 4 (I–IV; {HINT})."),
    ("Quý 0/2026", f"Kỳ đánh giá “Quý 0/2026” không hợp lệ: quý phải từ 1 đến 4 (I–IV; {HINT})."),
    ("2026-13", f"Kỳ đánh giá “2026-13”: tháng phải từ 01 đến 12 ({HINT})."),
    ("T0/2026", f"Kỳ đánh giá “T0/2026”: tháng phải từ 01 đến 12 ({HINT})."),
    ("13/2026", f"Kỳ đánh giá “13/2026”: tháng phải từ 01 đến 12 ({HINT})."),
    ("1999", f"Kỳ đánh giá “1999”: năm phải trong khoảng {MIN_YEAR}–{MAX_YEAR} ({HINT})."),
    ("Quý 1/2101", f"Kỳ đánh giá “Quý 1/2101”: năm phải trong khoảng {MIN_YEAR}–{MAX_YEAR} ({HINT})."),
    ("٢٠٢٦", f"Kỳ đánh giá “٢٠٢٦” không hợp lệ: {HINT}."),  # Arabic-Indic digits are not read as 2026
    ("2026/Q3", f"Kỳ đánh giá “2026/Q3” không hợp lệ: {HINT}."),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refused_forms_say_why_in_vietnamese(text, message):
    with pytest.raises(ValueError) as caught:
        parse_period(text)
    assert str(caught.value) == message


def test_a_non_string_is_refused():
    with pytest.raises(ValueError, match="Kỳ đánh giá trống"):
        parse_period(None)


# ---------------------------------------------------------------- properties

MONTH_SPELLINGS = ["{y}-{m:02d}", "{y}-{m}", "{m}/{y}", "{m:02d}/{y}", "T{m}/{y}", "t{m:02d}/{y}", "Tháng {m}/{y}",
                   "tháng {m} năm {y}", "Tháng {m:02d}-{y}"]
QUARTER_SPELLINGS = ["{y}-Q{q}", "{y}-q{q}", "Quý {q}/{y}", "Quý {r}/{y}", "quý {r} năm {y}", "Q{q}/{y}", "Q{q}-{y}",
                     "QUÝ {r} NĂM {y}"]
YEAR_SPELLINGS = ["{y}", "Năm {y}", "năm {y}"]


def _messy(text: str, form: str, upper: bool) -> str:
    """The same spelling as people type it: NFC or NFD, maybe in capitals, with extra spaces."""
    text = text.upper() if upper else text
    return unicodedata.normalize(form, f"  {text.replace(' ', '   ')} ")


years = st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR)
forms = st.sampled_from(["NFC", "NFD"])


@settings(max_examples=200)
@given(years, st.integers(min_value=1, max_value=12), st.sampled_from(MONTH_SPELLINGS), forms, st.booleans())
def test_every_month_spelling_round_trips(year, month, spelling, form, upper):
    period = parse_period(_messy(spelling.format(y=year, m=month), form, upper))
    assert period == month_period(year, month)
    assert parse_period(period.code) == period and period.code == f"{year}-{month:02d}"


@settings(max_examples=200)
@given(years, st.integers(min_value=1, max_value=4), st.sampled_from(QUARTER_SPELLINGS), forms, st.booleans())
def test_every_quarter_spelling_round_trips(year, quarter, spelling, form, upper):
    period = parse_period(_messy(spelling.format(y=year, q=quarter, r=ROMAN[quarter]), form, upper))
    assert period == quarter_period(year, quarter)
    assert parse_period(period.code) == period and period.code == f"{year}-Q{quarter}"


@settings(max_examples=200)
@given(years, st.sampled_from(YEAR_SPELLINGS), forms, st.booleans())
def test_every_year_spelling_round_trips(year, spelling, form, upper):
    period = parse_period(_messy(spelling.format(y=year), form, upper))
    assert period == year_period(year) and period.code == str(year)


@settings(max_examples=200)
@given(st.text())
def test_arbitrary_text_gives_a_period_or_a_value_error(text):
    try:
        period = parse_period(text)
    except ValueError as exc:
        assert str(exc).startswith("Kỳ đánh giá")
    else:
        assert parse_period(period.code) == period


@settings(max_examples=200)
@given(st.text(alphabet="0123456789QqTt/- IVivNămThángQuý", max_size=16))
def test_period_like_text_gives_a_period_or_a_value_error(text):
    try:
        period = parse_period(text)
    except ValueError as exc:
        assert str(exc).startswith("Kỳ đánh giá")
    else:
        assert MIN_YEAR <= period.start_date.year <= MAX_YEAR
