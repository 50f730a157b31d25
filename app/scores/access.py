"""Who may read which scorecard (kept apart from the User model: it needs the plans that bind a user)."""

from __future__ import annotations

from flask_babel import gettext

from app.assignments.services import binding_plans
from app.core.errors import Forbidden, NotFound
from app.extensions import db
from app.org.models import Unit


def can_see_scores_of(user, unit) -> bool:
    """Own tree, plus the scorecard of a unit whose plan binds the user (owners answer for its indicators)."""
    if unit is None or not getattr(user, "is_authenticated", False):
        return False
    if user.can_see_unit(unit):
        return True
    return any(p.issuing_unit_id == unit.id for p in binding_plans(user))


def get_scored_unit(user, unit_id: int) -> Unit:
    """A unit whose scorecard the user may read, else NotFound (another tree's unit answers like a missing one)."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or not can_see_scores_of(user, unit):
        raise NotFound(gettext("Không tìm thấy đơn vị hoặc bạn không có quyền xem điểm của đơn vị này."))
    return unit


def entry_unit(user, unit_id: int, entry_units: list[Unit]) -> Unit:
    """The unit of a manual entry: one of `entry_units` (manual.entry_units); a unit the user may see but not enter
    for is Forbidden, any other NotFound (so ids of other trees cannot be told from missing ones)."""
    unit = next((u for u in entry_units if u.id == unit_id), None)
    if unit is not None:
        return unit
    other = db.session.get(Unit, unit_id)
    if other is not None and (user.can_see_unit(other) or can_see_scores_of(user, other)):
        raise Forbidden(gettext("Bạn không nhập số liệu cho đơn vị này."))
    raise NotFound(gettext("Không tìm thấy đơn vị."))


def can_see_ranks_of(user, unit) -> bool:
    """Totals and ranks of a unit's peers are public (the portal publishes them): anyone who may see the unit's
    scorecard may see the ranking it stands in, and the ranking of the units below a unit they may see."""
    return can_see_scores_of(user, unit)


def can_review_explanation(user, explanation) -> bool:
    """Who accepts or returns an explanation (the one place this is decided): a chair over the explained unit, or a
    head over that unit or over the unit of the explanation's author (the head above the owner); never its author,
    never an admin or an officer, never anyone outside their tree."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role not in ("chair", "head"):
        return False
    author = explanation.author
    if author is not None and author.id == user.id:
        return False
    if user.can_see_unit(explanation.unit):
        return True
    return (user.role == "head" and author is not None and user.can_see_unit(author.unit)
            and can_see_scores_of(user, explanation.unit))
