"""Who answered for each score: owner trends, red indicators, explanations and their alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app.alerts.models import Alert
from app.assignments import services as assignments
from app.assignments.models import Assignment
from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError
from app.core.time import now_utc
from app.extensions import db
from app.indicators.models import Indicator
from app.org.models import Unit
from app.scores import queries
from app.scores.models import Explanation
from app.scores.periods import Period


def _in_force(history: list[Assignment], on: date) -> Assignment | None:
    return next((a for a in history if a.is_in_force(on)), None)


class OwnerBook:
    """Resolves the owner of indicators of one scope on any date from preloaded history (no query per period)."""

    def __init__(self, scope_unit_id: int):
        self.scope_unit_id = scope_unit_id
        rows = db.session.scalars(sa.select(Assignment).options(*assignments._LOAD)
                                  .where(Assignment.scope_unit_id == scope_unit_id)).all()
        self.by_key: dict[str, list[Assignment]] = {}
        for a in rows:
            self.by_key.setdefault(a.subject_key, []).append(a)

    def owner(self, indicator: Indicator, on: date) -> Assignment | None:
        return (_in_force(self.by_key.get(f"I:{indicator.code}", []), on)
                or _in_force(self.by_key.get(f"G:{indicator.group.code}", []), on))


@dataclass
class TrendPoint:
    period: Period
    record: object
    owner: Assignment | None
    is_mine: bool


@dataclass
class IndicatorTrend:
    indicator: Indicator
    scope_unit: Unit
    points: list[TrendPoint] = field(default_factory=list)

    def series_by_owner(self) -> list[tuple[str, list]]:
        """One line per owner (points where they held it, None elsewhere); each line also takes the first
        point of the next owner so that the hand-over draws as one continuous line in two colours."""
        out = []
        for owner in self.owners:
            name = owner.performer_text
            held = [p.owner is not None and p.owner.performer_text == name for p in self.points]
            out.append((name, [p.record.points if held[j] or (j + 1 < len(held) and held[j + 1]) else None
                               for j, p in enumerate(self.points)]))
        return out

    @property
    def owners(self) -> list[Assignment]:
        seen, out = set(), []
        for p in self.points:
            if p.owner is not None and p.owner.performer_text not in seen:
                seen.add(p.owner.performer_text)
                out.append(p.owner)
        return out


def owner_trends(user: User, kind: str = "month", since: date | None = None) -> list[IndicatorTrend]:
    """Every indicator the user owned at some time, with the scope unit's points per period and who owned each."""
    mine = assignments.assignments_of_user(user)
    subjects: dict[tuple[int, int], Indicator] = {}
    for a in mine:
        inds = [a.indicator] if a.indicator is not None else [
            i for i in a.group.indicators if assignments.applies(i, a.scope_unit)]
        for ind in inds:
            subjects[(a.scope_unit_id, ind.id)] = ind
    by_scope: dict[int, list[Indicator]] = {}
    for (scope_id, _), ind in sorted(subjects.items(), key=lambda kv: (kv[1].group.sort_order, kv[1].sort_order)):
        by_scope.setdefault(scope_id, []).append(ind)
    out = []
    for scope_id, indicators in by_scope.items():
        book, scope = OwnerBook(scope_id), db.session.get(Unit, scope_id)
        by_subject = queries.series_by_subject([scope], kind, indicators, since)
        for ind in indicators:
            series = by_subject.get(f"I:{ind.code}", {}).get(scope_id, {})
            trend = IndicatorTrend(ind, scope)
            for start in sorted(series):
                period = queries.period_of(kind, start)
                owner = book.owner(ind, period.end_date)
                trend.points.append(TrendPoint(period, series[start], owner,
                                               owner is not None and assignments.performs(owner, user)))
            if any(p.is_mine for p in trend.points) or not trend.points:
                out.append(trend)
    return out


@dataclass
class RedItem:
    line: queries.Line
    reasons: list[str]
    owner: Assignment | None
    explanation: Explanation | None

    @property
    def indicator(self) -> Indicator:
        return self.line.indicator


def red_items(unit: Unit, period: Period, card: queries.Scorecard | None = None) -> list[RedItem]:
    """Indicators of a unit that are in the lowest band or fell by more than the configured points.

    Pass the unit's `card` for the period when the caller has it already.
    """
    drop_limit = Decimal(str(current_app.config["RED_DROP_POINTS"]))
    card = card or queries.scorecard(unit, period)
    book = OwnerBook(unit.id)
    explained = {e.indicator_id: e for e in db.session.scalars(sa.select(Explanation).where(
        Explanation.unit_id == unit.id, Explanation.period_kind == period.kind,
        Explanation.period_start == period.start_date))}
    items = []
    for group in card.groups:
        for line in group.lines:
            if line.record is None or line.points is None:
                continue
            reasons = []
            if queries.is_lowest_band(line.points, line.max_points):
                reasons.append(f"ở mức {line.band[0]}")
            if line.change is not None and -line.change > drop_limit:
                reasons.append(f"giảm {-line.change:.2f} điểm".replace(".", ","))
            if reasons:
                items.append(RedItem(line, reasons, book.owner(line.indicator, period.end_date),
                                     explained.get(line.indicator.id)))
    return items


def recipients(owner: Assignment | None) -> list[User]:
    """Named performers and the active members of the performing team."""
    if owner is None:
        return []
    people = {p.id: p for p in owner.performers if p.is_active}
    if owner.team_unit_id:
        for member in db.session.scalars(sa.select(User).where(User.unit_id == owner.team_unit_id,
                                                               User.is_active.is_(True))):
            people[member.id] = member
    return list(people.values())


