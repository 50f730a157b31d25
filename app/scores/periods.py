"""Scoring periods: month "2026-08", quarter "2026-Q3", year "2026" (also typed as "T8/2026", "Quý III/2026")."""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date
from typing import NamedTuple

from app.core.i18n import N_
from app.core.i18n import request_gettext as gettext

MIN_YEAR = 2000
MAX_YEAR = 2100
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

HINT = N_("cần dạng 11/2026, T11/2026 hoặc Tháng 11/2026 (tháng); Quý 3/2026 hoặc Q3/2026 (quý); 2026 (năm)")

# Matched against the text folded by _fold: lower case, no diacritics, single spaces, none around "/" and "-".
_SEP = r"(?:/|-| nam | )"
_YEAR = re.compile(r"(?:nam ?)?([0-9]{4})")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
_ISO_QUARTER = re.compile(r"([0-9]{4})-q([0-9]{1,2})")
_MONTH = re.compile(rf"(?:(?:thang|t) ?([0-9]{{1,2}}){_SEP}|([0-9]{{1,2}})[/-])([0-9]{{4}})")
_QUARTER = re.compile(rf"(?:quy|q) ?([0-9]{{1,2}}|iv|i{{1,3}}){_SEP}([0-9]{{4}})")
_ROMAN_VALUE = {v.lower(): k for k, v in ROMAN.items()}


class Period(NamedTuple):
    """A parsed period: kind ("month" / "quarter" / "year"), first day, last day, Vietnamese label (pages show it in
    their language with the `period_name` filter, app.core.i18n)."""

    kind: str
    start_date: date
    end_date: date
    label: str

    @property
    def code(self) -> str:
        """Canonical text of the period ("2026-08", "2026-Q3", "2026")."""
        if self.kind == "month":
            return f"{self.start_date.year}-{self.start_date.month:02d}"
        if self.kind == "quarter":
            return f"{self.start_date.year}-Q{(self.start_date.month - 1) // 3 + 1}"
        return str(self.start_date.year)


def _hint() -> str:
    return gettext(HINT)


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(gettext("Kỳ đánh giá “%(typed)s”: năm phải trong khoảng %(low)s–%(high)s (%(hint)s).",
                                 typed=text, low=MIN_YEAR, high=MAX_YEAR, hint=_hint()))


def month_period(year: int, month: int) -> Period:
    """The period of one month."""
    last = calendar.monthrange(year, month)[1]
    return Period("month", date(year, month, 1), date(year, month, last), f"Tháng {month:02d}/{year}")


def quarter_period(year: int, quarter: int) -> Period:
    """The period of one quarter (1–4)."""
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    last = calendar.monthrange(year, last_month)[1]
    return Period(
        "quarter", date(year, first_month, 1), date(year, last_month, last), f"Quý {ROMAN[quarter]}/{year}"
    )


def year_period(year: int) -> Period:
    """The period of one calendar year."""
    return Period("year", date(year, 1, 1), date(year, 12, 31), f"Năm {year}")


def _fold(text: str) -> str:
    """Lower case without diacritics (NFC or NFD input), single spaces, none around "/" and "-"."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ?([/-]) ?", r"\1", text)


def _month(year: int, month: int, raw: str) -> Period:
    """The month period, with the year and month checked."""
    _check_year(year, raw)
    if not 1 <= month <= 12:
        raise ValueError(gettext("Kỳ đánh giá “%(typed)s”: tháng phải từ 01 đến 12 (%(hint)s).", typed=raw, hint=_hint()))
    return month_period(year, month)


def _quarter(year: int, quarter: str, raw: str) -> Period:
    """The quarter period ("3" or "III"), with the year and quarter checked."""
    _check_year(year, raw)
    number = _ROMAN_VALUE.get(quarter) or int(quarter)
    if not 1 <= number <= 4:
        raise ValueError(gettext("Kỳ đánh giá “%(typed)s” không hợp lệ: quý phải từ 1 đến 4 (I–IV; %(hint)s).", typed=raw,
                                 hint=_hint()))
    return quarter_period(year, number)


def parse_period(text: str) -> Period:
    """Parse "2026-Q3", "Quý III/2026", "2026-08", "T8/2026", "2026", "Năm 2026"… into a Period; ValueError otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(gettext("Kỳ đánh giá trống: %(hint)s.", hint=_hint()))
    raw = text.strip()
    folded = _fold(raw)
    if m := _YEAR.fullmatch(folded):
        year = int(m.group(1))
        _check_year(year, raw)
        return year_period(year)
    if m := _ISO_QUARTER.fullmatch(folded):
        return _quarter(int(m.group(1)), m.group(2), raw)
    if m := _QUARTER.fullmatch(folded):
        return _quarter(int(m.group(2)), m.group(1), raw)
    if m := _ISO_MONTH.fullmatch(folded):
        return _month(int(m.group(1)), int(m.group(2)), raw)
    if m := _MONTH.fullmatch(folded):
        return _month(int(m.group(3)), int(m.group(1) or m.group(2)), raw)
    raise ValueError(gettext("Kỳ đánh giá “%(typed)s” không hợp lệ: %(hint)s.", typed=raw, hint=_hint()))


def period_from_request(params: dict) -> Period | None:
    """Period from portal request parameters (timeType/year/quarter/month or fromDate/toDate), if any."""
    try:
        time_type = params.get("timeType")
        year = params.get("year")
        if time_type in ("month", "quarter", "year") and year is not None:
            year = int(year)
            _check_year(year, str(year))
            if time_type == "year":
                return year_period(year)
            if time_type == "quarter":
                quarter = int(params["quarter"])
                return quarter_period(year, quarter) if 1 <= quarter <= 4 else None
            month = int(params["month"])
            return month_period(year, month) if 1 <= month <= 12 else None
        start, end = params.get("fromDate"), params.get("toDate")
        if isinstance(start, str) and isinstance(end, str):
            first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
            for candidate in _candidates(first.year):
                if candidate.start_date == first and candidate.end_date == last:
                    return candidate
    except (KeyError, TypeError, ValueError):
        return None
    return None


def period_in_response(obj: dict) -> Period | None:
    """Period stated inside a saved response (request parameters kept with it), if any."""
    data = obj.get("data")
    for params in (obj.get("payload"), obj.get("params"), obj.get("request"), data, obj):
        if isinstance(params, dict) and (found := period_from_request(params)):
            return found
    return None


def _candidates(year: int) -> list[Period]:
    _check_year(year, str(year))
    return (
        [month_period(year, m) for m in range(1, 13)]
        + [quarter_period(year, q) for q in range(1, 5)]
        + [year_period(year)]
    )


def suggestions(today: date, kinds: tuple[str, ...] = ("month", "quarter", "year"), *, months: int = 12,
                quarters: int = 6, years: int = 3) -> list[Period]:
    """Recent periods, newest first, offered where a period is typed (a <datalist>: picked or typed, any spelling
    parse_period reads is still accepted): the running one and those before it."""
    out: list[Period] = []
    if "month" in kinds:
        y, m = today.year, today.month
        for _ in range(months):
            out.append(month_period(y, m))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    if "quarter" in kinds:
        y, q = today.year, (today.month - 1) // 3 + 1
        for _ in range(quarters):
            out.append(quarter_period(y, q))
            y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    if "year" in kinds:
        out += [year_period(today.year - i) for i in range(years)]
    return out
