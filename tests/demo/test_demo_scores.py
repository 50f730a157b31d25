"""Demo scores (app.demo.scores): complete, deterministic, scored by the catalog rule, bulk-loaded once."""

import time
from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.demo import scores as demo_scores
from app.indicators import catalog_data
from app.indicators.models import Indicator
from app.indicators.services import rules_on
from app.org.models import Unit
from app.scores.models import ImportBatch, ScoreRecord
from app.scores.periods import month_period, quarter_period, year_period
from app.scores.services import ScoreInput, compute

START, UNTIL = date(2024, 1, 1), date(2024, 8, 15)  # months 01–07/2024, Q1 and Q2, 2024 year-to-date
SHORT_PERIODS = (
    [month_period(2024, m) for m in range(1, 8)] + [quarter_period(2024, 1), quarter_period(2024, 2)]
    + [year_period(2024)]
)
ASSESSED = demo_scores.assessed_codes()
CODES = [d["code"] for d in catalog_data.INDICATORS]


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ScoreRecord))


def _load_short(db) -> int:
    n = demo_scores.load(UNTIL, start=START)
    db.session.commit()
    return n


def _codes(db) -> dict[int, str]:
    return {u.id: u.code for u in db.session.scalars(sa.select(Unit))}


def _month_totals(db, unit_code: str) -> dict[date, Decimal]:
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
    rows = db.session.execute(
        sa.select(ScoreRecord.period_kind, ScoreRecord.period_start, ScoreRecord.points)
        .where(ScoreRecord.unit_id == unit.id))
    out = defaultdict(Decimal)
    for kind, start, points in rows:
        out[kind, start] += points
    return out


def _points(db, unit_code: str, code: str, start: date) -> Decimal:
    return db.session.scalar(sa.select(ScoreRecord.points).join(Unit, ScoreRecord.unit_id == Unit.id).where(
        Unit.code == unit_code, ScoreRecord.subject_key == f"I:{code}", ScoreRecord.period_kind == "month",
        ScoreRecord.period_start == start))


def test_the_assessed_units_are_the_province_its_districts_and_ns_communes():
    assert len(ASSESSED) == 16 and ASSESSED[:2] == ["NT", "NS"]
    assert {"NT.PRTC", "NT.BA", "NS.TANSON", "NS.MANOI"} <= set(ASSESSED)
    assert len(CODES) == 21


def test_a_short_range_has_every_unit_indicator_and_period(demo, db):
    n = _load_short(db)
    assert n == len(ASSESSED) * 21 * len(SHORT_PERIODS) == _count(db)
    codes = _codes(db)
    have = {(codes[r.unit_id], r.subject_key, r.period_kind, r.period_start)
            for r in db.session.scalars(sa.select(ScoreRecord))}
    want = {(u, f"I:{c}", p.kind, p.start_date) for u in ASSESSED for c in CODES for p in SHORT_PERIODS}
    assert have == want
    batch = db.session.scalar(sa.select(ImportBatch))
    assert (batch.file_format, batch.filename, batch.rows_total) == ("demo", "demo", n)
    assert {r.batch_id for r in db.session.scalars(sa.select(ScoreRecord))} == {batch.id}
    year = db.session.scalar(sa.select(ScoreRecord).where(ScoreRecord.period_kind == "year").limit(1))
    assert year.period_end == date(2024, 12, 31) and "01/2024–07/2024" in year.note  # year to date
    assert all(r.source == "portal" and r.formality_code == "" and r.extra is None and not r.is_mismatch
               for r in db.session.scalars(sa.select(ScoreRecord)))


def test_loading_twice_inserts_nothing_the_second_time(demo, db):
    first = _load_short(db)
    assert first > 0
    assert demo_scores.load(UNTIL, start=START) == 0
    assert demo_scores.load(date(2026, 11, 30)) == 0
    db.session.commit()
    assert _count(db) == first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 1


def test_every_value_is_scored_by_the_catalog_rule(demo, db):
    _load_short(db)
    indicators = {i.id: i for i in db.session.scalars(sa.select(Indicator))}
    units = {u.id: u for u in db.session.scalars(sa.select(Unit))}
    periods = {(p.kind, p.start_date): p for p in SHORT_PERIODS}
    rules = rules_on(START)
    sums = defaultdict(lambda: [0, 0])
    for r in db.session.scalars(sa.select(ScoreRecord)):
        item = ScoreInput(unit=units[r.unit_id], period=periods[r.period_kind, r.period_start], source="portal",
                          indicator=indicators[r.indicator_id], numerator=r.numerator, denominator=r.denominator)
        calc = compute(item, rules[r.indicator_id])
        assert (r.points, r.rule_points, r.max_points) == (calc.points, calc.points, calc.max_points)
        assert r.ratio == (calc.ratio.quantize(Decimal("0.01")) if calc.ratio is not None else None)
        assert Decimal(0) <= r.points <= r.max_points
        assert r.numerator == int(r.numerator) and r.denominator == int(r.denominator)
        assert 0 <= r.numerator <= r.denominator
        if r.period_kind == "month":
            quarter = (r.period_start.month - 1) // 3 + 1
            for key in ((r.unit_id, r.indicator_id, "quarter", quarter_period(2024, quarter).start_date),
                        (r.unit_id, r.indicator_id, "year", date(2024, 1, 1))):
                sums[key][0] += int(r.numerator)
                sums[key][1] += int(r.denominator)
    for r in db.session.scalars(sa.select(ScoreRecord).where(ScoreRecord.period_kind != "month")):
        if (r.unit_id, r.indicator_id, r.period_kind, r.period_start) in sums:
            assert [r.numerator, r.denominator] == sums[r.unit_id, r.indicator_id, r.period_kind, r.period_start]


