"""Home pages by role, as plain data (the view only renders; PDF reports and the API can read the same objects).

- `chair_home`: a district's or province's leaders (chair, head or admin of a unit with scored units below):
  the unit's headline, the heatmap of its tree (units × groups, with totals) and the tree's red list.
- `unit_home`: a commune's or an office's head: their unit's headline (an office: the scorecard its plan is about,
  with the reds its people own).
- `officer_home` (app/home/officer.py): an officer's indicators, most urgent first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app

from app.auth.models import User
from app.home.explain import ExplanationState, explanation_deadline, explanation_state
from app.home.heatmap import Heatmap, by_group
from app.org.models import Unit
from app.scores import queries
from app.scores.accountability import RedItem
from app.scores.pages import SCORED_KINDS, rank_in_peers
from app.scores.periods import Period
from app.scores.totals import cached_totals


def deadline_months() -> int:
    return int(current_app.config.get("EXPLANATION_DEADLINE_MONTHS", 1))


@dataclass(frozen=True)
class RedView:
    """A red indicator of a unit with the state of its explanation (who answers: `item.accountable`)."""

    unit: Unit
    period: Period
    item: RedItem
    state: ExplanationState
    is_mine: bool = False
    can_review: bool = False  # the viewer may accept or return the explanation waiting (app.scores.access)

    @property
    def sort_key(self) -> tuple:
        return (self.state.urgency, self.state.deadline, self.unit.sort_order, self.unit.name,
                self.item.indicator.group.sort_order, self.item.indicator.sort_order)


def red_view(unit: Unit, period: Period, item: RedItem, *, today: date, is_mine: bool = False,
             viewer: User | None = None) -> RedView:
    """`viewer`: the user the page is for, when they may review (a chair or head); None for an officer's page."""
    from app.scores.access import can_review_explanation

    deadline = explanation_deadline(period, deadline_months())
    state = explanation_state(item.explanation, deadline, today)
    can_review = (viewer is not None and state.key == "submitted"
                  and can_review_explanation(viewer, item.explanation))
    return RedView(unit, period, item, state, is_mine, can_review)


@dataclass
class Headline:
    """A unit's scorecard in one line: total /100 and its change, rank among its peers and its move, the reds."""

    unit: Unit
    period: Period
    total: Decimal | None
    previous_total: Decimal | None
    peers: queries.PeerGroup
    rank: queries.Rank | None
    reds: list[RedView] = field(default_factory=list)
    max_points: Decimal = Decimal(100)

    @property
    def change(self) -> Decimal | None:
        return None if self.total is None or self.previous_total is None else self.total - self.previous_total

    @property
    def band(self):
        return queries.band_of(self.total, self.max_points)

    @property
    def unexplained(self) -> list[RedView]:
        return [r for r in self.reds if r.state.needs_action]


def headline(unit: Unit, period: Period, reds: list[RedView]) -> Headline:
    """The unit's headline for the period (totals from the cached SQL sums; the rank among its peer group)."""
    prev = queries.previous(period)
    sums = cached_totals([unit.id], period.kind, starts=[period.start_date, prev.start_date])
    peers, rank = rank_in_peers(unit, period)
    return Headline(unit, period, sums.get((unit.id, period.start_date)), sums.get((unit.id, prev.start_date)),
                    peers, rank, sorted(reds, key=lambda r: r.sort_key))


@dataclass
class ChairHome:
    root: Unit
    period: Period | None
    headline: Headline | None = None
    heatmap: Heatmap | None = None
    reds: list[RedView] = field(default_factory=list)  # the tree's red list, those to explain first

    @property
    def units_below_with_reds(self) -> list[Unit]:
        seen: dict[int, Unit] = {}
        for r in self.reds:
            if r.unit.id != self.root.id:
                seen.setdefault(r.unit.id, r.unit)
        return list(seen.values())

    @property
    def units_below_unexplained(self) -> list[Unit]:
        return list({r.unit.id: r.unit for r in self.reds
                     if r.unit.id != self.root.id and r.state.needs_action}.values())


def home_root(user: User) -> Unit:
    """The user's own unit when it is scored, else the unit whose plan binds them (e.g. an office head)."""
    from app.assignments.services import current_plan_for

    if user.unit is not None and user.unit.kind in SCORED_KINDS and queries.latest_period([user.unit_id]) is not None:
        return user.unit
    plan = current_plan_for(user)
    return plan.issuing_unit if plan is not None else user.unit


def is_tree_leader(user: User, root: Unit) -> bool:
    """Chairs and admins, and heads of a unit with scored units below: the tree's home page."""
    if user.role in ("chair", "admin"):
        return True
    return user.role == "head" and root.id == user.unit_id and any(
        c.kind in SCORED_KINDS and c.is_active for c in root.children)


def chair_home(user: User, root: Unit, units: list[Unit], *, today: date, kind: str = "month") -> ChairHome:
    """The tree's home: `units` are those in the user's scope (heatmap rows), the red list is the user's."""
    from app.scores.accountability import red_list

    units = [u for u in units if u.kind in SCORED_KINDS]
    if root not in units:
        units.insert(0, root)
    period = queries.latest_period([root.id], kind) or queries.latest_period([u.id for u in units], kind)
    if period is None:
        return ChairHome(root, None)
    reds = sorted((red_view(row.unit, row.period, row.item, today=today, is_mine=row.is_mine, viewer=user)
                   for row in red_list(user, kind)), key=lambda r: r.sort_key)
    return ChairHome(root, period, headline(root, period, [r for r in reds if r.unit.id == root.id]),
                     by_group(units, period), reds)


@dataclass
class UnitHome:
    """A commune's or an office's head: the headline of the scorecard they answer for, one heatmap row."""

    unit: Unit  # the scored unit shown
    own_unit: Unit | None
    period: Period | None
    headline: Headline | None = None
    heatmap: Heatmap | None = None

    @property
    def is_own_scorecard(self) -> bool:
        return self.own_unit is not None and self.own_unit.id == self.unit.id


def unit_home(user: User, unit: Unit, *, today: date, kind: str = "month") -> UnitHome:
    """The head's unit (or the scorecard their plan is about, showing only the reds their unit owns)."""
    from app.scores.redlist import red_items_of

    period = queries.latest_period([unit.id], kind)
    if period is None:
        return UnitHome(unit, user.unit, None)
    items = red_items_of([(unit, period)]).get(unit.id, [])
    own = unit.id == user.unit_id
    if not own:  # an office head: the reds the office answers for
        items = [i for i in items if i.owner is not None and i.owner.responsible_unit_id == user.unit_id]
    reds = [red_view(unit, period, i, today=today, is_mine=i.accountable.includes(user), viewer=user) for i in items]
    return UnitHome(unit, user.unit, period, headline(unit, period, reds), by_group([unit], period))
