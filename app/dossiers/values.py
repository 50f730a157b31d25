"""The values of a dossier row: codes and texts, dates and times (Vietnam time, read as aware UTC), whole numbers,
1/0 flags, channels and statuses; ValueProblem says in Vietnamese why a cell cannot be read."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from app.core.tabular import normalise_header
from app.core.time import VN_TZ
from app.dossiers.models import CHANNELS, STATUSES

YEARS = (1990, 2100)
DATE_FORMS = "viết 30/09/2026, 30/09/2026 14:05 hoặc 2026-09-30T14:05:00+07:00"

STATUS_KEYS = {normalise_header(name): code for code, name in STATUSES.items()} | {
    normalise_header(code): code for code in STATUSES}
CHANNEL_KEYS = {str(n): n for n in CHANNELS} | {normalise_header(name): n for n, name in CHANNELS.items()}
FLAG_KEYS = {"1": True, "0": False, "co": True, "khong": False, "true": True, "false": False}


class ValueProblem(ValueError):
    """A cell that cannot be read; str() is the Vietnamese reason."""


def shown_value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text if len(text) <= 60 else text[:59] + "…"


def text_of(value: Any) -> str:
    """A code or name cell as text (an XLSX number 4.0 reads "4")."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?"
                  r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?", re.IGNORECASE)
_VN = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?", re.IGNORECASE)
_VN_TIME_FIRST = re.compile(r"(\d{1,2})[:hg](\d{2})(?::(\d{2}))?,?\s+(?:ngày\s+)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})",
                            re.IGNORECASE)


_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_CACHE_SIZE = 4_096
_moments: dict[tuple[str, bool], datetime] = {}


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 14 or minutes > 59:
        raise ValueProblem(f"«{text}» không phải múi giờ hợp lệ.")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _moment(shown: str, y: int, m: int, d: int, hh: int | None, mm: int | None, ss: int | None, us: int = 0,
            zone: timezone | None = None, *, due: bool) -> datetime:
    if not 1 <= m <= 12:
        raise ValueProblem(f"«{shown}» không đúng: không có tháng {m} (ngày viết theo thứ tự ngày/tháng/năm, ví dụ 30/09/2026).")
    if not YEARS[0] <= y <= YEARS[1]:
        raise ValueProblem(f"«{shown}» không đúng: năm {y} nằm ngoài khoảng hợp lý ({YEARS[0]}–{YEARS[1]}).")
    if not 1 <= d <= (_DAYS[m] if m != 2 else 29 if calendar.isleap(y) else 28):
        raise ValueProblem(f"«{shown}» không đúng: tháng {m}/{y} không có ngày {d}.")
    if hh is None:  # a date alone: the start of that day, or its end for a due date (due that day = on time)
        hh, mm, ss = (23, 59, 59) if due else (0, 0, 0)
    if hh > 23 or (mm or 0) > 59 or (ss or 0) > 59:
        raise ValueProblem(f"«{shown}» không đúng: giờ phải từ 00:00 đến 23:59.")
    return datetime(y, m, d, hh, mm or 0, ss or 0, us, tzinfo=zone or VN_TZ).astimezone(UTC)


def parse_moment(value: Any, *, due: bool = False) -> datetime:
    """A date and time as aware UTC: ISO 8601 or Vietnamese 30/09/2026 [14:05], an Excel date cell; a time without
    a zone is Vietnam time. A date alone is 00:00, or 23:59:59 for a due date (`due`). ValueProblem otherwise."""
    if isinstance(value, datetime):  # an Excel date-time cell: Vietnam time, to the second
        moment = value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value
        if moment.microsecond:
            moment = (moment + timedelta(microseconds=500_000)).replace(microsecond=0)
        return _moment(shown_value(value), moment.year, moment.month, moment.day, moment.hour, moment.minute,
                       moment.second, zone=moment.tzinfo, due=due)
    if isinstance(value, date):  # an Excel date cell without a time
        return _moment(shown_value(value), value.year, value.month, value.day, None, None, None, due=due)
    if isinstance(value, time):
        raise ValueProblem(f"Ô chỉ có giờ «{value}», thiếu ngày: {DATE_FORMS}.")
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueProblem(f"«{shown_value(value)}» là số, không phải ngày: {DATE_FORMS} (trong Excel: định dạng ô là "
                           "Date).")
    if value.__class__ is str and (moment := _quick(value, due)) is not None:
        return moment
    key = (value, due)
    moment = _moments.get(key)
    if moment is None:  # the same dates repeat over many rows (due dates above all): remember the last few
        if len(_moments) >= _CACHE_SIZE:
            _moments.clear()
        moment = _moments[key] = _parsetext_of(value.strip(), due)
    return moment


def parse_due(value: Any) -> datetime:
    """A due date: a date alone means the end of that day."""
    return parse_moment(value, due=True)


_FROM_VN = timedelta(hours=7)  # VN_TZ: Vietnam time has been UTC+7 throughout YEARS


