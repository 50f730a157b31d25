"""The English interface shows no Vietnamese (issue 14, part 9): each role signs in with the English locale and opens
its pages; the visible text (text nodes and visible attributes) holds no Vietnamese letter once the data is taken out.

Data stays as entered (unit names, people, indicator names from the catalog, procedures, notes): every string value
stored in the database is removed from the page before the check, and so are the language switch's own names."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import url_for

from app.auth.services import find_user
from app.extensions import db as _db

VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
VIETNAMESE_LETTER = re.compile(f"[{VIETNAMESE}{VIETNAMESE.upper()}]")
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-label"}
ALWAYS_ALLOWED = ("Tiếng Việt",)  # the language switch names each language in itself

PAGES = {
    # role: [(endpoint, arguments)]
    None: [("auth.login", {}), ("public.index", {})],
    "yenntk": [("alerts.index", {}), ("auth.profile", {}), ("personal_tokens.tokens", {}),
               ("org.officer", {"user_id": "yenntk"}), ("scores.owner", {"user_id": "yenntk"}), ("main.index", {})],
    "binhnv": [("org.units", {}), ("dossiers.statistics", {}), ("alerts.index", {}), ("main.index", {})],
    "hungdv": [("documents.index", {}), ("dossiers.statistics", {}), ("dossiers.index", {}),
               ("dossiers.claims", {}), ("org.units", {}), ("org.unit", {"unit_id": "own"}),
               ("public.settings", {"unit_id": "own"}), ("documents.verify_page", {}), ("main.index", {}),
               ("scores.overview", {}), ("scores.red_list", {}), ("scores.ranks", {"unit_id": "own"}),
               ("scores.scorecard", {"unit_id": "own"}),
               ("assignments.table", {}), ("assignments.history", {"assignment_id": "team"}),
               ("assignments.reassign", {"assignment_id": "team"}), ("indicators.catalog", {})],
    "admin": [("admin.users_list", {}), ("admin.units", {}), ("audit.index", {}), ("api_admin.tokens", {}),
              ("dossiers.import_page", {}), ("scores.import_page", {}), ("admin.user_form", {}),
              ("admin.unit_form", {})],
    "quantri": [("workdays.calendar", {}), ("indicators.detail", {"indicator_id": "first"}),
                ("indicators.edit_indicator", {"indicator_id": "first"}), ("indicators.new_version", {}),
                ("indicators.catalog", {})],
}


class VisibleText(HTMLParser):
    """Text nodes and visible attributes; and the text drawn in charts: their SVG draws text as paths (the same
    on screen and in PDFs), and matplotlib names each drawn text (ticks, bar values, legend, "no data") in an XML
    comment before its glyphs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.svg = 0
        self.drawn: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "svg":
            self.svg += 1
        for name, value in attrs:
            if value and name in VISIBLE_ATTRIBUTES:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag == "svg" and self.svg:
            self.svg -= 1

    def handle_comment(self, data):
        if self.svg and data.strip():
            self.parts.append(data.strip())
            self.drawn.append(data.strip())

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def stored_strings() -> list[str]:
    """Every string value in the database (3 characters or more), longest first."""
    values: set[str] = set()
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text)]
        for column in columns:
            for (value,) in _db.session.execute(sa.select(column).distinct()):
                if isinstance(value, str) and len(value.strip()) >= 3:
                    values.add(value.strip())
                    values.add(value.strip().removeprefix("UBND "))  # unit names as heatmaps and charts shorten them
                    values.update(line.strip() for line in value.splitlines() if len(line.strip()) >= 3)
    from app.org.models import Unit  # a unit's place ("Ninh Sơn" of "UBND huyện Ninh Sơn") heads a plan's date

    values.update(u.place_name for u in _db.session.scalars(sa.select(Unit)) if len(u.place_name) >= 3)
    return sorted(values, key=len, reverse=True)


def shortened_data(text: str, data: list[str]) -> bool:
    """A stored value cut short with an ellipsis, as charts draw long unit names ("thành phố Phan Ra…")."""
    return text.endswith("…") and len(text) > 4 and any(value.startswith(text[:-1]) for value in data)


def drawn_texts(html: str) -> list[str]:
    """The texts the page's charts draw."""
    parser = VisibleText()
    parser.feed(html)
    return parser.drawn


