"""Numbers as Vietnamese offices type them: dot thousands separator, decimal comma ("1.234,5").

Unambiguous spellings are read; ambiguous ones ("2.752" where a fraction is possible, "1,234" where only a
whole number is) and English spellings ("1,234.5") are refused with a Vietnamese sentence, never guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_INTEGER_DIGITS = 15  # the score columns are Numeric(18, 2)
SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
VN_FORM = "dấu chấm phân cách hàng nghìn, dấu phẩy thập phân"

_ALLOWED = re.compile(rf"[0-9.,{SPACES}]+")
_SHAPE = re.compile(rf"[0-9]+(?:[.,{SPACES}][0-9]+)*")
_SPLIT = re.compile(rf"([.,{SPACES}])")
_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


class NumberError(ValueError):
    """A value that is not a number, or not one that can be read without guessing; str() is the Vietnamese text."""


def in_words(n: int) -> str:
    """Vietnamese words of 0 ≤ n < 1 000 000 (2752 → "hai nghìn bảy trăm năm mươi hai")."""
    if not 0 <= n < 1_000_000:
        raise ValueError(n)
    if n == 0:
        return "không"
    thousands, rest = divmod(n, 1000)
    if not thousands:
        return _triple(rest, full=False)
    words = f"{_triple(thousands, full=False)} nghìn"
    return f"{words} {_triple(rest, full=True)}" if rest else words


def _triple(n: int, *, full: bool) -> str:
    """Words of 1–999; `full` reads the hundreds even when zero ("không trăm linh năm"), as after "nghìn"."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words = [f"{_DIGITS[hundreds]} trăm"] if hundreds or full else []
    if tens == 0:
        if units:
            words.append(f"linh {_DIGITS[units]}" if words else _DIGITS[units])
    elif tens == 1:
        words.append("mười" + {0: "", 5: " lăm"}.get(units, f" {_DIGITS[units]}"))
    else:
        words.append(f"{_DIGITS[tens]} mươi" + {0: "", 1: " mốt", 4: " tư", 5: " lăm"}.get(units, f" {_DIGITS[units]}"))
    return " ".join(words)


def _shown(text: str) -> str:
    """The value as quoted back to the user (long junk shortened)."""
    return text if len(text) <= 40 else text[:39] + "…"


def _grouped(groups: list[str]) -> bool:
    """Whether digit groups are a thousands grouping: 1–3 digits (no leading zero), then groups of exactly 3."""
    first, rest = groups[0], groups[1:]
    return 1 <= len(first) <= 3 and first[0] != "0" and all(len(g) == 3 for g in rest)


def _thousands_candidate(head: str, tail: str) -> bool:
    """Whether "head<sep>tail" with one separator could be a thousands grouping (2.752, 12,000)."""
    return len(tail) == 3 and _grouped([head, tail])


def checked_number(value: Decimal | int | float, *, whole: bool = False, shown: str | None = None) -> Decimal:
    """A number already typed as such (an Excel cell): finite, at most 15 integer digits, whole when asked."""
    text = _shown(shown if shown is not None else str(value))
    if isinstance(value, bool):
        raise NumberError(f"«{text}» không phải là số.")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise NumberError(f"«{text}» không phải là số.") from None
    if not number.is_finite():
        raise NumberError(f"«{text}» không phải là số hữu hạn.")
    if number != 0 and number.adjusted() >= MAX_INTEGER_DIGITS:
        raise NumberError(f"«{text}» quá lớn: phần nguyên tối đa {MAX_INTEGER_DIGITS} chữ số.")
    if whole:
        if number != number.to_integral_value():
            raise NumberError(f"«{text}» phải là số nguyên (số đếm không có phần thập phân).")
        number = number.quantize(Decimal(1))
    if number.is_zero() and number.is_signed():
        number = number.copy_abs()
    return number


