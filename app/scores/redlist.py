"""Red indicators of many units at once (a chair's whole tree): the same items as `accountability.red_items`, read
with one query per kind of thing (scores per period, rules, assignment histories, leaders, team members,
explanations) instead of a scorecard, an owner book and an explanation query per unit."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.assignments.models import Assignment
from app.assignments.services import OwnerBook, histories_of
from app.auth.models import User
from app.extensions import db
from app.indicators.models import subject_key
from app.indicators.services import catalog, rules_on
from app.org.models import Unit
from app.scores import queries
from app.scores.accountability import Accountable, RedItem
from app.scores.models import Explanation
from app.scores.periods import Period
from app.scores.totals import cached_light_records


class _People:
    """Leaders of the units and members of the performing teams, each read once for every unit asked about."""

    def __init__(self, unit_ids: set[int], team_ids: set[int]):
        self.leaders: dict[int, list[User]] = defaultdict(list)
        self.members: dict[int, list[User]] = defaultdict(list)
        if unit_ids:
            people = db.session.scalars(sa.select(User).where(
                User.unit_id.in_(unit_ids), User.is_active.is_(True), User.role.in_(("head", "chair")))
                .order_by(User.full_name)).all()
            for p in people:
                self.leaders[p.unit_id].append(p)
            for uid, found in self.leaders.items():  # heads answer, else the chairs (accountability.unit_leaders)
                heads = [p for p in found if p.role == "head"]
                self.leaders[uid] = heads or found
        if team_ids:
            for member in db.session.scalars(sa.select(User).where(User.unit_id.in_(team_ids),
                                                                  User.is_active.is_(True))):
                self.members[member.unit_id].append(member)

    def recipients(self, owner: Assignment) -> list[User]:
        """As accountability.recipients: named active performers and the active members of the team."""
        people = {p.id: p for p in owner.performers if p.is_active}
        for member in self.members.get(owner.team_unit_id, []) if owner.team_unit_id else []:
            people[member.id] = member
        return list(people.values())


def red_items_of(pairs: list[tuple[Unit, Period]], *, people: bool = True) -> dict[int, list[RedItem]]:
    """Red items per unit id for each (unit, period) pair; statements do not grow with the number of units.

    `people=False` leaves out who answers (`accountable` None) and is only for counting the items.
    """
    drop_limit = Decimal(str(current_app.config["RED_DROP_POINTS"]))
    keyed = [(i, subject_key(indicator=i)) for g in catalog() for i in g.indicators]
    by_period: dict[Period, list[Unit]] = defaultdict(list)
    for unit, period in pairs:
        by_period[period].append(unit)
    found: dict[int, list[tuple[queries.Line, bool, Decimal | None, Period]]] = {}
    for period, units in by_period.items():  # one read per distinct latest period (usually one)
        prev = queries.previous(period)
        records = cached_light_records([u.id for u in units], period.kind, [period.start_date, prev.start_date])
        rules = rules_on(period.start_date)
        for unit in units:
            lines = []
            for ind, key in keyed:
                rec = records.get((unit.id, key, period.start_date))
                if rec is None or rec.points is None:
                    continue
                rule = rules.get(ind.id)
                line = queries.Line(ind, rec, records.get((unit.id, key, prev.start_date)),
                                    rule.max_points if rule else queries.ZERO)
                lowest = queries.is_lowest_band(line.points, line.max_points)
                drop = -line.change if line.change is not None and -line.change > drop_limit else None
                if lowest or drop is not None:
                    lines.append((line, lowest, drop, period))
            if lines:
                found[unit.id] = lines
    if not found:
        return {}
    explained = _explanations(found)
    if not people:
        return {uid: [RedItem(line, lowest, drop, None, explained.get((uid, line.indicator.id, period.kind,
                                                                       period.start_date)))
                      for line, lowest, drop, period in lines] for uid, lines in found.items()}
    ends = {period.end_date for lines in found.values() for *_rest, period in lines}
    books = {uid: OwnerBook(uid, by_key=by_key) for uid, by_key in histories_of(set(found), between=ends).items()}
    owners = {uid: [(line, books[uid].owner(line.indicator, period.end_date) if uid in books else None)
                    for line, _low, _drop, period in lines] for uid, lines in found.items()}
    people = _People({uid for uid, pairs_ in owners.items() if any(o is None for _, o in pairs_)},
                     {o.team_unit_id for pairs_ in owners.values() for _, o in pairs_ if o and o.team_unit_id})
    out: dict[int, list[RedItem]] = {}
    for uid, lines in found.items():
        items = []
        for (line, lowest, drop, period), (_line, owner) in zip(lines, owners[uid], strict=True):
            who = Accountable(owner, people.recipients(owner)) if owner is not None else Accountable(
                None, people.leaders.get(uid, []))
            items.append(RedItem(line, lowest, drop, who,
                                 explained.get((uid, line.indicator.id, period.kind, period.start_date))))
        out[uid] = items
    return out


def _explanations(found: dict[int, list]) -> dict[tuple, Explanation]:
    periods = {period for lines in found.values() for *_rest, period in lines}
    rows = db.session.scalars(sa.select(Explanation).where(
        Explanation.unit_id.in_(set(found)), Explanation.period_kind.in_({p.kind for p in periods}),
        Explanation.period_start.in_({p.start_date for p in periods})).options(selectinload(Explanation.author)))
    return {(e.unit_id, e.indicator_id, e.period_kind, e.period_start): e for e in rows}
