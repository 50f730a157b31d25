"""No lost edits: two people editing the same assignment, explanation or manual score; the second is told who changed
it, when and what it holds now (409), the first's change stays, nothing is overwritten silently, never a 500."""

from __future__ import annotations

import contextvars
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.assignments import services as assignments
from app.assignments.models import Assignment
from app.auth.services import find_user
from app.core import locking
from app.core.errors import StaleEdit
from app.indicators.models import Indicator
from app.org.services import find_unit_by_code
from app.scores import accountability, manual, review
from app.scores.models import Explanation, ScoreRecord
from app.scores.periods import month_period
from tests.conftest import PASSWORD

TODAY = date(2026, 11, 15)
NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
OCT = month_period(2026, 10)
TOLD = "trong khi bạn đang sửa. Giá trị hiện tại:"


def _progress(db) -> Indicator:
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))


def _open(db, key="G:V") -> Assignment:
    return db.session.scalar(sa.select(Assignment).where(Assignment.subject_key == key,
                                                         Assignment.effective_to.is_(None)))


def _seen_version(html: str) -> str:
    """The version the page put in its hidden field (what the user saw)."""
    return re.search(r'name="version" type="hidden" value="(\d*)"', html).group(1)


class Browser:
    """One person's browser. Each request runs in a context of its own, as in production: its own app context,
    `g` and database session (requests from the test's thread would otherwise share the fixture's app context)."""

    def __init__(self, app, username):
        self.client = app.test_client()
        response = self.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302 and "login" not in response.location

    def get(self, path, **kwargs):
        return contextvars.Context().run(self.client.get, path, **kwargs)

    def post(self, path, **kwargs):
        return contextvars.Context().run(self.client.post, path, **kwargs)


def _client(app, username) -> Browser:
    return Browser(app, username)


# --- the three edit forms, as a table: who edits, the page, what each person types, what is stored -----------------


@dataclass
class Case:
    users: tuple[str, str]
    module: object            # where the service calls ensure_version (patched by the race test)

    def setup(self, db) -> None: ...
    def path(self, db) -> str: ...
    def data(self, db, who: int) -> dict: ...
    def stored(self, db): ...   # what is stored now, to compare with what each person typed
    def typed(self, db, who: int): ...

    def again(self, data: dict) -> dict:
        """What the second person changes before saving again, having seen the other change."""
        return data


class Reassign(Case):
    def path(self, db):
        return f"/assignments/{_open(db).id}/reassign"

    def data(self, db, who):
        unit, person = [("NS.NV", "vanna"), ("NS.TP", "yenntk")][who]
        return {"responsible_unit_id": find_unit_by_code(unit).id, "performer_ids": [find_user(person).id],
                "team_unit_id": 0, "effective_from": "2026-12-01", "note": f"Ghi chú của người thứ {who + 1}"}

    def stored(self, db):
        db.session.expire_all()
        return _open(db).responsible_unit.code

    def again(self, data):
        return {**data, "effective_from": "2026-12-02"}  # the other handover starts on the 1st

    def typed(self, db, who):
        return ["NS.NV", "NS.TP"][who]


class Explain(Case):
    def setup(self, db):
        accountability.save_explanation(unit=find_unit_by_code("NS"), indicator=_progress(db), period=OCT,
                                        reason="Giải trình ban đầu của người phụ trách.", remedy="Biện pháp ban đầu.",
                                        due_on=date(2026, 12, 1), actor=find_user("yenntk"), now=NOW)
        db.session.commit()

    def path(self, db):
        return f"/scores/red/{find_unit_by_code('NS').id}/{_progress(db).id}/2026-10"

    def data(self, db, who):
        return {"reason": f"Nguyên nhân do người thứ {who + 1} viết.", "remedy": f"Biện pháp của người thứ {who + 1}.",
                "due_on": "2026-12-15"}

    def stored(self, db):
        db.session.expire_all()
        return db.session.scalar(sa.select(Explanation.reason))

    def typed(self, db, who):
        return f"Nguyên nhân do người thứ {who + 1} viết."


