"""The dossiers behind a count sort in SQL (whitelisted columns), page after page, and export in the same order."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.org.services import find_unit_by_code


@pytest.mark.parametrize(("key", "column"), [("code", 0), ("procedure", 1), ("received", 5), ("due", 6),
                                             ("ended", 7)])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sorted_list_and_export(november, client, auth, clock, key, column, direction):
    auth.login("hungdv")
    path = f"/dossiers/?unit={find_unit_by_code('NS').id}&period=2026-11&bucket=received&sort={key}&dir={direction}"
    page = client.get(path).get_data(as_text=True)
    assert f'aria-sort="{"ascending" if direction == "asc" else "descending"}"' in page
    assert f"sort={key}&amp;dir={direction}&amp;format=xlsx" in page
    ws = load_workbook(BytesIO(client.get(path + "&format=xlsx").data)).active
    values = [r[column] for r in ws.iter_rows(min_row=3, values_only=True)]
    present = [v for v in values if v is not None]
    assert len(present) > 1 and present == sorted(present, reverse=direction == "desc")
    assert values[len(present):] == [None] * (len(values) - len(present))  # empty values last
    codes = [r[0] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert [page.index(f">{c}</a>") for c in codes] == sorted(page.index(f">{c}</a>") for c in codes)


def test_unknown_sort_keeps_the_default_order(november, client, auth, clock):
    auth.login("hungdv")
    base = f"/dossiers/?unit={find_unit_by_code('NS').id}&period=2026-11&bucket=received"
    plain = client.get(base + "&format=xlsx").data
    odd = client.get(base + "&sort=handling_unit_id);--&dir=up&format=xlsx").data
    rows = [list(load_workbook(BytesIO(b)).active.iter_rows(min_row=3, values_only=True)) for b in (plain, odd)]
    assert rows[0] == rows[1]
