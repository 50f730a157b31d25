"""Assignment services: who owns what on which date, and validated reassignment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import selectinload

from app.assignments import checks
from app.assignments.models import Assignment, Plan, assignment_performer
from app.audit.services import record
from app.auth.models import User
from app.core.errors import DomainError, NotFound, StaleEdit
from app.core.i18n import N_
from app.core.locking import describes, ensure_version, last_change
from app.extensions import db
from app.indicators.models import Indicator, IndicatorGroup
from app.org.models import Unit

_LOAD = (
    selectinload(Assignment.cooperating_units),
    selectinload(Assignment.performers),
    selectinload(Assignment.responsible_unit),
    selectinload(Assignment.team_unit),
)


def applies(indicator: Indicator, scope_unit: Unit) -> bool:
    """Whether an indicator is scored at the level of the unit whose scorecard is assigned."""
    level = scope_unit.kind if scope_unit.kind in ("province", "district", "commune") else "department"
    return indicator.is_active and level in indicator.level_list


def binding_plans(user) -> list[Plan]:
    """Plans issued by the user's unit or any unit above it (the plans that bind the user)."""
    if user.unit is None:
        return []
    ids = [user.unit.id, *(u.id for u in user.unit.ancestors())]
    return list(db.session.scalars(
        sa.select(Plan).where(Plan.issuing_unit_id.in_(ids)).order_by(Plan.period_start.desc(), Plan.id.desc())
    ))


def plans_visible_to(user) -> list[Plan]:
    """The plans that bind the user, and for chairs, admins and heads also the plans of the units in their tree."""
    plans = binding_plans(user)
    if user.unit is not None and user.role in ("chair", "admin", "head"):
        from app.org.services import descendant_ids

        below = descendant_ids(user.unit.id) - {user.unit.id}
        plans += list(db.session.scalars(sa.select(Plan).where(Plan.issuing_unit_id.in_(below))
                                         .order_by(Plan.period_start.desc(), Plan.id.desc())))
    return plans


def get_visible_plan(user, plan_id: int) -> Plan:
    """A plan the user may read, else NotFound (another tree's plan answers like a missing one)."""
    plan = next((p for p in plans_visible_to(user) if p.id == plan_id), None)
    if plan is None:
        raise NotFound(gettext("Không tìm thấy kế hoạch hoặc bạn không có quyền xem kế hoạch này."))
    return plan


def get_visible_assignment(user, assignment_id: int) -> Assignment:
    """An assignment of a plan the user may read, else NotFound."""
    a = db.session.get(Assignment, assignment_id)
    if a is None or a.plan not in plans_visible_to(user):
        raise NotFound(gettext("Không tìm thấy phân công hoặc bạn không có quyền xem phân công này."))
    return a


def current_plan_for(user) -> Plan | None:
    """The newest plan in force that binds the user, nearest issuing unit first; a signed plan before one still in
    drafting (a quarterly plan being prepared does not replace the one in force until it is signed)."""
    plans = [p for p in binding_plans(user) if p.status != "superseded"]
    if not plans:
        return None
    chain = [user.unit.id, *(u.id for u in user.unit.ancestors())]
    return min(plans, key=lambda p: (chain.index(p.issuing_unit_id), p.status != "signed",
                                     -p.period_start.toordinal()))


def history(scope_unit_id: int, subject_key: str) -> list[Assignment]:
    """Every assignment of one subject in one scope, oldest first."""
    return list(db.session.scalars(
        sa.select(Assignment).options(*_LOAD)
        .where(Assignment.scope_unit_id == scope_unit_id, Assignment.subject_key == subject_key)
        .order_by(Assignment.effective_from)
    ))


def assignments_on(scope_unit_id: int, on: date) -> dict[str, Assignment]:
    """The assignments in force on a date in one scope, keyed by subject."""
    rows = db.session.scalars(
        sa.select(Assignment).options(*_LOAD).where(
            Assignment.scope_unit_id == scope_unit_id,
            Assignment.effective_from <= on,
            sa.or_(Assignment.effective_to.is_(None), Assignment.effective_to >= on),
        )
    )
    return {a.subject_key: a for a in rows}


def owner_of(scope_unit_id: int, indicator: Indicator, on: date,
             current: dict[str, Assignment] | None = None) -> Assignment | None:
    """The assignment answering for an indicator on a date: its own, else its group's.

    `current` (from assignments_on) saves the query when asking about many indicators of one scope.
    """
    current = assignments_on(scope_unit_id, on) if current is None else current
    return current.get(Assignment.key_for(indicator=indicator)) or current.get(
        Assignment.key_for(group=indicator.group)
    )


