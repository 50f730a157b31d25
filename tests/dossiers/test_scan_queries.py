"""The overdue scan runs a fixed number of SQL statements: more units, people, assignments and dossiers add rows to
its statements, never statements (no query per unit, per scorecard or per dossier)."""

from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa

from app.dossiers.scan import scan_dossiers
from tests.dossiers.conftest import NOW


@contextmanager
def counted(db):
    seen = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def grow(db, make_dossier, communes: int) -> None:
    """Add communes under the district, each with a head, an officer owning indicator 4 (or a team owning it, or
    nobody: the head answers) and an overdue dossier with an officer."""
    from app.assignments.models import Assignment, Plan
    from app.auth.models import User
    from app.indicators.models import Indicator
    from app.org.models import Unit
    from app.org.services import find_unit_by_code

    district = find_unit_by_code("NS")
    progress = db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))
    for n in range(communes):
        commune = Unit(code=f"NS.X{n}", name=f"Xã Thử {n}", kind="commune", parent_id=district.id)
        db.session.add(commune)
        db.session.flush()
        head = User(username=f"head.x{n}", full_name=f"Chủ tịch xã {n}", unit_id=commune.id, role="head")
        officer = User(username=f"cb.x{n}", full_name=f"Cán bộ xã {n}", unit_id=commune.id, role="officer")
        db.session.add_all([head, officer])
        db.session.flush()
        if n % 3 != 2:  # a third of the communes have nothing assigned: their head answers
            plan = Plan(title=f"Kế hoạch xã {n}", issuing_unit_id=commune.id, period_start=date(2026, 1, 1),
                        status="signed")
            db.session.add(plan)
            db.session.flush()
            db.session.add(Assignment(
                plan_id=plan.id, scope_unit_id=commune.id, subject_key=Assignment.key_for(indicator=progress),
                indicator_id=progress.id, responsible_unit_id=commune.id, effective_from=date(2026, 1, 1),
                team_unit_id=commune.id if n % 3 == 1 else None, performers=[officer] if n % 3 == 0 else []))
        make_dossier(f"X{n}", f"NS.X{n}", "2026-11-10 08:00", "2026-11-12 16:30", officer=f"cb.x{n}")
    db.session.commit()


@pytest.mark.parametrize("communes", [6, 30])
def test_statement_count_does_not_grow_with_units_or_dossiers(november, db, make_dossier, communes):
    with counted(db) as small:
        first = scan_dossiers(now=NOW)
    db.session.rollback()
    grow(db, make_dossier, communes)
    with counted(db) as big:
        bigger = scan_dossiers(now=NOW)
    assert bigger.total > first.total  # the bigger world did tell more people
    heads = lambda seen: [s.split("\n")[0][:60] for s in seen]  # noqa: E731
    assert len(big) == len(small), (heads(small), heads(big))
    assert len(big) <= 12  # routes (units, leaders, indicator 4's owners), one INSERT, returned late, resolve


def test_owners_of_every_scorecard_at_once_match_the_per_unit_answer(november, db, make_dossier):
    """scores.owners.answerer_ids (all scorecards in four queries) says what Responsibility says unit by unit:
    named performers, a performing team, and the head where nothing is assigned."""
    from app.dossiers.access import all_units, scorecard_map
    from app.indicators.models import Indicator
    from app.org.models import Unit
    from app.scores.accountability import Responsibility
    from app.scores.owners import answerer_ids

    grow(db, make_dossier, 6)
    progress = db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))
    scopes = set(scorecard_map(all_units()).values())
    today = NOW.date()
    got = answerer_ids(scopes, progress, today)
    expected = {scope: {p.id for p in Responsibility(db.session.get(Unit, scope)).of(progress, today).people}
                for scope in scopes}
    assert got == expected
    assert sum(1 for people in got.values() if people) >= 6  # the grown communes all have someone