def subject_key(unit: Unit, indicator: Indicator, period: Period) -> str:
    return f"{unit.code}|{indicator.code}|{period.code}"


def scan_red(kind: str = "month") -> int:
    """Raise one alert per red indicator and recipient for the latest period of every assigned scope; idempotent."""
    scope_ids = db.session.scalars(sa.select(Assignment.scope_unit_id).distinct()).all()
    created = 0
    for scope_id in scope_ids:
        unit = db.session.get(Unit, scope_id)
        period = queries.latest_period([scope_id], kind)
        if period is None:
            continue
        items = red_items(unit, period)
        still_red = {subject_key(unit, item.indicator, period) for item in items}
        # an indicator that recovered (e.g. a corrected re-import) no longer needs its alert
        for alert in db.session.scalars(sa.select(Alert).where(
                Alert.subject_type == "score", Alert.unit_id == unit.id, Alert.resolved_at.is_(None),
                Alert.subject_key.like(f"{unit.code}|%|{period.code}"))):
            if alert.subject_key not in still_red:
                alert.resolved_at = now_utc()
        for item in items:
            key = subject_key(unit, item.indicator, period)
            have = set(db.session.scalars(sa.select(Alert.recipient_id).where(
                Alert.subject_type == "score", Alert.subject_key == key)))
            kind_code = "indicator_red" if item.reasons[0].startswith("ở mức") else "indicator_drop"
            for person in recipients(item.owner):
                if person.id in have:
                    continue
                db.session.add(Alert(
                    kind=kind_code, subject_type="score", subject_key=key, recipient_id=person.id, unit_id=unit.id,
                    message=f"{item.indicator.label} của {unit.name} kỳ {period.label} {', '.join(item.reasons)}: "
                            "cần giải trình và nêu biện pháp khắc phục.",
                    link=f"/scores/red/{unit.id}/{item.indicator.id}/{period.code}",
                    resolved_at=now_utc() if item.explanation else None,
                ))
                created += 1
    db.session.flush()
    return created


def can_explain(user: User, unit: Unit, indicator: Indicator, period: Period) -> bool:
    """The owner in force at the end of the period, or an admin / chair over the unit."""
    if user.role in ("admin", "chair") and user.can_see_unit(unit):
        return True
    owner = OwnerBook(unit.id).owner(indicator, period.end_date)
    return owner is not None and assignments.performs(owner, user)


def save_explanation(*, unit: Unit, indicator: Indicator, period: Period, reason: str, remedy: str,
                     due_on: date | None, actor: User) -> Explanation:
    """Record (or revise) the explanation and remedial action of a red indicator; resolves its alerts."""
    if not can_explain(actor, unit, indicator, period):
        raise DomainError("Chỉ người phụ trách chỉ số (hoặc lãnh đạo, quản trị) mới được giải trình.")
    reason, remedy = (reason or "").strip(), (remedy or "").strip()
    if len(reason) < 10:
        raise DomainError("Nêu rõ nguyên nhân (giải trình), ít nhất 10 ký tự.", "reason")
    if len(remedy) < 10:
        raise DomainError("Nêu rõ biện pháp khắc phục, ít nhất 10 ký tự.", "remedy")
    if due_on is None:
        raise DomainError("Nhập hạn hoàn thành.", "due_on")
    if due_on < period.end_date:
        raise DomainError(f"Hạn hoàn thành phải sau kỳ đánh giá (từ {period.end_date:%d/%m/%Y}).", "due_on")
    existing = db.session.scalar(sa.select(Explanation).where(
        Explanation.unit_id == unit.id, Explanation.indicator_id == indicator.id,
        Explanation.period_kind == period.kind, Explanation.period_start == period.start_date))
    before = None
    if existing is None:
        existing = Explanation(unit_id=unit.id, indicator_id=indicator.id, period_kind=period.kind,
                               period_start=period.start_date, reason=reason, remedy=remedy, due_on=due_on,
                               author_id=actor.id)
        db.session.add(existing)
    else:
        before = {"reason": existing.reason, "remedy": existing.remedy, "due_on": existing.due_on}
        existing.reason, existing.remedy, existing.due_on, existing.author_id = reason, remedy, due_on, actor.id
    db.session.flush()
    record(actor, "score.explain", existing, before=before,
           after={"reason": reason, "remedy": remedy, "due_on": due_on})
    db.session.execute(sa.update(Alert).where(
        Alert.subject_type == "score", Alert.subject_key == subject_key(unit, indicator, period),
        Alert.resolved_at.is_(None)).values(resolved_at=now_utc()))
    return existing


@dataclass
class Faller:
    owner: Assignment
    change: Decimal
    lines: list[queries.Line]


def fallers(unit: Unit, period: Period, limit: int = 5, card: queries.Scorecard | None = None) -> list[Faller]:
    """Owners whose indicators lost the most points since the previous period."""
    book = OwnerBook(unit.id)
    by_owner: dict[str, Faller] = {}
    for group in (card or queries.scorecard(unit, period)).groups:
        for line in group.lines:
            if line.change is None or line.change >= 0:
                continue
            owner = book.owner(line.indicator, period.end_date)
            if owner is None:
                continue
            entry = by_owner.setdefault(owner.performer_text, Faller(owner, Decimal(0), []))
            entry.change += line.change
            entry.lines.append(line)
    return sorted(by_owner.values(), key=lambda f: f.change)[:limit]