class OwnerBook:
    """Owners of one scope's indicators on any date, from its whole history loaded once (no query per period)."""

    def __init__(self, scope_unit_id: int, by_key: dict[str, list[Assignment]] | None = None):
        self.scope_unit_id = scope_unit_id
        self.by_key = histories(scope_unit_id) if by_key is None else by_key

    def owner(self, indicator: Indicator, on: date) -> Assignment | None:
        """The assignment answering for the indicator on a date: its own, else its group's."""
        return (_in_force(self.by_key.get(Assignment.key_for(indicator=indicator), []), on)
                or _in_force(self.by_key.get(Assignment.key_for(group=indicator.group), []), on))


def _in_force(rows: list[Assignment], on: date) -> Assignment | None:
    return next((a for a in rows if a.is_in_force(on)), None)


def histories(scope_unit_id: int) -> dict[str, list[Assignment]]:
    """Every assignment of a scope grouped by subject, oldest first (one query for a whole table)."""
    out: dict[str, list[Assignment]] = {}
    for a in db.session.scalars(
        sa.select(Assignment).options(*_LOAD).where(Assignment.scope_unit_id == scope_unit_id)
        .order_by(Assignment.effective_from)
    ):
        out.setdefault(a.subject_key, []).append(a)
    return out


def histories_of(scope_unit_ids, *, between=None) -> dict[int, dict[str, list[Assignment]]]:
    """`histories` of many scopes at once (scope id → subject → assignments, oldest first), in one query; with
    `between` (dates), only the assignments in force on some day from the first to the last of them, each with
    its performers and team (what says who answers), not its other parties."""
    query = sa.select(Assignment).options(selectinload(Assignment.performers), selectinload(Assignment.team_unit))
    query = query.where(Assignment.scope_unit_id.in_(list(scope_unit_ids)))
    if between:
        query = query.where(Assignment.effective_from <= max(between),
                            sa.or_(Assignment.effective_to.is_(None), Assignment.effective_to >= min(between)))
    out: dict[int, dict[str, list[Assignment]]] = {sid: {} for sid in scope_unit_ids}
    for a in db.session.scalars(query.order_by(Assignment.effective_from)):
        out[a.scope_unit_id].setdefault(a.subject_key, []).append(a)
    return out


@dataclass
class TableGroup:
    group: IndicatorGroup
    assignment: Assignment | None
    rows: list[tuple[Indicator, Assignment | None]] = field(default_factory=list)


def assignment_table(plan: Plan, on: date) -> list[TableGroup]:
    """The plan's table as printed on a date: group rows with their indicators beneath."""
    current = assignments_on(plan.issuing_unit_id, on)
    groups = db.session.scalars(
        sa.select(IndicatorGroup).options(selectinload(IndicatorGroup.indicators))
        .order_by(IndicatorGroup.sort_order)
    )
    table = []
    for group in groups:
        tg = TableGroup(group, current.get(Assignment.key_for(group=group)))
        for ind in group.indicators:
            if applies(ind, plan.issuing_unit) or current.get(Assignment.key_for(indicator=ind)):
                tg.rows.append((ind, current.get(Assignment.key_for(indicator=ind))))
        table.append(tg)
    return table


def performs(assignment: Assignment, user: User) -> bool:
    """True when the user is a named performer or a member of the performing team."""
    return any(p.id == user.id for p in assignment.performers) or (
        assignment.team_unit_id is not None and assignment.team_unit_id == user.unit_id
    )


def _user_assignments(user: User):
    named = sa.select(assignment_performer.c.assignment_id).where(assignment_performer.c.user_id == user.id)
    return (
        sa.select(Assignment).options(*_LOAD, selectinload(Assignment.group), selectinload(Assignment.indicator))
        .where(sa.or_(Assignment.id.in_(named), Assignment.team_unit_id == user.unit_id))
    )


def indicators_of(user: User, on: date) -> list[tuple[Indicator, Assignment]]:
    """Indicators the user answers for on a date, directly or through their team."""
    mine = db.session.scalars(_user_assignments(user).where(
        Assignment.effective_from <= on,
        sa.or_(Assignment.effective_to.is_(None), Assignment.effective_to >= on),
    )).all()
    out: list[tuple[Indicator, Assignment]] = []
    in_force: dict[int, dict[str, Assignment]] = {}
    for a in mine:
        indicators = [a.indicator] if a.indicator is not None else [
            i for i in a.group.indicators if applies(i, a.scope_unit)
        ]
        if a.scope_unit_id not in in_force:
            in_force[a.scope_unit_id] = assignments_on(a.scope_unit_id, on)
        for ind in indicators:
            owner = owner_of(a.scope_unit_id, ind, on, in_force[a.scope_unit_id])
            if owner is not None and owner.id == a.id:
                out.append((ind, a))
    out.sort(key=lambda pair: (pair[0].group.sort_order, pair[0].sort_order))
    return out


