"""Who answered for each score: owner trends, red indicators, who must explain them, explanations and alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext

from app.alerts import services as alerts
from app.assignments import services as assignments
from app.assignments.models import Assignment
from app.assignments.services import OwnerBook
from app.auth.models import User
from app.core.formatting import local_number
from app.extensions import db
from app.indicators.models import Indicator, subject_key
from app.org.models import Unit
from app.scores import queries
from app.scores.models import Explanation, ScoreRecord
from app.scores.periods import Period

RED_KINDS = {"indicator_red", "indicator_drop"}


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
            series = by_subject.get(subject_key(indicator=ind), {}).get(scope_id, {})
            trend = IndicatorTrend(ind, scope)
            for start in sorted(series):
                period = queries.period_of(kind, start)
                owner = book.owner(ind, period.end_date)
                trend.points.append(TrendPoint(period, series[start], owner,
                                               owner is not None and assignments.performs(owner, user)))
            if any(p.is_mine for p in trend.points) or not trend.points:
                out.append(trend)
    return out


# --- who answers for an indicator of a unit ------------------------------------------------------------------


def unit_leaders(unit: Unit) -> list[User]:
    """Active heads of a unit (e.g. the commune chair), else its chairs: who answers where nothing is assigned."""
    people = db.session.scalars(sa.select(User).where(
        User.unit_id == unit.id, User.is_active.is_(True), User.role.in_(("head", "chair")))
        .order_by(User.full_name)).all()
    heads = [p for p in people if p.role == "head"]
    return heads or list(people)


@dataclass
class Accountable:
    """Who must explain an indicator of a unit: the owner by assignment, else the unit's leaders."""

    assignment: Assignment | None
    people: list[User]

    @property
    def by_assignment(self) -> bool:
        return self.assignment is not None

    @property
    def label(self) -> str:
        """Who answers, in Vietnamese whatever the reader's language (reports, exports, the API)."""
        with force_locale("vi"):
            return self.page_label

    @property
    def page_label(self) -> str:
        """Who answers, in the page's language (the names stay as they are)."""
        if self.assignment is not None:
            return self.assignment.performer_text  # its team text follows the page's language
        if self.people:
            return gettext("Lãnh đạo đơn vị (chưa phân công): %(names)s",
                           names="; ".join(p.full_name for p in self.people))
        return gettext("Chưa phân công, đơn vị chưa có tài khoản lãnh đạo")

    def includes(self, user: User) -> bool:
        return any(p.id == user.id for p in self.people)


class Responsibility:
    """Resolves who answers for a unit's indicators on any date (assignment history and leaders loaded once)."""

    def __init__(self, unit: Unit):
        self.unit = unit
        self.book = OwnerBook(unit.id)
        self._leaders: list[User] | None = None

    def leaders(self) -> list[User]:
        if self._leaders is None:
            self._leaders = unit_leaders(self.unit)
        return self._leaders

    def of(self, indicator: Indicator, on: date) -> Accountable:
        owner = self.book.owner(indicator, on)
        if owner is not None:
            return Accountable(owner, recipients(owner))
        return Accountable(None, self.leaders())


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


# --- red indicators ---------------------------------------------------------------------------------------------


@dataclass
class RedItem:
    line: queries.Line
    is_lowest_band: bool
    drop: Decimal | None  # points lost since the previous period, when more than the configured limit
    accountable: Accountable
    explanation: Explanation | None

    @property
    def indicator(self) -> Indicator:
        return self.line.indicator

    @property
    def owner(self) -> Assignment | None:
        return self.accountable.assignment

    @property
    def kind(self) -> str:
        """The alert kind: lowest band outranks a drop."""
        return "indicator_red" if self.is_lowest_band else "indicator_drop"

    @property
    def reasons(self) -> list[str]:
        """Why it is red, in Vietnamese whatever the reader's language (alerts, reports, the API)."""
        with force_locale("vi"):
            return self.page_reasons

    @property
    def page_reasons(self) -> list[str]:
        """Why it is red, in the page's language, numbers written its way."""
        out = []
        if self.is_lowest_band:
            out.append(gettext("ở mức %(band)s", band=gettext(self.line.band[0])))
        if self.drop is not None:
            out.append(gettext("giảm %(points)s điểm", points=local_number(self.drop)))
        return out


def red_items(unit: Unit, period: Period, card: queries.Scorecard | None = None,
              responsibility: Responsibility | None = None) -> list[RedItem]:
    """Indicators of a unit that are in the lowest band or fell by more than the configured points.

    Pass the unit's `card` for the period when the caller has it already.
    """
    drop_limit = Decimal(str(current_app.config["RED_DROP_POINTS"]))
    card = card or queries.scorecard(unit, period)
    who = responsibility or Responsibility(unit)
    explained = {e.indicator_id: e for e in db.session.scalars(sa.select(Explanation).where(
        Explanation.unit_id == unit.id, Explanation.period_kind == period.kind,
        Explanation.period_start == period.start_date))}
    items = []
    for group in card.groups:
        for line in group.lines:
            if line.record is None or line.points is None:
                continue
            lowest = queries.is_lowest_band(line.points, line.max_points)
            drop = -line.change if line.change is not None and -line.change > drop_limit else None
            if lowest or drop is not None:
                items.append(RedItem(line, lowest, drop, who.of(line.indicator, period.end_date),
                                     explained.get(line.indicator.id)))
    return items


