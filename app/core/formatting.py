"""Number and date formatting for templates, in the page's language.

Vietnamese (the default): 1.234,50 and 05/07/2022 (14:30). English: 1,234.50 and 5 Jul 2022 (14:30). The Python
helpers vn_number / vn_date always write Vietnamese (exports, the official PDFs, messages built in Vietnamese); the
Jinja filters `vn_number` / `vn_date` follow the request's language (and force_locale, which the PDFs use)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from app.core.time import to_vn

EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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


def en_number(value, digits: int = 2) -> str:
    """1234.5 → "1,234.50"; None → "–"."""
    if value is None:
        return "–"
    return f"{Decimal(str(value)):,.{digits}f}"


def en_date(value) -> str:
    """3 Dec 2026, or 3 Dec 2026 14:30 (Vietnam time) for a moment: day first and the month in letters, never
    ambiguous between British and American readers."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = to_vn(value)
        return f"{moment.day} {EN_MONTHS[moment.month - 1]} {moment.year} {moment:%H:%M}"
    if isinstance(value, date):
        return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"
    return str(value)


def local_number(value, digits: int = 2, locale: str | None = None) -> str:
    return (en_number if (locale or _locale()) == "en" else vn_number)(value, digits)


def local_date(value, locale: str | None = None) -> str:
    return (en_date if (locale or _locale()) == "en" else vn_date)(value)


def _locale() -> str:
    """The request's language; outside a request (e-mails, the scheduler, the CLI) Vietnamese."""
    from flask import has_request_context

    if not has_request_context():
        return "vi"
    from app.core.i18n import current_locale

    return current_locale()


FILTERS = {"vn_number": local_number, "vn_date": local_date}
