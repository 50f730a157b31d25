"""Demo scores of the Ninh Sơn demo: realistic, deterministic monthly, quarterly and yearly values.

Assessed units: the province NT, every district under it (NS and its 6 siblings) and NS's 8 communes.
Every one of the 21 catalog indicators gets integer counts for every month from 08/2022 (the scorecard's
launch) through the last full month before `until`; ratio and points come from `app.scores.services.compute()`
so the demo agrees exactly with the catalog rules. The trajectory maths live in `app.demo.trends`.

Aggregates sum the months' numerators and denominators, then score the sums by the same rule:
- a quarter is included when every one of its months since the launch was generated (so 2022-Q3 holds
  August and September 2022, the only scored months of that quarter);
- a year likewise, and the CURRENT year (the one of the last generated month) is included as year-to-date,
  as the portal does (its "năm 2022" figure in September 2022 covered 01/8–12/9). Such partial aggregates
  carry a note saying which months they cover.
Periods starting before the launch are scored by the rules in force at the launch (`rules_on(launch)`).

Scripted events: a Tết dip every January / February; NS's indicator 4 (PROGRESS_ON_TIME) sags from April
to September 2024 (an interim owner); in the LAST generated month NS's indicator 4 falls into the lowest band
and more than 2 points below the month before, and NS's indicator 10 (PAYMENT_DOSSIERS) turns red too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.demo import data, trends
from app.extensions import db
from app.indicators import catalog_data
from app.indicators.models import CatalogVersion, Indicator
from app.indicators.scoring import round2
from app.indicators.services import rules_on
from app.org.models import Unit
from app.scores.models import ImportBatch, ScoreRecord
from app.scores.periods import Period, month_period, quarter_period, year_period
from app.scores.services import ScoreInput, compute

SOURCE = "portal"
CHUNK = 5000
RED_INDICATORS = ("PROGRESS_ON_TIME", "PAYMENT_DOSSIERS")


def assessed_codes() -> list[str]:
    """Codes of the assessed demo units: province, its districts, the demo district's communes."""
    district = data.DISTRICT[0]
    communes = [code for code, _, kind, parent in data.UNITS if kind == "commune" and parent == district]
    return [data.PROVINCE[0], district, *(code for code, _ in data.SIBLING_DISTRICTS), *communes]


def _index(year: int, month: int) -> int:
    """Month index from the launch (0 = 08/2022)."""
    return (year * 12 + month) - (trends.LAUNCH.year * 12 + trends.LAUNCH.month)


def _units(unit_codes: list[str] | None) -> list[Unit]:
    codes = assessed_codes() if unit_codes is None else list(unit_codes)
    found = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}
    missing = [c for c in codes if c not in found]
    if missing and unit_codes is not None:
        raise ValueError(f"Không tìm thấy đơn vị: {', '.join(missing)}")
    return [found[c] for c in codes if c in found]


def _aggregates(first: int, last: int) -> list[tuple[Period, list[int], str]]:
    """(period, month indexes, note) of every quarter and year whose scored months were all generated."""
    out = []
    first_year, last_year = trends.month_at(first)[0], trends.month_at(last)[0]
    for year in range(first_year, last_year + 1):
        for quarter in range(1, 5):
            months = [i for m in range(3 * quarter - 2, 3 * quarter + 1) if (i := _index(year, m)) >= 0]
            if months and months[0] >= first and months[-1] <= last:
                out.append((quarter_period(year, quarter), months, _note(months, 3)))
        months = [i for m in range(1, 13) if 0 <= (i := _index(year, m)) <= last]
        if months and months[0] >= first:
            out.append((year_period(year), months, _note(months, 12)))
    return out


def _note(months: list[int], full: int) -> str:
    if len(months) == full:
        return ""
    (y1, m1), (y2, m2) = trends.month_at(months[0]), trends.month_at(months[-1])
    return f"Lũy kế tháng {m1:02d}/{y1}–{m2:02d}/{y2} ({len(months)} tháng có số liệu)."


