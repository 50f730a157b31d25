"""Manual entry of an indicator's value, by its owner or an admin, validated and audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext

from app.assignments import services as assignments
from app.audit.services import record
from app.core.errors import DomainError, StaleEdit
from app.core.formatting import vn_number
from app.core.locking import describes, ensure_version, last_change
from app.extensions import db
from app.indicators.models import Indicator, subject_key
from app.org.models import Unit
from app.scores.models import ImportBatch, ScoreRecord
from app.scores.periods import Period, parse_period
from app.scores.services import MAX_COUNT, ScoreInput, upsert


def enterable(user, unit: Unit | None, *, today: date) -> list[Indicator]:
    """Indicators the user may enter by hand for a unit: owned ones without a portal feed; admins any."""
    from app.indicators.services import catalog

    if unit is None:
        return []
    every = [i for g in catalog() for i in g.indicators if i.is_active]
    if user.role == "admin" and user.can_see_unit(unit):
        return every
    owned = {ind.id for ind, a in assignments.indicators_of(user, today) if a.scope_unit_id == unit.id}
    return [i for i in every if i.id in owned and i.value_source != "portal"]


def entry_units(user, *, today: date) -> list[Unit]:
    """Units whose scorecard the user may enter values for (plans binding them; an admin's whole tree)."""
    from app.org.services import units_in_scope

    scopes = {p.issuing_unit for p in assignments.binding_plans(user)}
    if user.role == "admin":
        scopes |= set(units_in_scope(user, active_only=True))
    return sorted((u for u in scopes if enterable(user, u, today=today)), key=lambda u: u.name)


def _count(text: str, label: str, field: str) -> Decimal:
    """A whole, non-negative count as Vietnamese offices type it ("1.234" and "1 234" are 1234)."""
    from app.core.numbers import NumberError, parse_vn_number

    try:
        value = parse_vn_number(str(text or ""), whole=True)
    except NumberError as exc:
        raise DomainError(f"{label}: {exc}", field) from None
    if value < 0:
        raise DomainError(gettext("%(label)s không được âm.", label=label), field)
    if value >= MAX_COUNT:
        raise DomainError(gettext("%(label)s quá lớn: tối đa 15 chữ số.", label=label), field)
    return value


def entry_periods(today: date, *, months: int = 24, quarters: int = 8, years: int = 3) -> dict[str, list[Period]]:
    """The finished periods offered by the entry page's picker, newest first: months, quarters and years (an older
    period can still be typed in the address, ?period=11/2024)."""
    from app.scores.periods import month_period, quarter_period, year_period

    y, m = today.year, today.month
    month_list = []
    for _ in range(months):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        month_list.append(month_period(y, m))
    q_year, quarter = today.year, (today.month - 1) // 3 + 1
    quarter_list = []
    for _ in range(quarters):
        q_year, quarter = (q_year, quarter - 1) if quarter > 1 else (q_year - 1, 4)
        quarter_list.append(quarter_period(q_year, quarter))
    return {"month": month_list, "quarter": quarter_list,
            "year": [year_period(today.year - i) for i in range(1, years + 1)]}


def current_value(unit: Unit, indicator: Indicator, period: Period) -> ScoreRecord | None:
    """The manual value stored for a unit, indicator and period, if any."""
    return db.session.scalar(sa.select(ScoreRecord).where(
        ScoreRecord.unit_id == unit.id, ScoreRecord.subject_key == subject_key(indicator=indicator),
        ScoreRecord.source == "manual", ScoreRecord.period_kind == period.kind,
        ScoreRecord.period_start == period.start_date, ScoreRecord.formality_code == ""))


def enter(*, unit: Unit, indicator: Indicator, period_text: str, numerator: str, denominator: str, note: str,
          actor, today: date, expected_version: int | None = None) -> ScoreRecord:
    """Store a manual value (source "manual") of a finished period; a correction keeps the old value as a revision.

    `expected_version` is the version of the stored value the user saw (0: none); another one means someone saved
    meanwhile (StaleEdit, nothing written). None: the user was shown no stored value, nothing to compare."""
    if indicator.id not in {i.id for i in enterable(actor, unit, today=today)}:
        raise DomainError(gettext("Bạn không được nhập tay chỉ số này cho đơn vị này (chỉ người phụ trách chỉ số không có "
                                  "nguồn từ Cổng DVCQG, hoặc quản trị)."))
    try:
        period = parse_period(period_text)
    except ValueError as exc:
        raise DomainError(str(exc), "period") from None
    if period.end_date >= today:
        raise DomainError(gettext("Kỳ %(label)s chưa kết thúc: chỉ nhập số liệu của kỳ đã qua.", label=period.label), "period")
    stored = current_value(unit, indicator, period)
    if stored is not None:
        ensure_version(stored, expected_version)
    num, den = _count(numerator, "Tử số", "numerator"), _count(denominator, "Mẫu số", "denominator")
    if num > den:
        raise DomainError(gettext("Tử số (%(num)s) không được lớn hơn mẫu số (%(den)s).", num=vn_number(num, 0),
                                  den=vn_number(den, 0)), "numerator")
    batch = ImportBatch(filename="Nhập tay", sha256="manual", file_format="manual", period_kind=period.kind,
                        period_start=period.start_date, created_by_id=actor.id, rows_total=1)
    db.session.add(batch)
    db.session.flush()
    item = ScoreInput(unit=unit, period=period, source="manual", indicator=indicator, group=indicator.group,
                      numerator=num, denominator=den, note=(note or "").strip())
    result = upsert([item], batch)
    batch.rows_new, batch.rows_changed, batch.rows_unchanged = result.new, result.changed, result.unchanged
    rec = current_value(unit, indicator, period)
    record(actor, "score.manual_entry", rec, after={"unit": unit.code, "indicator": indicator.code,
                                                    "period": period.code, "numerator": num, "denominator": den,
                                                    "points": rec.points})
    return rec


@describes(ScoreRecord)
def _stale_score(rec: ScoreRecord) -> StaleEdit:
    """Who brought the stored value (the manual entry or the import that wrote it), when, and the value."""
    by = rec.batch.created_by if rec.batch is not None else None
    who = by.full_name if by is not None else last_change(rec)[0]
    return StaleEdit(who=who, at=rec.updated_at, record=rec, current=[
        ("Tử số", vn_number(rec.numerator, 0)), ("Mẫu số", vn_number(rec.denominator, 0)),
        ("Điểm", f"{vn_number(rec.points)} / {vn_number(rec.max_points)}")])
