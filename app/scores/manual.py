"""Manual entry of an indicator's value, by its owner or an admin, validated and audited."""

from __future__ import annotations

from decimal import Decimal

from app.assignments import services as assignments
from app.audit.services import record
from app.core.errors import DomainError
from app.core.time import today_vn
from app.indicators.models import Indicator
from app.org.models import Unit
from app.scores.models import ImportBatch, ScoreRecord
from app.scores.periods import parse_period
from app.scores.services import ScoreInput, upsert


def enterable(user, unit: Unit) -> list[Indicator]:
    """Indicators the user may enter by hand for a unit: owned ones without a portal feed; admins any."""
    from app.indicators.services import catalog

    every = [i for g in catalog() for i in g.indicators if i.is_active]
    if user.role == "admin" and user.can_see_unit(unit):
        return every
    owned = {ind.id for ind, a in assignments.indicators_of(user) if a.scope_unit_id == unit.id}
    return [i for i in every if i.id in owned and i.value_source != "portal"]


def _count(text: str, label: str, field: str) -> Decimal:
    """A whole, non-negative count; "1.234" and "1 234" are read as 1234."""
    digits = str(text or "").strip().replace(" ", "").replace(".", "")
    if not digits.isdigit():
        raise DomainError(f"{label} phải là số nguyên không âm (ví dụ 1.234), không phải «{text}».", field)
    return Decimal(digits)


def enter(*, unit: Unit, indicator: Indicator, period_text: str, numerator: str, denominator: str, note: str,
          actor) -> ScoreRecord:
    """Store a manual value (source "manual"); a correction keeps the previous value as a revision."""
    if indicator.id not in {i.id for i in enterable(actor, unit)}:
        raise DomainError("Bạn không được nhập tay chỉ số này cho đơn vị này (chỉ người phụ trách chỉ số "
                          "không có nguồn từ Cổng DVCQG, hoặc quản trị).")
    try:
        period = parse_period(period_text)
    except ValueError as exc:
        raise DomainError(str(exc), "period") from None
    if period.end_date >= today_vn():
        raise DomainError(f"Kỳ {period.label} chưa kết thúc: chỉ nhập số liệu của kỳ đã qua.", "period")
    num, den = _count(numerator, "Tử số", "numerator"), _count(denominator, "Mẫu số", "denominator")
    if num > den:
        raise DomainError(f"Tử số ({num}) không được lớn hơn mẫu số ({den}).", "numerator")
    batch = ImportBatch(filename="Nhập tay", sha256="manual", file_format="manual", period_kind=period.kind,
                        period_start=period.start_date, created_by_id=actor.id, rows_total=1)
    from app.extensions import db

    db.session.add(batch)
    db.session.flush()
    item = ScoreInput(unit=unit, period=period, source="manual", indicator=indicator, group=indicator.group,
                      numerator=num, denominator=den, note=(note or "").strip())
    result = upsert([item], batch)
    batch.rows_new, batch.rows_changed, batch.rows_unchanged = result.new, result.changed, result.unchanged
    rec = db.session.scalar(db.select(ScoreRecord).where(
        ScoreRecord.unit_id == unit.id, ScoreRecord.subject_key == item.subject_key, ScoreRecord.source == "manual",
        ScoreRecord.period_kind == period.kind, ScoreRecord.period_start == period.start_date))
    record(actor, "score.manual_entry", rec, after={"unit": unit.code, "indicator": indicator.code,
                                                    "period": period.code, "numerator": num, "denominator": den,
                                                    "points": rec.points})
    return rec
