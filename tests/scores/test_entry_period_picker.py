"""The manual entry page: the period is picked (finished months, quarters, years), typed spellings still read,
numeric keyboards, and the saved message in Vietnamese numbers."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.indicators.models import Indicator
from app.org.services import find_unit_by_code
from app.scores import manual


def progress(db):
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))


@pytest.mark.parametrize(("today", "first", "last_quarter", "year"), [
    (date(2026, 11, 15), "2026-10", "2026-Q3", "2025"),
    (date(2026, 1, 1), "2025-12", "2025-Q4", "2025"),
    (date(2026, 4, 30), "2026-03", "2026-Q1", "2025"),
])
def test_only_finished_periods_are_offered(today, first, last_quarter, year):
    groups = manual.entry_periods(today)
    assert groups["month"][0].code == first and len(groups["month"]) == 24
    assert groups["quarter"][0].code == last_quarter and len(groups["quarter"]) == 8
    assert groups["year"][0].code == year
    assert all(p.end_date < today for periods in groups.values() for p in periods)


@pytest.mark.parametrize(("asked", "selected"), [
    ("10/2026", "2026-10"),
    ("T10/2026", "2026-10"),
    ("Quý 3/2026", "2026-Q3"),
    ("11/2020", "2020-11"),   # older than the list: offered on top of its kind, chosen
])
def test_the_page_shows_a_picker_with_the_typed_period_chosen(scored, db, client, auth, clock, asked, selected):
    auth.login("yenntk")
    ns = find_unit_by_code("NS")
    page = client.get(f"/scores/entry?unit={ns.id}&indicator={progress(db).id}&period={asked}").get_data(as_text=True)
    assert '<select id="period" name="period"' in page
    assert f'<option value="{selected}" selected>' in page
    assert '<optgroup label="Quý">' in page and ">Quý 3/2026</option>" in page and ">Tháng 10/2026</option>" in page
    assert page.count('inputmode="numeric"') >= 2  # numerator and denominator


def test_a_typed_period_is_saved_and_reported_with_vietnamese_numbers(scored, db, client, auth, clock):
    auth.login("yenntk")
    ns = find_unit_by_code("NS")
    response = client.post(f"/scores/entry?unit={ns.id}", data={
        "indicator_id": progress(db).id, "period": "T10/2026", "numerator": "30", "denominator": "40", "note": ""},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "kỳ Tháng 10/2026: 15,00 / 20,00 điểm." in page


def test_a_bad_period_names_the_accepted_forms(scored, db, client, auth, clock):
    auth.login("yenntk")
    ns = find_unit_by_code("NS")
    response = client.post(f"/scores/entry?unit={ns.id}", data={
        "indicator_id": progress(db).id, "period": "tháng mười", "numerator": "1", "denominator": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "T11/2026" in page and "Quý 3/2026" in page
    assert '<option value="tháng mười" selected>' in page  # what was typed stays in view beside its error
