"""Who answers for one indicator in many scorecards at once: a few set-based queries, whatever the number of units.

The same rule as `accountability.Responsibility(unit).of(indicator, on)`, for every scope unit in one go (the
overdue scan asks it for every scorecard): the assignment in force of the indicator itself, else of its group
(oldest first when two overlap); its active named performers and the active members of its performing team;
where nothing is assigned, the unit's active heads, else its active chairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from app.assignments.models import Assignment, assignment_performer
from app.auth.models import User
from app.extensions import db
from app.indicators.models import Indicator


def answerer_ids(scope_unit_ids: Iterable[int], indicator: Indicator, on: date) -> dict[int, set[int]]:
    """{scope unit id: ids of the people who answer for `indicator` there on `on`} (at most four queries)."""
    scopes = sorted(set(scope_unit_ids))
    if not scopes:
        return {}
    own, by_group = Assignment.key_for(indicator=indicator), Assignment.key_for(group=indicator.group)
    in_force = db.session.execute(
        sa.select(Assignment.id, Assignment.scope_unit_id, Assignment.subject_key, Assignment.team_unit_id)
        .where(Assignment.scope_unit_id.in_(scopes), Assignment.subject_key.in_((own, by_group)),
               Assignment.effective_from <= on,
               sa.or_(Assignment.effective_to.is_(None), Assignment.effective_to >= on))
        .order_by(Assignment.effective_from, Assignment.id)).all()
    chosen: dict[int, tuple[int, int | None]] = {}  # scope → (assignment id, team unit id)
    for key in (own, by_group):  # the indicator's own assignment outranks its group's
        for assignment_id, scope_id, subject, team_id in in_force:
            if subject == key and scope_id not in chosen:
                chosen[scope_id] = (assignment_id, team_id)
    out: dict[int, set[int]] = {scope: set() for scope in scopes}
    # the three queries below always run (even for an empty list): the count never depends on the data
    scope_of = {assignment_id: scope for scope, (assignment_id, _team) in chosen.items()}
    for assignment_id, user_id in db.session.execute(
            sa.select(assignment_performer.c.assignment_id, User.id)
            .join(User, User.id == assignment_performer.c.user_id)
            .where(assignment_performer.c.assignment_id.in_(list(scope_of)), User.is_active.is_(True))):
        out[scope_of[assignment_id]].add(user_id)
    teams: dict[int, list[int]] = defaultdict(list)
    for scope, (_assignment_id, team_id) in chosen.items():
        if team_id is not None:
            teams[team_id].append(scope)
    for user_id, unit_id in db.session.execute(sa.select(User.id, User.unit_id).where(
            User.unit_id.in_(list(teams)), User.is_active.is_(True))):
        for scope in teams[unit_id]:
            out[scope].add(user_id)
    unassigned = [scope for scope in scopes if scope not in chosen]
    leaders: dict[int, dict[str, set[int]]] = defaultdict(lambda: {"head": set(), "chair": set()})
    for user_id, unit_id, role in db.session.execute(sa.select(User.id, User.unit_id, User.role).where(
            User.unit_id.in_(unassigned), User.is_active.is_(True), User.role.in_(("head", "chair")))):
        leaders[unit_id][role].add(user_id)
    for scope in unassigned:
        found = leaders.get(scope)
        if found is not None:
            out[scope] = found["head"] or found["chair"]
    return out
