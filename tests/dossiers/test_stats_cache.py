"""The statistics cache (stats_cache.py): the closed dossiers' counts are reused only for the data version and the
moments they hold for; every write moves the version on; cached figures always equal a direct count."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.dossiers import stats, stats_cache
from app.dossiers.models import Dossier, DossierStatsCache
from app.org.services import find_unit_by_code
from app.scores.periods import month_period, quarter_period
from app.workdays.services import calendar_around
from tests.dossiers.conftest import NOW

NOV = month_period(2026, 11)


def direct(unit_ids, c) -> dict[int, dict[str, int]]:
    """The counts by one grouped query over every dossier, no cache (the page's query before the cache)."""
    from app.extensions import db

    query = (sa.select(Dossier.handling_unit_id, *stats._columns(c))
             .where(Dossier.handling_unit_id.in_(sorted(unit_ids)), stats.relevant(c))
             .group_by(Dossier.handling_unit_id))
    return {row[0]: dict(zip(stats.BUCKETS, (int(v) for v in row[1:]), strict=True))
            for row in db.session.execute(query)}


def counted(period, now):
    c = stats.Window.of(period, now=now, calendar=calendar_around(now.date()))
    _children, top = stats.subtree_map(find_unit_by_code("NS"))
    got = {uid: counts for uid, counts in stats.counts_by_unit(top.keys(), c).items() if any(counts.values())}
    return got, direct(top.keys(), c)


def entries(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(DossierStatsCache))


def test_a_second_look_is_served_from_the_cache_and_agrees(november, db):
    first, expected = counted(NOV, NOW)
    assert first == expected and entries(db) == 2  # the closed and the open dossiers
    db.session.execute(sa.update(DossierStatsCache).values(counts={}))  # a stored entry really is what is read
    second, _ = counted(NOV, NOW)
    assert second != expected


@pytest.mark.parametrize("hours", [0, 1, 24 * 3, 24 * 3 + 7, -24 * 3, -24 * 8, 24 * 40])
def test_cached_figures_equal_a_direct_count_whenever_the_window_is_seen(november, db, hours):
    counted(NOV, NOW)  # an entry stored at NOW
    got, expected = counted(NOV, NOW + timedelta(hours=hours))
    assert got == expected


@pytest.mark.parametrize("period", [NOV, month_period(2026, 10), quarter_period(2026, 4)])
def test_every_period_agrees_with_a_direct_count(november, period):
    got, expected = counted(period, NOW)
    assert got == expected


def test_a_dossier_written_through_the_orm_moves_the_version_and_the_figures(november, db, make_dossier):
    before = stats_cache.version()
    counted(NOV, NOW)
    make_dossier("J", "NS.TP", "2026-11-05 08:00", "2026-11-09 16:30", "2026-11-06 09:00")  # early, closed
    assert stats_cache.version() > before
    got, expected = counted(NOV, NOW)
    assert got == expected and got[find_unit_by_code("NS.TP").id]["done_early"] == 2


def test_an_import_moves_the_version(demo, db):
    from tests.dossiers.test_import import ROWS, csv_file, run

    before = stats_cache.version()
    run(csv_file(*ROWS))
    assert stats_cache.version() == before + 1
    run(csv_file(*ROWS))  # nothing changes: the cache stays valid
    assert stats_cache.version() == before + 1


def test_an_emptied_version_row_comes_back(app, db):
    db.session.execute(sa.text("DELETE FROM dossier_data_version"))
    assert stats_cache.version() == 0
    stats_cache.bump()
    assert stats_cache.version() == 1