class Entry(Case):
    def setup(self, db):
        manual.enter(unit=find_unit_by_code("NS"), indicator=_progress(db), period_text="2026-10", numerator="3",
                     denominator="4", note="", actor=find_user("yenntk"), today=TODAY)
        db.session.commit()

    def path(self, db):
        return f"/scores/entry?unit={find_unit_by_code('NS').id}&indicator={_progress(db).id}&period=2026-10"

    def data(self, db, who):
        return {"indicator_id": _progress(db).id, "period": "2026-10", "numerator": ["30", "20"][who],
                "denominator": "40", "note": f"Nguồn của người thứ {who + 1}"}

    def stored(self, db):
        db.session.expire_all()
        return db.session.scalar(sa.select(ScoreRecord.numerator).where(ScoreRecord.source == "manual"))

    def typed(self, db, who):
        return Decimal(["30", "20"][who])


CASES = {
    "reassignment": Reassign(("hungdv", "admin"), assignments),
    # the owner writes (a chair reviews instead, tests/scores/test_explanation_review.py): two of her browsers
    "explanation": Explain(("yenntk", "yenntk"), review),
    "manual score": Entry(("yenntk", "admin"), manual),
}
NAMES = {"hungdv": "Đoàn Văn Hùng", "admin": "Quản trị hệ thống", "yenntk": "Nguyễn Thị Kim Yến"}


@pytest.mark.parametrize("name", CASES)
def test_the_second_of_two_editors_is_told_and_the_first_change_stays(name, scored, app, db, clock):
    case = CASES[name]
    case.setup(db)
    first, second = (_client(app, u) for u in case.users)
    path = case.path(db)
    seen = [_seen_version(c.get(path).get_data(as_text=True)) for c in (first, second)]
    assert seen[0] == seen[1] != ""
    assert first.post(path, data={**case.data(db, 0), "version": seen[0]}).status_code == 302
    response = second.post(path, data={**case.data(db, 1), "version": seen[1]})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f"Bản ghi đã được {NAMES[case.users[0]]} sửa lúc 10:00 ngày 15/11/2026 {TOLD}" in html
    assert case.stored(db) == case.typed(db, 0)                 # the first change stays
    for value in case.data(db, 1).values():                      # the second person's input is kept on the form
        if isinstance(value, str) and len(value) > 5:
            assert value in html
    # having seen the other change, the second person saves again on purpose: it applies
    again = second.post(re.search(r'<form method="post"(?: action="([^"]+)")?[^>]*class="stack card"', html)
                        .group(1) or path, data={**case.again(case.data(db, 1)), "version": _seen_version(html)})
    assert again.status_code == 302
    assert case.stored(db) == case.typed(db, 1)