def assignments_of_user(user: User) -> list[Assignment]:
    """Every assignment the user performs or performed, newest first."""
    return list(db.session.scalars(_user_assignments(user).order_by(Assignment.effective_from.desc())))


def assignments_of_unit(unit: Unit) -> list[Assignment]:
    """Every assignment where the unit is responsible, cooperating or the team, newest first."""
    from app.assignments.models import assignment_cooperating_unit as acu

    coop = sa.select(acu.c.assignment_id).where(acu.c.unit_id == unit.id)
    return list(db.session.scalars(
        sa.select(Assignment).options(*_LOAD, selectinload(Assignment.group), selectinload(Assignment.indicator))
        .where(sa.or_(Assignment.responsible_unit_id == unit.id, Assignment.team_unit_id == unit.id,
                      Assignment.id.in_(coop)))
        .order_by(Assignment.effective_from.desc())
    ))


def assign(*, plan: Plan, group: IndicatorGroup | None = None, indicator: Indicator | None = None,
           responsible: Unit, cooperating: list[Unit] = (), cooperating_label: str = "",
           performers: list[User] = (), team: Unit | None = None, performer_label: str = "",
           effective_from: date, effective_to: date | None = None, today: date, actor=None,
           note: str = "") -> Assignment:
    """Create an assignment of a group or an indicator from today on; refuses overlaps and out-of-scope parties."""
    checks.not_before(today, effective_from)
    return _assign(plan=plan, group=group, indicator=indicator, responsible=responsible, cooperating=cooperating,
                   cooperating_label=cooperating_label, performers=performers, team=team,
                   performer_label=performer_label, effective_from=effective_from, effective_to=effective_to,
                   actor=actor, note=note)


def _assign(*, plan: Plan, group: IndicatorGroup | None, indicator: Indicator | None, responsible: Unit,
            cooperating, cooperating_label: str, performers, team: Unit | None, performer_label: str,
            effective_from: date, effective_to: date | None, actor, note: str,
            base: Assignment | None = None) -> Assignment:
    if (group is None) == (indicator is None):
        raise DomainError(gettext("Phân công phải dành cho đúng một nhóm chỉ số hoặc một chỉ số."))
    if effective_to is not None and effective_to < effective_from:
        raise DomainError(gettext("Ngày kết thúc không được trước ngày bắt đầu hiệu lực."))
    cooperating, performers = list(cooperating), list(performers)
    if base is None and indicator is not None:  # a new indicator assignment is split from its group's
        base = open_assignment(plan.issuing_unit_id, Assignment.key_for(group=indicator.group))
    checks.check_parties(actor, plan, responsible, cooperating, performers, team, base=base,
                         cooperating_label=cooperating_label)
    key = Assignment.key_for(group=group, indicator=indicator)
    checks.check_no_overlap(history(plan.issuing_unit_id, key), effective_from, effective_to)
    a = Assignment(
        plan=plan, scope_unit_id=plan.issuing_unit_id, subject_key=key, group=group, indicator=indicator,
        responsible_unit=responsible, cooperating_label=cooperating_label.strip(), team_unit=team,
        performer_label=performer_label.strip(), effective_from=effective_from, effective_to=effective_to,
        created_by_id=getattr(actor, "id", None), note=note.strip(),
    )
    a.cooperating_units = cooperating
    a.performers = performers
    db.session.add(a)
    db.session.flush()
    record(actor, "assignment.create", a, after=snapshot(a))
    return a


def assign_past(*, plan: Plan, indicator: Indicator, responsible: Unit, cooperating: list[Unit] = (),
                cooperating_label: str = "", performers: list[User] = (), team: Unit | None = None,
                effective_from: date, today: date, reason: str, actor=None, note: str = "") -> Assignment:
    """Correct the past: an indicator was assigned apart from its group since a past date (audited, with a reason)."""
    reason = checks.check_correction(actor, plan, effective_from, today, reason)
    created = _assign(plan=plan, group=None, indicator=indicator, responsible=responsible, cooperating=cooperating,
                      cooperating_label=cooperating_label, performers=performers, team=team, performer_label="",
                      effective_from=effective_from, effective_to=None, actor=actor, note=note)
    record(actor, "assignment.correct_past", created, after={"reason": reason, "effective_from": effective_from})
    return created


