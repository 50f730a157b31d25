"""HTML is escaped everywhere: names, titles, explanations and dossier fields holding markup are shown as text on
every main page and in the print HTML of a quarterly document.

The templates' `|safe` are all SVG charts made by app/core/charts.py (matplotlib draws labels as paths and the
accessible title is html.escape'd there) and the e-mail HTML uses an autoescaping environment; no Markup() is built
from user text. This test would see a label that slipped through."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")


@pytest.fixture
def poisoned(demo, db):
    """The demo with markup in a unit's name, people's names and titles, an indicator, explanations, dossiers."""
    from app.auth.models import User
    from app.dossiers.models import Dossier
    from app.indicators.models import Indicator
    from app.org.services import find_unit_by_code
    from app.scores.models import Explanation

    ids = {}
    for code in ("NS.TP", "NS.MYSON"):
        unit = find_unit_by_code(code)
        unit.name = f"Đơn vị {SCRIPT}{IMG}"
        ids[code] = unit.id
    for person in db.session.scalars(sa.select(User)):
        person.full_name = f"{person.full_name} {SCRIPT}"
        person.title = IMG
    for indicator in db.session.scalars(sa.select(Indicator)):
        indicator.name = f"{indicator.name} {IMG}{SCRIPT}"
    for explanation in db.session.scalars(sa.select(Explanation)):
        explanation.reason, explanation.remedy = SCRIPT, IMG
    for dossier in db.session.scalars(sa.select(Dossier).limit(50)):
        dossier.procedure_name = f"Thủ tục {SCRIPT}{IMG}"
    db.session.commit()
    ids["yenntk"] = db.session.scalar(sa.select(User.id).where(User.username == "yenntk"))
    ids["indicator"] = db.session.scalar(sa.select(Indicator.id).order_by(Indicator.id))
    return ids


PAGES = ["/", "/units", "/units/{NS.TP}", "/officers/{yenntk}", "/indicators", "/indicators/{indicator}",
         "/scores/", "/scores/overview", "/scores/units/{NS.TP}", "/scores/units/{NS.MYSON}", "/scores/ranks/{NS.MYSON}",
         "/scores/owners/{yenntk}", "/dossiers/", "/dossiers/stats", "/alerts/", "/assignments/", "/documents/",
         "/admin/units", "/admin/users", "/scores/import", "/dossiers/import"]


def assert_escaped(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{where}: «{raw}» unescaped"


@pytest.mark.parametrize("user", ["admin", "hungdv", "yenntk"])
def test_no_page_shows_markup_from_data(poisoned, auth, user):
    auth.login(user)
    seen = 0
    for page in PAGES:
        url = page
        for key, value in poisoned.items():
            url = url.replace("{" + key + "}", str(value))
        response = auth.client.get(url, follow_redirects=True)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        if response.status_code == 200:
            seen += 1
            assert_escaped(response.get_data(as_text=True), f"{user} {url}")
    assert seen >= 8


def test_the_poisoned_text_is_shown_as_text(poisoned, auth):
    auth.login("admin")
    page = auth.client.get("/units").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_print_html_of_a_document_escapes_markup(poisoned, db, auth):
    from app.auth.services import find_user
    from app.org.services import find_unit_by_code
    from app.reports import services
    from tests.reports.conftest import NOW, TODAY

    doc = services.create_draft(kind="plan", unit=find_unit_by_code("NS"), period=services.parse_quarter("2026Q4"),
                                actor=find_user("admin"), today=TODAY, now=NOW)
    db.session.commit()
    auth.login("admin")
    response = auth.client.get(f"/documents/{doc.id}/preview")
    assert response.status_code == 200
    assert_escaped(response.get_data(as_text=True), "preview")
