"""Totals summed by the database (scores.totals) equal the Python rule (queries.totals over best_records), and the
remembered ones never outlive a change of the scores they were computed from."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.indicators.models import Indicator, IndicatorGroup
from app.indicators.services import catalog
from app.scores import queries
from app.scores.periods import month_period
from app.scores.services import ScoreInput, upsert
from app.scores.totals import cached_totals, sql_totals

MAY, JUNE = month_period(2026, 5), month_period(2026, 6)


@pytest.fixture
def units(make_unit):
    make_unit("TT", "UBND tỉnh Tổng", kind="province")
    return [make_unit(f"TT.X{i}", f"UBND xã Tổng {i}", kind="commune", parent="TT") for i in (1, 2, 3)]


def _item(unit, period, ind=None, group=None, source="portal", num=80, points=None):
    return ScoreInput(unit=unit, period=period, source=source, indicator=ind, group=group if ind is None else ind.group,
                      numerator=Decimal(num) if ind is not None else None,
                      denominator=Decimal(100) if ind is not None else None,
                      portal_points=points, max_points=Decimal(10) if ind is None else None)


# what each commune holds: portal only; manual only and manual beside portal (portal wins); a group published total
CASES = {
    "portal": lambda u, inds, groups: [_item(u, p, i) for p in (MAY, JUNE) for i in inds],
    "manual_and_portal": lambda u, inds, groups: (
        [_item(u, p, i, source="manual", num=10) for p in (MAY, JUNE) for i in inds]
        + [_item(u, JUNE, i, num=90) for i in inds[:3]]),
    "group_published": lambda u, inds, groups: (
        [_item(u, p, i) for p in (MAY, JUNE) for i in inds]
        + [_item(u, JUNE, group=groups[0], points=Decimal("3.33"))]),
}


def test_database_totals_equal_the_python_rule(app, db, units):
    inds = db.session.scalars(sa.select(Indicator).order_by(Indicator.sort_order)).all()
    groups = db.session.scalars(sa.select(IndicatorGroup).order_by(IndicatorGroup.sort_order)).all()
    for unit, build in zip(units, CASES.values(), strict=True):
        upsert(build(unit, inds, groups), None)
    db.session.commit()
    ids = [u.id for u in units]
    expected = queries.totals(queries.best_records(ids, "month"), catalog())
    assert len(expected) == 6
    assert sql_totals(ids, "month") == expected
    assert sql_totals(ids, "month", starts=[JUNE.start_date]) == {
        k: v for k, v in expected.items() if k[1] == JUNE.start_date}


def test_remembered_totals_follow_every_new_import(app, db, units):
    ind = db.session.scalar(sa.select(Indicator).order_by(Indicator.sort_order))
    upsert([_item(units[0], JUNE, ind, num=50)], None)
    db.session.commit()
    before = dict(cached_totals([units[0].id], "month"))
    assert cached_totals([units[0].id], "month") == before  # asked again, nothing changed: the same answer
    upsert([_item(units[0], JUNE, ind, num=100)], None)  # a re-import changes the value in place (same row id)
    db.session.commit()
    after = cached_totals([units[0].id], "month")
    assert after != before
    assert after == sql_totals([units[0].id], "month")


@pytest.mark.parametrize("write", ["re_import", "manual_beside", "new_unit_record"])
def test_remembered_heatmap_records_follow_every_write(app, db, units, write):
    """The heatmap's and red list's light read is remembered under the same data version: after any write to the
    score records the next read equals a fresh one (and shows the new figure)."""
    from app.scores.totals import cached_light_records

    inds = db.session.scalars(sa.select(Indicator).order_by(Indicator.sort_order)).all()
    upsert([_item(units[0], p, inds[0], num=50) for p in (MAY, JUNE)], None)
    db.session.commit()
    ids, starts = [u.id for u in units], [MAY.start_date, JUNE.start_date]
    before = cached_light_records(ids, "month", starts)
    assert cached_light_records(ids, "month", starts) is before  # asked again, nothing changed: kept
    unit, source, ind = {"re_import": (units[0], "portal", inds[0]), "manual_beside": (units[0], "manual", inds[1]),
                         "new_unit_record": (units[2], "portal", inds[0])}[write]
    upsert([_item(unit, JUNE, ind, source=source, num=100)], None)
    db.session.commit()
    after = cached_light_records(ids, "month", starts)
    fresh = queries.best_records(ids, "month", starts, light=True)
    assert {k: tuple(r) for k, r in after.items()} == {k: tuple(r) for k, r in fresh.items()}
    assert {k: tuple(r) for k, r in after.items()} != {k: tuple(r) for k, r in before.items()}
