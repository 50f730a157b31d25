"""Vietnamese number and date formatting for templates (e.g. 15,70 and 05/07/2022)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from app.core.time import to_vn


def vn_number(value, digits: int = 2) -> str:
    """1234.5 → "1.234,50"; None → "–"."""
    if value is None:
        return "–"
    text = f"{Decimal(str(value)):,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_vn(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


FILTERS = {"vn_number": vn_number, "vn_date": vn_date}