@pytest.mark.parametrize("name", CASES)
def test_two_requests_in_flight_both_pass_the_check_and_exactly_one_wins(name, scored, app, db, clock,
                                                                         monkeypatch):
    """A real race: both requests check the version they carry (equal to the stored one) before either writes; they
    meet at the UPDATE, whose version condition lets one through and tells the other (on SQLite and PostgreSQL)."""
    case = CASES[name]
    case.setup(db)
    clients = [_client(app, u) for u in case.users]
    path = case.path(db)
    version = _seen_version(clients[0].get(path).get_data(as_text=True))
    both_checked = threading.Barrier(2, timeout=20)
    checked = locking.ensure_version

    def check_then_wait(obj, expected):
        checked(obj, expected)
        both_checked.wait()

    monkeypatch.setattr(case.module, "ensure_version", check_then_wait)
    results: dict[int, object] = {}
    typed = [{**case.data(db, who), "version": version} for who in (0, 1)]

    def submit(who):
        try:
            results[who] = clients[who].post(path, data=typed[who])
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            results[who] = exc

    threads = [threading.Thread(target=submit, args=(who,)) for who in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = {who: getattr(r, "status_code", r) for who, r in results.items()}
    assert sorted(statuses.values(), key=str) == [302, 409], statuses
    winner = next(who for who, s in statuses.items() if s == 302)
    html = results[1 - winner].get_data(as_text=True)
    told = re.search(r"Bản ghi đã được [^<]*", html)
    assert told and told.group(0).startswith(f"Bản ghi đã được {NAMES[case.users[winner]]} sửa lúc"), (
        winner, told and told.group(0))
    assert TOLD in html
    assert case.stored(db) == case.typed(db, winner)


# --- the services refuse on their own (CLI, API and jobs call them too) --------------------------------------------


def _reassign(db, expected):
    return assignments.reassign(_open(db), effective_from=date(2026, 12, 1), today=TODAY,
                                responsible=find_unit_by_code("NS.TP"), performers=[find_user("yenntk")],
                                actor=find_user("admin"), expected_version=expected)


def _explain(db, expected):
    return accountability.save_explanation(unit=find_unit_by_code("NS"), indicator=_progress(db), period=OCT,
                                           reason="Nguyên nhân viết sau.", remedy="Biện pháp viết sau.",
                                           due_on=date(2026, 12, 20), actor=find_user("yenntk"), now=NOW,
                                           expected_version=expected)


def _enter(db, expected):
    return manual.enter(unit=find_unit_by_code("NS"), indicator=_progress(db), period_text="2026-10",
                        numerator="1", denominator="40", note="", actor=find_user("admin"), today=TODAY,
                        expected_version=expected)


@pytest.mark.parametrize(("name", "save", "expected", "who"), [
    ("reassignment", _reassign, 1, "Đoàn Văn Hùng"),
    ("explanation", _explain, 1, "Nguyễn Thị Kim Yến"),
    ("explanation", _explain, 0, "Nguyễn Thị Kim Yến"),     # the page showed no explanation; one was saved meanwhile
    ("manual score", _enter, 1, "Nguyễn Thị Kim Yến"),
    ("manual score", _enter, 0, "Nguyễn Thị Kim Yến"),
])
def test_a_service_refuses_an_edit_of_a_version_no_longer_stored(name, save, expected, who, scored, db):
    case = CASES[name]
    case.setup(db)
    if name == "reassignment":
        _open(db).note = "Sửa ghi chú"  # someone else's change: version 1 → 2
        assignments.record(find_user("hungdv"), "assignment.note", _open(db), after={"note": "Sửa ghi chú"})
        db.session.commit()
    elif expected:  # someone else edits the stored row: version 1 → 2
        if name == "explanation":
            db.session.scalar(sa.select(Explanation)).remedy = "Biện pháp do Chủ tịch sửa."
        else:
            db.session.scalar(sa.select(ScoreRecord).where(ScoreRecord.source == "manual")).note = "Đã đối chiếu."
        db.session.commit()
    before = case.stored(db)
    with pytest.raises(StaleEdit) as refused:
        save(db, expected)
    db.session.rollback()
    assert refused.value.message.startswith(f"Bản ghi đã được {who} sửa lúc")
    assert refused.value.current and refused.value.record is not None
    assert case.stored(db) == before


def test_with_the_stored_version_the_service_saves(scored, db):
    CASES["explanation"].setup(db)
    saved = _explain(db, 1)
    db.session.commit()
    assert (saved.reason, saved.version) == ("Nguyên nhân viết sau.", 2)


def test_a_stale_update_anywhere_becomes_the_message_not_a_500(scored, app, db, clock, monkeypatch):
    """A page that writes without a form (no commit_or_show) still answers 409 with who changed the record."""
    client = _client(app, "hungdv")
    subject = _open(db).id

    def racing_view():
        mine = db.session.get(Assignment, subject)
        mine.note = "Ghi chú của tôi"
        with app.app_context():  # another request commits first
            theirs = db.session.get(Assignment, subject)
            theirs.note = "Ghi chú của người khác"
            assignments.record(find_user("admin"), "assignment.note", theirs, after={"note": theirs.note})
            db.session.commit()
        db.session.commit()

    monkeypatch.setitem(app.view_functions, "main.index", racing_view)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 409, html
    assert "Bản ghi đã được Quản trị hệ thống sửa lúc 10:00 ngày 15/11/2026" in html
    db.session.expire_all()
    assert db.session.get(Assignment, subject).note == "Ghi chú của người khác"