def reassign(current: Assignment, *, effective_from: date, today: date, responsible: Unit,
             cooperating: list[Unit] = (), cooperating_label: str = "", performers: list[User] = (),
             team: Unit | None = None, actor=None, note: str = "",
             expected_version: int | None = None) -> Assignment:
    """Hand a subject to new owners from today or later: the current row is closed the day before, never rewritten.

    `expected_version` is the version of `current` the user saw; another version means someone changed it meanwhile
    (StaleEdit, nothing written)."""
    ensure_version(current, expected_version)
    checks.not_before(today, effective_from)
    return _reassign(current, effective_from=effective_from, responsible=responsible, cooperating=cooperating,
                     cooperating_label=cooperating_label, performers=performers, team=team, actor=actor, note=note)


def correct_past(current: Assignment, *, effective_from: date, today: date, reason: str, responsible: Unit,
                 cooperating: list[Unit] = (), cooperating_label: str = "", performers: list[User] = (),
                 team: Unit | None = None, actor=None, note: str = "",
                 expected_version: int | None = None) -> Assignment:
    """Correct the past: someone else has answered for the subject since a past date (audited, with a reason).

    Scores of the periods since then are attributed to the new owner; the closed row keeps its record.
    `expected_version` as in `reassign`.
    """
    ensure_version(current, expected_version)
    reason = checks.check_correction(actor, current.plan, effective_from, today, reason)
    new = _reassign(current, effective_from=effective_from, responsible=responsible, cooperating=cooperating,
                    cooperating_label=cooperating_label, performers=performers, team=team, actor=actor, note=note)
    record(actor, "assignment.correct_past", new, after={"reason": reason, "effective_from": effective_from,
                                                         "replaces": current.id})
    return new


def _reassign(current: Assignment, *, effective_from: date, responsible: Unit, cooperating, cooperating_label: str,
              performers, team: Unit | None, actor, note: str) -> Assignment:
    if current.effective_to is not None:
        raise DomainError(gettext("Phân công này đã kết thúc; chỉ có thể chuyển giao phân công đang hiệu lực."))
    if effective_from <= current.effective_from:
        raise DomainError(gettext("Ngày hiệu lực mới phải sau ngày bắt đầu của phân công hiện tại (%(day)s).",
                                  day=checks.fmt(current.effective_from)), "effective_from")
    cooperating, performers = list(cooperating), list(performers)
    checks.check_parties(actor, current.plan, responsible, cooperating, performers, team, base=current,
                         cooperating_label=cooperating_label)
    before = snapshot(current)
    current.effective_to = effective_from - timedelta(days=1)
    db.session.flush()
    record(actor, "assignment.close", current, before=before, after=snapshot(current))
    return _assign(
        plan=current.plan, group=current.group, indicator=current.indicator, responsible=responsible,
        cooperating=cooperating, cooperating_label=cooperating_label, performers=performers, team=team,
        performer_label="", effective_from=effective_from, effective_to=None, actor=actor, note=note, base=current,
    )


def snapshot(a: Assignment) -> dict:
    return {
        "subject": a.subject_key, "plan_id": a.plan_id, "responsible_unit_id": a.responsible_unit_id,
        "cooperating_unit_ids": sorted(u.id for u in a.cooperating_units),
        "cooperating_label": a.cooperating_label, "performer_ids": sorted(u.id for u in a.performers),
        "team_unit_id": a.team_unit_id, "effective_from": a.effective_from, "effective_to": a.effective_to,
    }


def open_assignment(scope_unit_id: int, subject_key: str) -> Assignment | None:
    """The assignment of a subject still in force (no end date), if any."""
    return db.session.scalar(sa.select(Assignment).where(
        Assignment.scope_unit_id == scope_unit_id, Assignment.subject_key == subject_key,
        Assignment.effective_to.is_(None)))


@describes(Assignment)
def _stale_assignment(a: Assignment) -> StaleEdit:
    """Who changed the assignment and who answers for its subject now (the row to reapply the user's input on)."""
    who, at = last_change(a)
    now = open_assignment(a.scope_unit_id, a.subject_key) or a
    current = [(N_("Đơn vị phụ trách"), now.responsible_unit.name), (N_("Người thực hiện"), now.performer_text or "—"),
               (N_("Hiệu lực"), gettext("từ %(start)s đến %(end)s", start=checks.fmt(now.effective_from),
                                        end=checks.fmt(now.effective_to)))]
    return StaleEdit(who=who, at=at, current=current, record=now)


@describes(Plan)
def _stale_plan(plan: Plan) -> StaleEdit:
    """A plan moves with the documents that issue it: the last change of the plan or of one of them."""
    changes = [c for c in (last_change(x) for x in (plan, *getattr(plan, "documents", ()))) if c[1] is not None]
    who, at = max(changes, key=lambda c: c[1]) if changes else (None, None)
    return StaleEdit(who=who, at=at, current=[(N_("Kế hoạch"), plan.title), (N_("Trạng thái"), gettext(plan.status_label))],
                     record=plan)
