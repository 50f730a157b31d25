"""The statistics page reproduces figures worked out by hand on the nine dossiers of the `november` fixture."""

from decimal import Decimal

import pytest

from app.dossiers import stats
from app.org.services import find_unit_by_code
from app.scores.periods import month_period
from app.workdays.services import calendar_around
from tests.dossiers.conftest import NOW

NOV, OCT = month_period(2026, 11), month_period(2026, 10)


def table(unit_code="NS", period=NOV):
    return stats.unit_statistics(find_unit_by_code(unit_code), period, now=NOW, calendar=calendar_around(NOW.date()))


def counts(row) -> dict:
    return {k: row[k] for k in ("carried", "received", "open_late", "open_soon", "open_ok", "done_late",
                                "done_on_time", "done_early")}


def test_the_district_in_november_as_worked_out_by_hand(november):
    t = table()
    rows = {r.unit.code: r for r in t.rows}
    assert set(rows) == {"NS.TP", "NS.MYSON"}
    assert counts(rows["NS.TP"]) == {"carried": 2, "received": 5, "open_late": 1, "open_soon": 1, "open_ok": 1,
                                     "done_late": 2, "done_on_time": 1, "done_early": 1}
    assert (rows["NS.TP"].to_handle, rows["NS.TP"].on_time_rate) == (7, Decimal("50.00"))
    assert counts(rows["NS.MYSON"]) == {"carried": 0, "received": 1, "open_late": 1, "open_soon": 0, "open_ok": 0,
                                        "done_late": 0, "done_on_time": 0, "done_early": 0}
    total = t.total
    assert (total.to_handle, total.done, total.processing) == (8, 4, 4)
    assert total.late_rate == Decimal("50.00")  # (2 open late + 2 done late) ÷ 8
    # indicator 4 the portal's way: of the 6 received in November, C, E and F are on time at the moment → 20 × 3/6
    assert (total["on_time_indicator4"], total.indicator4_points) == (3, Decimal("10.00"))


def test_october_is_seen_at_its_end(november):
    total = table(period=OCT).total
    # A (open at 1/11, due 30/10: late), B (ended 3/11: open at 1/11, due 5/11: not yet due), H (ended 9/10: early)
    assert counts(total) == {"carried": 0, "received": 3, "open_late": 1, "open_soon": 0, "open_ok": 1,
                             "done_late": 0, "done_on_time": 0, "done_early": 1}


def test_a_commune_sees_only_its_own(november):
    t = table("NS.MYSON")
    assert [(r.unit.code, r.is_own) for r in t.rows] == [("NS.MYSON", True)]
    assert t.total["open_late"] == 1


@pytest.mark.parametrize(("bucket", "codes"), [
    ("carried", ["B", "A"]), ("open_late", ["I", "A"]), ("open_soon", ["E"]), ("open_ok", ["F"]),
    ("done_late", ["G", "D"]), ("done_on_time", ["C"]), ("done_early", ["B"]),
])
def test_each_count_lists_its_dossiers(november, bucket, codes):
    c = stats.Window.of(NOV, now=NOW, calendar=calendar_around(NOW.date()))
    _children, top = stats.subtree_map(find_unit_by_code("NS"))
    rows, total = stats.dossiers_in(set(top), c, bucket)
    assert [d.code for d in rows] == codes and total == len(codes)


def test_the_page_shows_the_table_and_links_each_count(november, client, auth, clock):
    clock.move_to(NOW)
    auth.login("hungdv")
    ns = find_unit_by_code("NS")
    page = client.get(f"/dossiers/stats?unit={ns.id}&period=2026-11").get_data(as_text=True)
    assert "Tình hình giải quyết hồ sơ: UBND huyện Ninh Sơn" in page
    assert "Phòng Tư pháp" in page and "UBND xã Mỹ Sơn" in page
    tp = find_unit_by_code("NS.TP")
    listing = client.get(f"/dossiers/?unit={tp.id}&period=2026-11&bucket=open_late")
    assert listing.status_code == 200 and ">A</a>" in listing.get_data(as_text=True)
    assert "Nguyễn Phương Thảo" in listing.get_data(as_text=True)


def test_a_dossier_shows_who_holds_it(november, client, auth, db, clock):
    from app.dossiers.models import Dossier

    clock.move_to(NOW)
    auth.login("hungdv")
    a = db.session.scalar(db.select(Dossier).where(Dossier.code == "A"))
    page = client.get(f"/dossiers/{a.id}").get_data(as_text=True)
    assert "Đang giữ hồ sơ" in page and "Nguyễn Phương Thảo" in page and "Trễ hạn 21 ngày" in page


def test_the_quarterly_report_carries_the_dossier_figures(november, db):
    from app.reports.dossier_figures import dossier_stats
    from app.scores.periods import quarter_period

    stats_ = dossier_stats(find_unit_by_code("NS"), quarter_period(2026, 4), now=NOW)
    rows = dict(stats_.rows)
    # Q4 up to 20/11: A, B, C, D, E, F, G, I received in the quarter (H ended in October, also Q4)
    assert rows["Tiếp nhận trong quý"] == "9" and rows["Đã xử lý trễ hạn"] == "2"
    assert rows["Đang xử lý, trễ hạn (cuối quý)"] == "2"
    assert dossier_stats(find_unit_by_code("NS.VP"), quarter_period(2026, 4), now=NOW) is None  # no dossier