def parse_vn_number(text: str, *, whole: bool = False) -> Decimal:
    """Read "1.234,5", "8,81", "85.6", "2.752" (whole only), "85,6%" (the % is dropped); NumberError otherwise."""
    if not isinstance(text, str):
        raise NumberError(f"«{text}» không phải là số.")
    shown = _shown(text.strip())
    body = text.strip()
    if body.endswith("%"):
        body = body[:-1].rstrip()
    sign = ""
    if body.startswith("-"):
        sign, body = "-", body[1:]
    if not _SHAPE.fullmatch(body):
        if body and _ALLOWED.fullmatch(body) and any(c.isdigit() for c in body):
            raise NumberError(f"«{shown}» không phải là số viết đúng cách: dùng {VN_FORM} (ví dụ 1.234,5).")
        raise NumberError(f"«{shown}» không phải là số.")
    parts = _SPLIT.split(body)
    groups = parts[0::2]
    seps = [" " if s in SPACES else s for s in parts[1::2]]
    integer, fraction = _read(shown, groups, seps, whole)
    if len(integer.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise NumberError(f"«{shown}» quá lớn: phần nguyên tối đa {MAX_INTEGER_DIGITS} chữ số.")
    number = Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    return checked_number(number, whole=whole, shown=shown)


def _read(shown: str, groups: list[str], seps: list[str], whole: bool) -> tuple[str, str]:
    """Integer and fraction digits of a number split into digit groups and separators (".", ",", " ")."""
    if not seps:
        return groups[0], ""
    commas, dots, spaces = seps.count(","), seps.count("."), seps.count(" ")
    malformed = NumberError(f"«{shown}» không phải là số viết đúng cách: dùng {VN_FORM} (ví dụ 1.234,5).")
    bad_grouping = NumberError(f"«{shown}» sai cách nhóm chữ số: nhóm đầu 1–3 chữ số, sau mỗi dấu "
                               "phân cách hàng nghìn đúng 3 chữ số (ví dụ 1.234.567).")
    if commas == 0 and (dots == 0 or spaces == 0):  # 1 234 567, 1.234.567 (one dot: see below)
        if dots == 1:
            return _single_dot(shown, groups, whole)
        if not _grouped(groups):
            raise bad_grouping
        return "".join(groups), ""
    if dots and spaces:
        raise malformed
    if commas == 1 and seps[-1] == ",":  # decimal comma, after "." or " " grouping or none
        head = groups[:-1]
        if len(head) > 1 and not _grouped(head):
            raise bad_grouping
        if whole and len(seps) == 1 and _thousands_candidate(groups[0], groups[1]):
            a, b = groups
            raise NumberError(f"«{shown}» không rõ là {in_words(int(a + b))} (kiểu viết tiếng Anh) hay {a},{b} "
                              f"(dấu phẩy thập phân): số đếm phải là số nguyên, viết {a}{b} hoặc {a}.{b}.")
        return "".join(head), groups[-1]
    english_decimal = seps[-1] == "." and dots == 1 and set(seps[:-1]) == {","}  # 1,234.5
    english_whole = commas > 1 and set(seps) == {","}  # 1,234,567
    if english_decimal or english_whole:
        head = groups[:-1] if english_decimal else groups
        if not _grouped(head):
            raise malformed
        example = f"{'.'.join(head)},{groups[-1]}" if english_decimal else ".".join(head)
        raise NumberError(f"«{shown}» viết theo kiểu tiếng Anh (dấu phẩy phân cách hàng nghìn): hãy viết kiểu "
                          f"Việt Nam, {VN_FORM} (ví dụ {example}).")
    raise malformed


def _single_dot(shown: str, groups: list[str], whole: bool) -> tuple[str, str]:
    """One dot and nothing else: a decimal point unless followed by exactly 3 digits (then whole numbers only)."""
    a, b = groups
    if not _thousands_candidate(a, b):
        return a, b  # 85.6, 8.81, 0.856, 1234.567: a decimal point, nothing else is possible
    if whole:
        return a + b, ""
    raise NumberError(f"«{shown}» không rõ là {in_words(int(a + b))} hay {a},{b}: viết {a}{b} hoặc {a},{b}.")
