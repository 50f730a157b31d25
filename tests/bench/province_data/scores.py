"""Monthly portal scores of every unit and indicator for the last `months` closed months, with the quarters and
years those months complete (the current year as year-to-date), and the group totals the portal publishes
(III.1, III.2), each period under one import batch.

Ratios follow the demo's trajectories (app.demo.trends.SPECS: a climb from the 08/2022 launch to a plateau, a
unit's skill, AR(1) wobble, the Tết dip), so weak units show reds on the hard indicators. Points come from the
catalog's rules (app.indicators.scoring.Rule), as an import would give them. The manifest commune's indicator 4
falls red in the last month, so its officer has a red indicator to explain.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.demo.trends import SPECS, tet_weight
from app.indicators.catalog_data import GROUPS
from app.indicators.scoring import Rule, round2
from app.scores.periods import Period, month_period, quarter_period, year_period

LAUNCH_INDEX = 2022 * 12 + 7  # months counted from 08/2022
CLIMB = 50
TOTAL_GROUPS = ("III.1", "III.2")
BATCH_COLUMNS = ("id", "filename", "sha256", "file_format", "portal_group", "period_kind", "period_start", "scope",
                 "rows_total", "rows_new", "rows_changed", "rows_unchanged", "warnings", "created_at",
                 "created_by_id")
RECORD_COLUMNS = ("id", "unit_id", "subject_key", "indicator_id", "group_id", "period_kind", "period_start",
                  "period_end", "formality_code", "source", "numerator", "denominator", "ratio", "points",
                  "rule_points", "portal_points", "max_points", "is_mismatch", "data_quality", "extra", "note",
                  "batch_id", "created_at", "updated_at", "version")


def month_list(last: date, months: int) -> list[tuple[int, int]]:
    end = last.year * 12 + last.month - 1
    return [(i // 12, i % 12 + 1) for i in range(end - months + 1, end + 1)]


def periods(months: list[tuple[int, int]]) -> list[tuple[Period, list[tuple[int, int]], str]]:
    """(period, its months, note): every month, every complete quarter, every year whose generated months run
    from January (complete, or the last year as year-to-date)."""
    have = set(months)
    out = [(month_period(y, m), [(y, m)], "") for y, m in months]
    for y in sorted({y for y, _ in months}):
        for q in range(1, 5):
            inside = [(y, m) for m in range(3 * q - 2, 3 * q + 1)]
            if all(k in have for k in inside):
                out.append((quarter_period(y, q), inside, ""))
        inside = [(y, m) for m in range(1, 13) if (y, m) in have]
        if (y, 1) in have:
            note = "" if len(inside) == 12 else f"Lũy kế tháng 01–{inside[-1][1]:02d}/{y}."
            out.append((year_period(y), inside, note))
    return out


def _volume(unit_kind: str, rng: random.Random) -> tuple[float, float, float]:
    """(dossiers per month, procedures, petitions per month) of a unit."""
    if unit_kind == "province":
        return 166_000.0, 1_650.0, 12.0
    if unit_kind == "department":
        return rng.uniform(1_500, 6_000), rng.uniform(60, 160), rng.uniform(0.3, 2.5)
    return rng.uniform(250, 1_000), rng.uniform(150, 200), rng.uniform(0.05, 0.5)


def _shape(skill: float, last: int) -> list[float]:
    """Share of the climb from launch to plateau reached at each month index (0 = the launch), for one unit."""
    span = CLIMB - 10 * skill
    return [1 - (1 - min(1.0, i / span)) ** 2 for i in range(last + 1)]


def _series(rng: random.Random, spec, skill: float, volume: tuple, shape: list[float], dips: list[float],
            wanted: list[int]) -> list[tuple[int, int]]:
    """(numerator, denominator) of the wanted month indexes. The trajectory runs from the launch with its own
    generator, so a month's value never depends on how many months are generated."""
    dossiers, tthc, petitions = volume
    gauss, noise = rng.gauss, spec.noise
    draws = [gauss(0, noise) for _ in shape]
    base, rise, lift = spec.start, spec.end - spec.start, skill * spec.spread * 1.6
    ratios, wobble = [], 0.0
    for i, share in enumerate(shape):
        wobble = 0.6 * wobble + draws[i]
        ratios.append(max(0.0, min(100.0, base + rise * share + lift + wobble - spec.tet * dips[i])))
    out = []
    for i in wanted:
        if spec.base == "dossiers":
            den = int(dossiers * spec.factor * rng.uniform(0.85, 1.15))
        elif spec.base in ("tthc", "published"):
            den = int(tthc * spec.factor)
        else:
            lam, den, p = math.exp(-petitions * spec.factor * 3), 0, rng.random()
            while p > lam:
                den, p = den + 1, p * rng.random()
        out.append((round(den * ratios[i] / 100), den))
    return out