def _monthly(units: list[Unit], codes: list[str], last: int) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(unit code, indicator code) → (numerator, denominator) for months 0..last."""
    n = last + 1
    province = data.PROVINCE[0]
    prov_profile = trends.profile(province, "province")
    prov_vols = trends.volumes(province, prov_profile, n)
    shared = {c: trends.series(province, prov_profile, c, prov_vols) for c in trends.PROVINCE_WIDE}
    out = {}
    for unit in units:
        prof = trends.profile(unit.code, unit.kind)
        vols = trends.volumes(unit.code, prof, n)
        for code in codes:
            if code in shared:
                out[unit.code, code] = shared[code]
                continue
            overrides = None
            if unit.code == data.DISTRICT[0] and code in RED_INDICATORS:
                overrides = {last: trends.ns_red_last_month(code)}
            out[unit.code, code] = trends.series(unit.code, prof, code, vols, overrides=overrides)
    return out


def generate(until: date, *, start: date = trends.LAUNCH, unit_codes: list[str] | None = None) -> list[dict]:
    """Score rows (dicts ready for a bulk insert into ScoreRecord) from `start`'s month to the month before `until`.

    Months before the launch (08/2022) are never generated; `batch_id` is None (set by `load`).
    """
    first = max(0, _index(start.year, start.month))
    last = _index(until.year, until.month) - 1
    if last < first:
        return []
    units = _units(unit_codes)
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator))}
    codes = [d["code"] for d in catalog_data.INDICATORS if d["code"] in indicators]
    monthly = _monthly(units, codes, last)
    periods = [(month_period(*trends.month_at(i)), [i], "") for i in range(first, last + 1)]
    periods += _aggregates(first, last)
    rules_for = _rules_lookup()
    rows = []
    for period, months, note in periods:
        rules = rules_for(max(period.start_date, trends.LAUNCH))
        for unit in units:
            for code in codes:
                values = monthly[unit.code, code]
                num = sum(values[i][0] for i in months)
                den = sum(values[i][1] for i in months)
                rows.append(_row(unit, indicators[code], period, num, den, rules.get(indicators[code].id), note))
    return rows


def _rules_lookup():
    """date → rules in force (keyed by indicator id), one query per catalog version actually used."""
    starts = sorted(db.session.scalars(sa.select(CatalogVersion.effective_from)))
    cache: dict[date | None, dict] = {}

    def rules_for(on: date) -> dict:
        version_from = next((d for d in reversed(starts) if d <= on), None)
        if version_from not in cache:
            cache[version_from] = rules_on(version_from) if version_from is not None else {}
        return cache[version_from]

    return rules_for


def _row(unit: Unit, indicator: Indicator, period: Period, num: int, den: int, rule, note: str) -> dict:
    item = ScoreInput(unit=unit, period=period, source=SOURCE, indicator=indicator,
                      numerator=Decimal(num), denominator=Decimal(den))
    calc = compute(item, rule)
    return {
        "unit_id": unit.id, "subject_key": item.subject_key, "indicator_id": indicator.id, "group_id": None,
        "period_kind": period.kind, "period_start": period.start_date, "period_end": period.end_date,
        "formality_code": "", "source": SOURCE, "numerator": Decimal(num), "denominator": Decimal(den),
        "ratio": round2(calc.ratio) if calc.ratio is not None else None, "points": calc.points,
        "rule_points": calc.rule_points, "portal_points": None, "max_points": calc.max_points,
        "is_mismatch": False, "data_quality": None, "extra": None, "note": note, "batch_id": None,
    }


def demo_scores_exist(unit_ids: list[int] | None = None) -> bool:
    """True when a demo batch has scores, or (given unit ids) any of those units has a score at all."""
    query = sa.select(ScoreRecord.id).join(ImportBatch, ScoreRecord.batch_id == ImportBatch.id).where(
        ImportBatch.file_format == "demo")
    if db.session.scalar(query.limit(1)) is not None:
        return True
    return bool(unit_ids) and db.session.scalar(
        sa.select(ScoreRecord.id).where(ScoreRecord.unit_id.in_(unit_ids)).limit(1)) is not None


def load(until: date, *, start: date = trends.LAUNCH, unit_codes: list[str] | None = None) -> int:
    """Bulk-insert the demo scores under one demo ImportBatch; 0 (nothing done) if scores are already there.

    Skips when any demo score exists, or when the target units already hold scores (a real import must not
    collide with the demo). Flushes; the caller commits.
    """
    units = _units(unit_codes)
    if not units or demo_scores_exist([u.id for u in units]):
        return 0
    rows = generate(until, start=start, unit_codes=unit_codes)
    if not rows:
        return 0
    batch = ImportBatch(filename="demo", sha256="demo", file_format="demo", scope="all",
                        rows_total=len(rows), rows_new=len(rows))
    db.session.add(batch)
    db.session.flush()
    for row in rows:
        row["batch_id"] = batch.id
        del row["extra"]  # omitted so the JSON column holds SQL NULL, not JSON 'null'
    for i in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(ScoreRecord), rows[i:i + CHUNK])
    db.session.flush()
    return len(rows)