def alert_key(unit: Unit, indicator: Indicator, period: Period) -> str:
    return f"{unit.code}|{indicator.code}|{period.code}"


def latest_periods(kind: str = "month", unit_ids=None) -> dict[int, Period]:
    """The newest period of a kind with scores, per unit (one query; per unit one step back along
    ix_score_record_totals, not a read of its history)."""
    newest = sa.select(sa.func.max(ScoreRecord.period_start)).where(
        ScoreRecord.unit_id == Unit.id, ScoreRecord.period_kind == kind, ScoreRecord.formality_code == "",
        ScoreRecord.source != "computed").correlate(Unit).scalar_subquery()
    query = sa.select(Unit.id, newest)
    if unit_ids is not None:
        query = query.where(Unit.id.in_(list(unit_ids)))
    return {uid: queries.period_of(kind, start) for uid, start in db.session.execute(query) if start is not None}


def scan_red(*, now: datetime, kind: str = "month") -> int:
    """Tell whoever answers for each red indicator of every scored unit's latest period; idempotent.

    Decides who must be told (the owner by assignment, else the unit's leaders); the alerts service tells them
    once. Alerts of indicators that recovered (a corrected re-import) are resolved. Flushes; the caller commits.
    """
    created = 0
    for unit_id, period in latest_periods(kind).items():
        unit = db.session.get(Unit, unit_id)
        items = red_items(unit, period)
        still_red = {alert_key(unit, item.indicator, period) for item in items}
        alerts.resolve_missing(subject_type="score", unit_id=unit.id, key_like=f"{unit.code}|%|{period.code}",
                               keep=still_red, now=now)
        for item in items:
            created += alerts.raise_once(
                kind=item.kind, subject_type="score", subject_key=alert_key(unit, item.indicator, period),
                recipients=item.accountable.people, unit_id=unit.id, now=now,
                message=f"{item.indicator.label} của {unit.name} kỳ {period.label} {', '.join(item.reasons)}: "
                        "cần giải trình và nêu biện pháp khắc phục.",
                link=f"/scores/red/{unit.id}/{item.indicator.id}/{period.code}",
                resolved=item.explanation is not None)
    db.session.flush()
    return created


def can_explain(user: User, unit: Unit, indicator: Indicator, period: Period) -> bool:
    """Whoever answers for the indicator at the end of the period (its owner, else the unit's leaders); a chair or
    an admin over the unit reviews the explanation (app.scores.review) instead of writing it."""
    return Responsibility(unit).of(indicator, period.end_date).includes(user)


def find_explanation(unit: Unit, indicator: Indicator, period: Period) -> Explanation | None:
    return db.session.scalar(sa.select(Explanation).where(
        Explanation.unit_id == unit.id, Explanation.indicator_id == indicator.id,
        Explanation.period_kind == period.kind, Explanation.period_start == period.start_date))


def save_explanation(**kwargs) -> Explanation:
    """Submit a version of an explanation: app.scores.review.submit (kept for the callers of this name)."""
    from app.scores.review import submit

    return submit(**kwargs)


# --- the red list of a user ---------------------------------------------------------------------------------------


@dataclass
class RedRow:
    unit: Unit
    period: Period
    item: RedItem
    is_mine: bool


def red_list(user: User, kind: str = "month", *, people: bool = True) -> list[RedRow]:
    """Red indicators of the latest period that the user answers for or oversees.

    Chairs, heads and admins see every scored unit of their tree (communes included), with who answers and
    whether it was explained; officers see the scorecards their plans are about and their own units.
    `people=False` (for counting them) leaves out who answers where it does not decide whether a row is listed,
    i.e. for the units the user oversees (`item.accountable` is None there).
    """
    from app.org.services import descendant_ids
    from app.scores.redlist import red_items_of

    tree = descendant_ids(user.unit_id) if user.unit_id else set()
    # the tree's units first: the plans' issuing units below are then found in the session, not one by one
    units: dict[int, Unit] = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(tree)))}
    units.update({p.issuing_unit_id: p.issuing_unit for p in assignments.plans_visible_to(user)})
    scored = latest_periods(kind, set(units))
    units = {uid: u for uid, u in units.items() if uid in scored}
    overseen = {uid for uid, u in units.items() if user.can_see_unit(u)}
    items = red_items_of([(u, scored[uid]) for uid, u in units.items() if people or uid not in overseen])
    if not people:
        items.update(red_items_of([(units[uid], scored[uid]) for uid in overseen], people=False))
    rows: list[RedRow] = []
    for unit in sorted(units.values(), key=lambda u: (len(u.ancestors()), u.sort_order, u.name)):
        period = scored[unit.id]
        for item in items.get(unit.id, []):
            mine = item.accountable is not None and item.accountable.includes(user)
            if mine or unit.id in overseen:
                rows.append(RedRow(unit, period, item, mine))
    return rows


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
