"""Indicators computed from dossiers, beside the portal's figure; the projection of the running month; what the
owner and the chair see of them."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.dossiers.access import members_of
from app.dossiers.computed import compute, counts_by_scorecard, projections
from app.dossiers.models import Dossier
from app.org.services import find_unit_by_code
from app.scores import queries
from app.scores.models import ScoreRecord
from app.scores.periods import month_period
from tests.dossiers.conftest import NOW

NOV = month_period(2026, 11)


def test_counts_go_to_the_scorecard_they_count_in(november, db):
    counts = counts_by_scorecard(NOV, now=NOW)
    ns, myson = find_unit_by_code("NS"), find_unit_by_code("NS.MYSON")
    assert (counts[ns.id]["received"], counts[ns.id]["on_time"]) == (5, 3)   # C, D, E, F, G; on time C, E, F
    assert (counts[myson.id]["received"], counts[myson.id]["on_time"]) == (1, 0)


def test_computed_indicators_are_stored_beside_the_portals_and_shown(november, db, client, auth, clock):
    result = compute(now=NOW, periods=[NOV])
    db.session.commit()
    assert result["new"] == 12  # 6 indicators × 2 scorecards
    assert compute(now=NOW, periods=[NOV]) == {"new": 0, "changed": 0, "unchanged": 12}  # idempotent
    rec = db.session.scalar(sa.select(ScoreRecord).where(
        ScoreRecord.unit_id == find_unit_by_code("NS").id, ScoreRecord.subject_key == "I:PROGRESS_ON_TIME",
        ScoreRecord.source == "computed"))
    assert (rec.numerator, rec.denominator, rec.points) == (3, 5, Decimal("12.00"))
    from tests.scores.factories import put

    put("NS", 2026, 11, "PROGRESS_ON_TIME", 90, 100)  # the portal's figure for the same month
    db.session.commit()
    line = next(li for g in queries.scorecard(find_unit_by_code("NS"), NOV).groups for li in g.lines
                if li.indicator.code == "PROGRESS_ON_TIME")
    assert (line.points, line.computed.points, line.computed_gap) == (Decimal(18), Decimal(12), Decimal(-6))
    clock.move_to(NOW)
    auth.login("hungdv")
    page = client.get(f"/scores/units/{find_unit_by_code('NS').id}?period=2026-11").get_data(as_text=True)
    assert "Tính từ hồ sơ: 12,00 (-6,00 so với cổng)" in page


def test_the_projection_of_the_running_month(november, db):
    (progress, *_rest) = projections(find_unit_by_code("NS"), NOV, now=NOW)
    # now, open dossiers judged at the month's end: C on time; D, G late; E and F still open but E is due
    # before the end (23/11) and F after it (1/12) → 2 of 5 = 8,00; if E and F are handled on time: 3 of 5 = 12,00
    assert (progress.current, progress.if_handled) == (Decimal("8.00"), Decimal("12.00"))
    assert progress.open_in_time == 2 and "xử lý đúng hạn 2 hồ sơ đang mở" in progress.action


def test_the_owner_sees_what_moves_indicator_4_and_the_projection(november, db, client, auth, clock):
    clock.move_to(NOW + timedelta(minutes=1))
    auth.login("yenntk")
    page = client.get("/").get_data(as_text=True)
    assert "1 trễ hạn" in page and "1 sắp trễ" in page and "chưa có phiếu xin lỗi" in page
    assert "nếu không xử lý thêm, 8,00/20; xử lý đúng hạn 2 hồ sơ đang mở còn trong hạn → đạt 12,00/20" in page


def test_the_chair_overview_lists_the_units_with_dossiers_to_act_on(november, db, client, auth, clock):
    from app.indicators.models import Indicator
    from tests.scores.factories import put

    for code in db.session.scalars(sa.select(Indicator.code)).all():
        for unit in ("NS", "NS.MYSON"):
            put(unit, 2026, 10, code, 9, 10)
    db.session.commit()
    clock.move_to(NOW)
    auth.login("hungdv")
    page = client.get("/scores/overview").get_data(as_text=True)
    assert "Hồ sơ cần xử lý ngay" in page and "UBND xã Mỹ Sơn" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dossier)) == 9


def _progress(now=NOW):
    return next(p for p in projections(find_unit_by_code("NS"), NOV, now=now)
                if p.indicator.code == "PROGRESS_ON_TIME")


@pytest.mark.parametrize("change", ["close_late", "reopen", "edit_closed", "new_closed"])
def test_the_projection_cache_never_outlives_the_data(november, db, make_dossier, change):
    """The closed counts can be kept in the statistics cache (`cache=True`): any write to dossiers moves the data
    version, so the next count is made again (and equals a count with the cache left out), as is the projection."""
    ns = find_unit_by_code("NS").id
    members = sorted(members_of(ns))
    kept = counts_by_scorecard(NOV, now=NOW, unit_ids=members, cache=True)[ns]
    assert counts_by_scorecard(NOV, now=NOW, unit_ids=members, cache=True)[ns] == kept
    before = _progress()
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == {"close_late": "E", "reopen": "C",
                                                                          "edit_closed": "C", "new_closed": "C"}[change]))
    if change == "close_late":  # E closes after its due time (now is before its due: as seen now, on time)
        dossier.status, dossier.is_open = "returned", False
        dossier.ended_at = dossier.finished_at = NOW - timedelta(hours=1)
    elif change == "reopen":
        dossier.status, dossier.is_open, dossier.ended_at, dossier.finished_at = "processing", True, None, None
    elif change == "edit_closed":  # C, on time, was in fact sent back twice: late
        dossier.supplement_count = 2
    else:
        make_dossier("J", "NS.TP", "2026-11-05 08:00", "2026-11-06 16:30", "2026-11-09 09:00")  # late
    db.session.commit()
    after = _progress()
    assert after.current != before.current
    fresh = counts_by_scorecard(NOV, now=NOW, unit_ids=None)[ns]
    assert counts_by_scorecard(NOV, now=NOW, unit_ids=members, cache=True)[ns] == fresh != kept


def test_the_projection_cache_is_keyed_on_the_moment(november, db):
    """Closed counts kept at a moment hold from the last end or receipt among them on: seen earlier (before D
    ended, 12/11), they are counted again, not taken from the entry kept at NOW."""
    ns = find_unit_by_code("NS").id
    members = sorted(members_of(ns))
    at_now = counts_by_scorecard(NOV, now=NOW, unit_ids=members, cache=True)[ns]
    early = NOW.replace(day=11)
    at_early = counts_by_scorecard(NOV, now=early, unit_ids=members, cache=True)[ns]
    assert at_early == counts_by_scorecard(NOV, now=early)[ns]
    assert (at_early["finished"], at_now["finished"]) == (2, 4)  # B, C by 11/11; D, G after
    assert counts_by_scorecard(NOV, now=NOW, unit_ids=members, cache=True)[ns] == at_now