def vietnamese_left(html: str, data: list[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for part in parser.parts:
        if shortened_data(part, data):
            continue
        text = part
        for value in (*ALWAYS_ALLOWED, *data):
            if value in text:
                text = text.replace(value, " ")
        if VIETNAMESE_LETTER.search(text):
            found.append(part[:120])
    return found


VIETNAMESE_DECIMAL = re.compile(r"(?<![\d,.])\d+,\d{1,2}(?![\d,])")  # 93,55 or 17,3 (English writes 93.55)


def vietnamese_numbers(html: str, data: list[str]) -> list[str]:
    """Visible texts with a number written the Vietnamese way, once the data is taken out."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    for part in parser.parts:
        text = part
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        if VIETNAMESE_DECIMAL.search(text):
            found.append(part[:120])
    return found


def _arguments(arguments: dict) -> dict:
    from app.assignments.models import Assignment
    from app.indicators.models import Indicator
    from app.org.models import Unit

    out = {}
    for name, value in arguments.items():
        if value == "own":
            value = find_user("hungdv").unit_id
        elif value == "first":
            value = _db.session.scalar(sa.select(Indicator.id).order_by(Indicator.id).limit(1))
        elif value == "team":  # an assignment in force performed by a team ("Thành viên …")
            value = _db.session.scalar(sa.select(Assignment.id).where(
                Assignment.team_unit_id.is_not(None), Assignment.effective_to.is_(None)).order_by(Assignment.id).limit(1))
        elif value == "tanson":
            value = _db.session.scalar(sa.select(Unit.id).where(Unit.code == "NS.TANSON"))
        elif name == "user_id":
            value = find_user(value).id
        out[name] = value
    return out


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "anonymous")
def test_the_english_pages_show_no_vietnamese_outside_the_data(demo, client, auth, clock, role):
    client.post("/language", data={"locale": "en"})
    if role:
        auth.login(role)
    data = stored_strings()
    problems = []
    for endpoint, arguments in PAGES[role]:
        with demo.test_request_context():
            path = url_for(endpoint, **_arguments(arguments))
        response = client.get(path)
        assert response.status_code == 200, (endpoint, response.status_code)
        page = response.get_data(as_text=True)
        assert '<html lang="en">' in page, endpoint
        problems += [f"{path}: {text}" for text in vietnamese_left(page, data)]
    assert problems == [], "Vietnamese on English pages:\n" + "\n".join(problems)


def test_the_same_pages_stay_vietnamese_by_default(demo, client, auth, clock):
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Quản trị tài khoản" in page and "Tên đăng nhập" in page


# The score pages again with the demo's four years of scores and its dossiers (`flask seed-demo`): red indicators and
# who answers them, ranks and charts, the month's projection, dossiers to act on, fallers, the explain page.
SCORED_PAGES = {
    "hungdv": [("main.index", {}), ("scores.overview", {}), ("scores.overview", {"kind": "quarter"}),
               ("scores.red_list", {}), ("scores.ranks", {"unit_id": "own"}),
               ("scores.ranks", {"unit_id": "own", "among": "peers"}), ("scores.scorecard", {"unit_id": "own"}),
               ("scores.scorecard", {"unit_id": "own", "kind": "year"}), ("scores.scorecard", {"unit_id": "tanson"}),
               ("scores.ranks", {"unit_id": "own", "period": "2020-01"}), ("dossiers.statistics", {}),
               ("indicators.detail", {"indicator_id": "first"})],
    "yenntk": [("main.index", {}), ("scores.scorecard", {"unit_id": "own"}), ("scores.red_list", {})],
    "binhnv": [("main.index", {}), ("scores.red_list", {}), ("scores.scorecard", {"unit_id": "tanson"}),
               ("scores.ranks", {"unit_id": "tanson", "kind": "quarter"})],
}


@pytest.fixture
def scored_demo(app):
    from app.demo.services import load_demo
    from tests.conftest import DEMO_NOW, PASSWORD

    load_demo(PASSWORD, now=DEMO_NOW, with_scores=True)
    _db.session.commit()
    return app


def test_the_english_score_pages_with_scores_show_no_vietnamese_outside_the_data(scored_demo, client, auth, clock):
    data = stored_strings()
    problems, explained, drawn = [], 0, []
    for role, pages in SCORED_PAGES.items():
        client.post("/logout")
        client.post("/language", data={"locale": "en"})
        auth.login(role)
        for endpoint, arguments in pages:
            with scored_demo.test_request_context():
                path = url_for(endpoint, **_arguments(arguments))
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            page = response.get_data(as_text=True)
            assert '<html lang="en">' in page, path
            problems += [f"{role} {path}: {text}" for text in vietnamese_left(page, data)]
            problems += [f"{role} {path}: number {text}" for text in vietnamese_numbers(page, data)]
            drawn += drawn_texts(page)
            for link in sorted(set(re.findall(r'href="(/scores/red/\d+/\d+/[^"/]+)"', page)))[:2]:  # explain pages
                explain = client.get(link)
                assert explain.status_code == 200, link
                explained += 1
                text = explain.get_data(as_text=True)
                problems += [f"{role} {link}: {t}" for t in vietnamese_left(text, data) + vietnamese_numbers(text, data)]
    assert explained, "no red indicator in the demo: the explain page was not checked"
    assert problems == [], "Vietnamese on English pages:\n" + "\n".join(problems)
    # the charts' own text was checked too: bar values and ticks written the English way (93.55, 2.5)
    assert any(re.fullmatch(r"\d+\.\d{1,2}", text) for text in drawn), drawn[:50]
