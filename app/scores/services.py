"""Score services: compute points by the catalog, upsert records keeping history, read them back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext

from app.core.errors import DomainError
from app.extensions import db
from app.indicators.models import Indicator, IndicatorGroup, IndicatorRule, subject_key
from app.indicators.scoring import Rule, ratio_of, round2, to_decimal
from app.indicators.services import rules_on
from app.org.models import Unit
from app.scores.models import ImportBatch, ScoreRecord, ScoreRevision
from app.scores.periods import Period

TOLERANCE = Decimal("0.01")
MAX_COUNT = Decimal(10) ** 15  # numerators and denominators: Numeric(18, 2) holds them with room to spare


@dataclass
class ScoreInput:
    """One value to store: an indicator (or a group total) of a unit for a period, from a source."""

    unit: Unit
    period: Period
    source: str
    indicator: Indicator | None = None
    group: IndicatorGroup | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    ratio: Decimal | None = None
    portal_points: Decimal | None = None
    max_points: Decimal | None = None
    formality_code: str = ""
    data_quality: str | None = None
    extra: dict | None = None
    note: str = ""
    row: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def subject_key(self) -> str:
        if self.indicator is not None:
            return subject_key(indicator=self.indicator)
        return subject_key(group=self.group)


@dataclass
class Computed:
    ratio: Decimal | None
    rule_points: Decimal | None
    points: Decimal | None
    max_points: Decimal
    is_mismatch: bool


def compute(item: ScoreInput, rule: IndicatorRule | None) -> Computed:
    """Ratio and points by the catalog rule; the portal's own score, when given, stays the official figure."""
    if item.indicator is None:  # a group total as published (no rule of its own)
        ratio = to_decimal(item.ratio)
        max_points = to_decimal(item.max_points) or Decimal(0)
        return Computed(ratio if ratio is not None else ratio_of(item.numerator, item.denominator), None,
                        to_decimal(item.portal_points), max_points, False)
    if rule is None:
        raise DomainError(gettext("Chỉ số %(indicator)s chưa có quy tắc chấm điểm cho kỳ %(period)s.",
                                  indicator=item.indicator.label, period=item.period.label))
    result = Rule.of(rule).evaluate(numerator=item.numerator, denominator=item.denominator, ratio=item.ratio)
    portal = to_decimal(item.portal_points)
    mismatch = portal is not None and result.points is not None and abs(portal - result.points) > TOLERANCE
    if portal is not None and item.max_points is not None and to_decimal(item.max_points) != rule.max_points:
        item.warnings.append(
            f"Điểm tối đa trong tệp ({item.max_points}) khác danh mục ({rule.max_points}) ở chỉ số "
            f"{item.indicator.label}."
        )
    return Computed(result.ratio, result.points, portal if portal is not None else result.points, rule.max_points,
                    mismatch)


@dataclass
class Change:
    """One value an import adds or changes, for the preview."""

    status: str  # "new" / "changed"
    unit: str
    subject: str
    period: str
    old_points: Decimal | None
    new_points: Decimal | None
    new_ratio: Decimal | None


@dataclass
class UpsertResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    mismatches: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview: list[Change] = field(default_factory=list)

    PREVIEW_SIZE = 40

    def note(self, change: Change) -> None:
        if len(self.preview) < self.PREVIEW_SIZE:
            self.preview.append(change)

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged


def _existing(items: list[ScoreInput]) -> dict[tuple, ScoreRecord]:
    """Records already stored under the natural keys of these items (one query per period and source)."""
    groups: dict[tuple, list[ScoreInput]] = {}
    for i in items:
        groups.setdefault((i.period.kind, i.period.start_date, i.source), []).append(i)
    found: dict[tuple, ScoreRecord] = {}
    for (kind, start, source), chunk in groups.items():
        for rec in db.session.scalars(sa.select(ScoreRecord).where(
            ScoreRecord.period_kind == kind, ScoreRecord.period_start == start, ScoreRecord.source == source,
            ScoreRecord.unit_id.in_({i.unit.id for i in chunk}),
            ScoreRecord.subject_key.in_({i.subject_key for i in chunk}),
            ScoreRecord.formality_code.in_({i.formality_code for i in chunk}),
        )):
            found[(rec.unit_id, rec.subject_key, kind, start, rec.formality_code, source)] = rec
    return found


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, Decimal | int | float) and isinstance(b, Decimal | int | float):
        return Decimal(str(a)).quantize(TOLERANCE / 100) == Decimal(str(b)).quantize(TOLERANCE / 100)
    return a == b


