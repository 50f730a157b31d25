"""Numbers and dates in the page's language: Vietnamese "1.234,50" and 05/07/2022 (unchanged), English "1,234.50"
and 5 Jul 2022; the Jinja filters follow the request, the Python helpers for exports and PDFs stay Vietnamese."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale

from app.core.formatting import en_date, en_number, local_date, local_number, vn_date, vn_number

NUMBERS = [
    # (value, digits, Vietnamese, English)
    (1234.5, 2, "1.234,50", "1,234.50"),
    (Decimal("1063"), 0, "1.063", "1,063"),
    (0, 2, "0,00", "0.00"),
    (-1234567.891, 1, "-1.234.567,9", "-1,234,567.9"),
    (Decimal("15.7"), 2, "15,70", "15.70"),
    (None, 2, "–", "–"),
]
DATES = [
    # (value, Vietnamese, English); moments are shown in Vietnam time (UTC+7)
    (date(2026, 12, 3), "03/12/2026", "3 Dec 2026"),
    (date(2022, 7, 5), "05/07/2022", "5 Jul 2022"),
    (datetime(2026, 11, 15, 3, 0, tzinfo=UTC), "15/11/2026 10:00", "15 Nov 2026 10:00"),
    (datetime(2026, 12, 31, 20, 5, tzinfo=UTC), "01/01/2027 03:05", "1 Jan 2027 03:05"),
    (None, "", ""),
]


@pytest.mark.parametrize(("value", "digits", "vi", "en"), NUMBERS)
def test_numbers_per_language(value, digits, vi, en):
    assert vn_number(value, digits) == vi == local_number(value, digits, locale="vi")
    assert en_number(value, digits) == en == local_number(value, digits, locale="en")


@pytest.mark.parametrize(("value", "vi", "en"), DATES)
def test_dates_per_language(value, vi, en):
    assert vn_date(value) == vi == local_date(value, locale="vi")
    assert en_date(value) == en == local_date(value, locale="en")


@pytest.mark.parametrize(("locale", "expected"), [("vi", "1.234,50 · 03/12/2026"), ("en", "1,234.50 · 3 Dec 2026")])
def test_the_template_filters_follow_the_request_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        text = render_template_string("{{ 1234.5|vn_number }} · {{ day|vn_date }}", day=date(2026, 12, 3))
    assert text == expected


def test_outside_a_request_the_filters_write_vietnamese(app):
    assert local_number(1234.5) == "1.234,50" and local_date(date(2026, 12, 3)) == "03/12/2026"


@pytest.mark.parametrize(("locale", "expected"), [("vi", "Tháng 11/2026"), ("en", "Month 11/2026")])
def test_period_names_per_language(app, locale, expected):
    from app.core.i18n import period_name
    from app.scores.periods import month_period

    with app.test_request_context(), force_locale(locale):
        assert period_name(month_period(2026, 11)) == expected