def test_unit_totals_stay_within_100_and_group_i_is_the_province_figure(demo, db):
    _load_short(db)
    totals = defaultdict(Decimal)
    province_wide = defaultdict(set)
    for r in db.session.scalars(sa.select(ScoreRecord).where(ScoreRecord.period_kind == "month")):
        totals[r.unit_id, r.period_start] += r.points
        if r.subject_key[2:] in ("PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL"):
            province_wide[r.subject_key, r.period_start].add((r.numerator, r.denominator, r.points))
    assert len(totals) == len(ASSESSED) * 7
    assert all(Decimal(0) <= t <= Decimal(100) for t in totals.values())
    assert len(province_wide) == 3 * 7 and all(len(v) == 1 for v in province_wide.values())


def test_generation_is_deterministic_and_independent_of_the_range(demo, db):
    one = demo_scores.generate(UNTIL, start=START, unit_codes=["NS", "NS.MANOI"])
    two = demo_scores.generate(UNTIL, start=START, unit_codes=["NS", "NS.MANOI"])
    assert one == two and len(one) == 2 * 21 * len(SHORT_PERIODS)
    wider = demo_scores.generate(date(2024, 10, 1), start=date(2023, 11, 1), unit_codes=["NS", "NS.MANOI"])
    march = [r for r in one if r["period_kind"] == "month" and r["period_start"] == date(2024, 3, 1)]
    assert march == [r for r in wider if r["period_kind"] == "month" and r["period_start"] == date(2024, 3, 1)]


def test_the_full_default_range_tells_the_ninh_son_story(demo, db, capsys):
    began = time.perf_counter()
    n = demo_scores.load(date(2026, 11, 30))
    db.session.commit()
    elapsed = time.perf_counter() - began
    with capsys.disabled():
        print(f"\n  demo scores: {n} rows loaded in {elapsed:.2f} s ({db.engine.dialect.name})")
    months, quarters, years = 51, 17, 5  # 08/2022–10/2026; 2022-Q3 … 2026-Q3; 2022 … 2026 (to date)
    assert n == len(ASSESSED) * 21 * (months + quarters + years) == _count(db)
    last = db.session.scalar(sa.select(sa.func.max(ScoreRecord.period_start)).where(
        ScoreRecord.period_kind == "month"))
    assert last == date(2026, 10, 1)

    ns = _month_totals(db, "NS")
    assert 25 <= ns["month", date(2022, 8, 1)] <= 40
    assert all(70 <= ns["month", date(2026, m, 1)] <= 95 for m in range(1, 11))
    assert 25 <= ns["year", date(2022, 1, 1)] <= 40 and 70 <= ns["year", date(2026, 1, 1)] <= 95
    for year in (2023, 2024, 2025, 2026):  # a dip at every Tết
        assert min(ns["month", date(year, 1, 1)], ns["month", date(year, 2, 1)]) < ns["month", date(year - 1, 12, 1)]

    def p4(year, month):
        return _points(db, "NS", "PROGRESS_ON_TIME", date(year, month, 1))

    interim = [p4(2024, m) for m in range(4, 10)]
    assert max(interim[1:5]) < p4(2024, 3) and max(interim) < p4(2024, 10) - 3
    assert p4(2026, 10) < 10 and p4(2026, 9) - p4(2026, 10) > 2
    assert _points(db, "NS", "PAYMENT_DOSSIERS", date(2026, 10, 1)) < 3  # a second red indicator
    assert _points(db, "NS", "PAYMENT_DOSSIERS", date(2026, 9, 1)) >= 3

    communes = [c for c in ASSESSED if c.startswith("NS.")]
    by_commune = {c: _month_totals(db, c) for c in communes}
    yearly = {c: by_commune[c]["year", date(2025, 1, 1)] for c in communes}
    assert min(yearly, key=yearly.get) == "NS.MANOI" and max(yearly, key=yearly.get) == "NS.TANSON"
    orders = {tuple(sorted(communes, key=lambda c, m=m: -by_commune[c]["month", date(2026, m, 1)]))
              for m in range(1, 11)}
    assert len(orders) >= 5  # ranks among siblings move from month to month