def upsert(items: Iterable[ScoreInput], batch: ImportBatch | None) -> UpsertResult:
    """Insert new values, update changed ones (the old value goes to a revision), skip identical ones.

    Runs inside the caller's transaction and flushes; the caller commits (or rolls back for a dry run).
    """
    items = list(items)
    result = UpsertResult()
    existing = _existing(items)
    pending: dict[tuple, dict] = {}
    rules_cache: dict[date, dict[int, IndicatorRule]] = {}
    for item in items:
        if item.period.start_date not in rules_cache:
            rules_cache[item.period.start_date] = rules_on(item.period.start_date)
        rules = rules_cache[item.period.start_date]
        calc = compute(item, rules.get(item.indicator.id) if item.indicator is not None else None)
        result.warnings.extend(f"Dòng {item.row}: {w}" if item.row else w for w in item.warnings)
        if calc.is_mismatch:
            result.mismatches.append(
                f"{item.unit.code} · {item.subject_key[2:]} · {item.period.code}: cổng {item.portal_points}, "
                f"theo danh mục {calc.rule_points}"
            )
        values = {
            "numerator": to_decimal(item.numerator), "denominator": to_decimal(item.denominator),
            "ratio": round2(calc.ratio) if calc.ratio is not None else None, "points": calc.points,
            "rule_points": calc.rule_points, "portal_points": to_decimal(item.portal_points),
            "max_points": calc.max_points, "is_mismatch": calc.is_mismatch, "data_quality": item.data_quality,
            "note": item.note,
        }
        key = (item.unit.id, item.subject_key, item.period.kind, item.period.start_date, item.formality_code,
               item.source)
        record = existing.get(key)
        label = item.indicator.label if item.indicator is not None else f"Nhóm {item.group.code} (tổng)"
        if record is None:
            if key not in pending:
                result.new += 1
                result.note(Change("new", item.unit.name, label, item.period.label, None, calc.points, values["ratio"]))
            pending[key] = {
                "unit_id": item.unit.id, "subject_key": item.subject_key,
                "indicator_id": item.indicator.id if item.indicator is not None else None,
                "group_id": item.group.id if item.indicator is None else None,
                "period_kind": item.period.kind, "period_start": item.period.start_date,
                "period_end": item.period.end_date, "formality_code": item.formality_code, "source": item.source,
                "extra": item.extra, "batch_id": batch.id if batch is not None else None, **values,
            }
            continue
        if all(_same(getattr(record, k), v) for k, v in values.items()):
            result.unchanged += 1
            continue
        result.changed += 1
        result.note(Change("changed", item.unit.name, label, item.period.label, record.points, calc.points,
                           values["ratio"]))
        db.session.add(ScoreRevision(
            record=record, numerator=record.numerator, denominator=record.denominator, ratio=record.ratio,
            points=record.points, portal_points=record.portal_points, max_points=record.max_points,
            batch_id=record.batch_id, replaced_by_batch_id=batch.id if batch is not None else None,
        ))
        for k, v in values.items():
            setattr(record, k, v)
        record.extra = item.extra
        record.batch = batch
    if pending:
        # New rows go in as one bulk statement (executemany): ~10× faster than one ORM object per row.
        rows = list(pending.values())
        for i in range(0, len(rows), 2000):
            db.session.execute(sa.insert(ScoreRecord), rows[i:i + 2000])
    db.session.flush()
    return result
