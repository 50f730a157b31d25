"""The assignment pages in English (issue 14, part 9): messages with their dates in the reader's language, the team
named in English on the pages, and the official plan's table still in Vietnamese whatever the reader's language."""

from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale

from app.assignments.models import Assignment
from tests.assignments.test_reassign_views import current, form


def _english(client, auth, username):
    auth.login(username)
    client.post("/language", data={"locale": "en"})


def test_the_table_date_stays_typed_day_first_in_english(demo, client, auth, clock):
    _english(client, auth, "hungdv")
    page = client.get("/assignments/?on=01/06/2024").get_data(as_text=True)
    # the field keeps dd/mm/yyyy (what the server reads); the text around it is English
    assert 'name="on" value="01/06/2024"' in page and "Assignments in force on 1 Jun 2024" in page
    assert ">Hand over</a>" in page and "Members of Bộ phận Tiếp nhận và trả kết quả của huyện" in page


def test_a_refused_reassignment_speaks_english_with_english_dates(demo, db, client, auth, clock):
    _english(client, auth, "hungdv")
    a = current(db, "V")
    page = client.post(f"/assignments/{a.id}/reassign", data=form(a, effective_from="01/10/2026")).get_data(
        as_text=True)
    assert "The effective date (1 Oct 2026) cannot be before today (15 Nov 2026)" in page


def test_a_saved_reassignment_is_flashed_in_english(demo, db, client, auth, clock):
    _english(client, auth, "hungdv")
    a = current(db, "V")
    response = client.post(f"/assignments/{a.id}/reassign", data=form(a), follow_redirects=True)
    assert "from 1 Dec 2026." in response.get_data(as_text=True)


def test_the_official_plan_names_the_team_in_vietnamese_for_an_english_reader(demo, db):
    from app.reports.content import plan_rows

    team = db.session.scalar(sa.select(Assignment).where(Assignment.team_unit_id.is_not(None),
                                                         Assignment.effective_to.is_(None)).order_by(Assignment.id))
    with demo.test_request_context(), force_locale("en"):
        assert team.team_text == f"Members of {team.team_unit.name}"
        rows = plan_rows(team.plan, date(2026, 11, 15))
    assert f"Thành viên {team.team_unit.name}" in [r.performer for r in rows]
    assert not any("Members of" in r.performer for r in rows)