def _quick(text: str, due: bool) -> datetime | None:
    """The forms files and the API mostly send, read by position (no regular expression): "30/09/2026 14:05",
    "30/09/2026" and "2026-09-30T14:05:00+07:00", ASCII digits only. None for anything else, and for any value out
    of range: the full reading (`_parsetext_of`) then accepts it or names the problem, as it always did."""
    n = len(text)
    if n == 16 or n == 10:  # dd/mm/yyyy[ hh:mm]
        if text[2] != "/" or text[5] != "/":
            return None
        if n == 16:
            if text[10] != " " or text[13] != ":":
                return None
            digits = text[:2] + text[3:5] + text[6:10] + text[11:13] + text[14:]
        else:
            digits = text[:2] + text[3:5] + text[6:]
        if not (digits.isdigit() and digits.isascii()):
            return None
        d, m, y = int(digits[:2]), int(digits[2:4]), int(digits[4:8])
        if n == 16:
            hh, mi, ss = int(digits[8:10]), int(digits[10:]), 0
        else:
            hh, mi, ss = (23, 59, 59) if due else (0, 0, 0)
    elif n == 25 and text[19:] == "+07:00":  # yyyy-mm-ddThh:mm:ss+07:00
        if text[4] != "-" or text[7] != "-" or text[10] not in "T " or text[13] != ":" or text[16] != ":":
            return None
        digits = text[:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]
        if not (digits.isdigit() and digits.isascii()):
            return None
        y, m, d = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
        hh, mi, ss = int(digits[8:10]), int(digits[10:12]), int(digits[12:])
    else:
        return None
    if not (1 <= m <= 12 and YEARS[0] <= y <= YEARS[1] and hh <= 23 and mi <= 59 and ss <= 59 and d >= 1 and (
            d <= 28 or d <= (_DAYS[m] if m != 2 else 29 if calendar.isleap(y) else 28))):
        return None
    return datetime(y, m, d, hh, mi, ss, tzinfo=UTC) - _FROM_VN


def _parsetext_of(text: str, due: bool) -> datetime:
    if match := _ISO.fullmatch(text):
        y, m, d, hh, mi, ss, frac, zone = match.groups()
        return _moment(text, int(y), int(m), int(d), _int(hh), _int(mi), _int(ss), int((frac or "0").ljust(6, "0")),
                       _zone(zone), due=due)
    if match := _VN.fullmatch(text):
        d, m, y, hh, mi, ss = match.groups()
        return _moment(text, int(y), int(m), int(d), _int(hh), _int(mi), _int(ss), due=due)
    if match := _VN_TIME_FIRST.fullmatch(text):
        hh, mi, ss, d, m, y = match.groups()
        return _moment(text, int(y), int(m), int(d), int(hh), int(mi), _int(ss), due=due)
    raise ValueProblem(f"«{shown_value(text)}» không phải ngày giờ: {DATE_FORMS}.")


def _int(text: str | None) -> int | None:
    return int(text) if text is not None else None


_WHOLE = re.compile(r"[+-]?\d{1,9}")


def parse_whole(value: Any) -> int:
    """A whole number typed as such: 2, "2", 2.0 (an Excel cell); ValueProblem otherwise."""
    if isinstance(value, bool):
        raise ValueProblem(f"«{value}» không phải số nguyên.")
    if value.__class__ is str and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = text_of(value)
    if _WHOLE.fullmatch(text):
        return int(text)
    raise ValueProblem(f"«{shown_value(value)}» không phải số nguyên.")


def parse_flag(value: Any) -> bool:
    """1/0 (also có/không, true/false)."""
    if value in ("1", "0") or value.__class__ in (bool, int, float) and value in (0, 1):
        return bool(int(value))
    key = normalise_header(text_of(value))
    if key in FLAG_KEYS:
        return FLAG_KEYS[key]
    raise ValueProblem(f"«{shown_value(value)}» không hợp lệ: ghi 1 (có) hoặc 0 (không).")


def parse_channel(value: Any) -> int:
    if value in ("1", "2", "3") or value.__class__ in (int, float) and value in (1, 2, 3):
        return int(value)
    key = normalise_header(text_of(value))
    if key in CHANNEL_KEYS:
        return CHANNEL_KEYS[key]
    raise ValueProblem(f"«{shown_value(value)}» không hợp lệ: KenhThucHien ghi 1 (trực tiếp), 2 (trực tuyến) hoặc 3 (bưu "
                       "chính công ích).")


_status_cache: dict[str, str | None] = {}


def parse_status(value: Any) -> str | None:
    """A status code from its Vietnamese name (without case or diacritics) or its code; None when unknown."""
    text = text_of(value)
    if text not in _status_cache:
        if len(_status_cache) > 1_000:
            _status_cache.clear()
        _status_cache[text] = STATUS_KEYS.get(normalise_header(text))
    return _status_cache[text]
