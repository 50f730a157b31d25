"""Who may read which scorecard (kept apart from the User model: it needs the plans that bind a user)."""

from __future__ import annotations

from app.assignments.services import binding_plans


def can_see_scores_of(user, unit) -> bool:
    """Own tree, plus the scorecard of a unit whose plan binds the user (owners answer for its indicators)."""
    if unit is None or not getattr(user, "is_authenticated", False):
        return False
    if user.can_see_unit(unit):
        return True
    return any(p.issuing_unit_id == unit.id for p in binding_plans(user))


def can_see_ranks_of(user, unit) -> bool:
    """Totals and ranks of a unit's peers are public (the portal publishes them): anyone who may see the unit's
    scorecard may see the ranking it stands in, and the ranking of the units below a unit they may see."""
    return can_see_scores_of(user, unit)