def build(seed: int, last: date, months: int, units: list, indicators: list[dict], groups: dict[str, int],
          rules: dict, admin_id: int, red: tuple[int, str]) -> tuple[list[tuple], Iterator[tuple]]:
    """(import batch rows, score record rows). `rules`: catalog version start → {indicator id: Rule};
    `red`: (unit id, indicator code) forced into the lowest band in the last month."""
    month_keys = month_list(last, months)
    plan = periods(month_keys)
    batches = []
    for i, (period, _, _) in enumerate(plan, 1):
        made = datetime.combine(period.end_date + timedelta(days=6), datetime.min.time(), UTC) + timedelta(hours=2)
        name = f"dvcqg-{period.kind}-{period.code}.json"
        batches.append((i, name, f"{i:064x}", "portal-json", None, period.kind, period.start_date, "all", 0, 0, 0,
                        0, None, made, admin_id))
    return batches, _records(seed, month_keys, plan, batches, units, indicators, groups, rules, red)


def _rule_on(rules: dict, on: date) -> dict:
    starts = [s for s in sorted(rules) if s <= on]
    return rules[starts[-1] if starts else min(rules)]


def _records(seed, month_keys, plan, batches, units, indicators, groups, rules, red) -> Iterator[tuple]:
    rid = 0
    last = month_keys[-1][0] * 12 + month_keys[-1][1] - 1 - LAUNCH_INDEX
    dips = [tet_weight(i // 12, i % 12 + 1) for i in range(LAUNCH_INDEX, LAUNCH_INDEX + last + 1)]
    wanted = [y * 12 + m - 1 - LAUNCH_INDEX for y, m in month_keys]
    group_max = {g["code"]: Decimal(g["max_points"]) for g in GROUPS}
    for unit in units:
        rng = random.Random(f"{seed}/scores/{unit.code}")
        skill = max(-1.0, min(1.0, rng.gauss(0.0, 0.45)))
        volume = _volume(unit.kind, rng)
        own = [ind for ind in indicators if unit.kind in ind["levels"].split(",")]
        shape = _shape(skill, last)
        series = {ind["code"]: _series(random.Random(f"{seed}/scores/{unit.code}/{ind['code']}"), SPECS[ind["code"]],
                                       skill, volume, shape, dips, wanted) for ind in own}
        if unit.id == red[0] and red[1] in series:
            num, den = series[red[1]][-1]
            series[red[1]][-1] = (round(den * 0.38), den)
        position = {k: i for i, k in enumerate(month_keys)}
        for (period, inside, note), batch in zip(plan, batches, strict=True):
            rule_set = _rule_on(rules, period.start_date)
            made = batch[13]
            totals: dict[str, Decimal] = {}
            for ind in own:
                values = series[ind["code"]]
                num = sum(values[position[k]][0] for k in inside)
                den = sum(values[position[k]][1] for k in inside)
                rule: Rule = rule_set[ind["id"]]
                score = rule.evaluate(numerator=num, denominator=den)
                ratio = round2(score.ratio) if score.ratio is not None else None
                rid += 1
                yield (rid, unit.id, f"I:{ind['code']}", ind["id"], None, period.kind, period.start_date,
                       period.end_date, "", "portal", Decimal(num), Decimal(den), ratio, score.points, score.points,
                       None, rule.max_points, False, None, None, note, batch[0], made, made, 1)
                if ind["group"] in TOTAL_GROUPS:
                    totals[ind["group"]] = totals.get(ind["group"], Decimal(0)) + (score.points or Decimal(0))
            for code, points in totals.items():
                rid += 1
                points = min(points, group_max[code])
                yield (rid, unit.id, f"G:{code}", None, groups[code], period.kind, period.start_date,
                       period.end_date, "", "portal", None, None, None, points, points, None, group_max[code],
                       False, None, None, note, batch[0], made, made, 1)
