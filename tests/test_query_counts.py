"""No N+1 on the province's busiest pages: the SQL statements one request sends must not grow with the data.

A small province is built (tests/query_world.py), every page below is requested by its role and its statements
counted (SQLAlchemy's before_cursor_execute); then the same province grows many times over (14x the units, 16x the
officers, 11x the score months, 30 more hand-overs of one assignment, 30x the dossiers) and every page is counted
again. The count must stay equal: a loop that queried once per unit, officer, month, assignment or dossier would add
dozens of statements. Each page is requested once before it is counted, in both worlds, so that what a process
remembers between requests (the score totals keyed by their data version, app/scores/totals.py) is in the same
state both times.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests import query_world

# (role, page): {commune}, {department}, {province} are filled from the world
CASES = [
    ("officer", "/"),
    ("officer", "/scores/units/{province}"),
    ("officer", "/assignments/"),
    ("head", "/"),
    ("head", "/scores/overview"),
    ("head", "/scores/units/{commune}"),
    ("head", "/dossiers/stats"),
    ("chair", "/"),
    ("chair", "/scores/overview"),
    ("chair", "/scores/units/{commune}"),
    ("chair", "/scores/units/{department}"),
    ("chair", "/scores/units/{province}"),
    ("chair", "/assignments/"),
    ("chair", "/dossiers/stats"),
    ("admin", "/scores/overview"),
]


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args, **_kwargs) -> None:
        self.count += 1


def _count_all(app, world) -> dict[tuple[str, str], tuple[int, int]]:
    """(statements, HTTP status) of one request of every case, each after one uncounted request."""
    counter = Counter()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    out = {}
    try:
        clients = {}
        for role, page in CASES:
            if role not in clients:
                clients[role] = app.test_client()
                resp = clients[role].post("/login", data={"username": world.users[role],
                                                          "password": query_world.PASSWORD})
                assert resp.status_code == 302, f"sign-in of {role} failed"
            url = page.format(province=world.province_id, **world.units)
            clients[role].get(url)
            counter.count = 0
            resp = clients[role].get(url)
            out[role, page] = (counter.count, resp.status_code)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
    return out


@pytest.fixture(scope="module")
def counts(_app):
    """Statement counts in the small world and in the grown one (built once for the whole table)."""
    from app.core.time import now_utc, today_vn
    from tests.conftest import _empty_database

    with _app.app_context():
        _empty_database()
        try:
            world = query_world.build(now_utc(), today_vn())
            small = _count_all(_app, world)
            query_world.grow(world)
            large = _count_all(_app, world)
        finally:
            db.session.remove()
            _empty_database()
    return small, large


@pytest.mark.parametrize(("role", "page"), CASES, ids=[f"{r}:{p}" for r, p in CASES])
def test_statements_do_not_grow_with_rows(counts, role, page):
    small, large = counts
    (before, status_small), (after, status_large) = small[role, page], large[role, page]
    assert (status_small, status_large) == (200, 200)
    assert after == before, f"{role} {page}: {before} statements with the small province, {after} with the large"
