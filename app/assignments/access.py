"""Who may assign what (product.md: chairs and admins within their tree, heads within their own unit).

- A chair or an admin manages every assignment of a plan issued by a unit of their tree.
- A head manages every assignment of a plan issued by their own unit (tree): a commune's chair (role head) and the
  quarterly plan of the commune.
- A head also hands over, inside their unit, the assignments a plan from above gives to their unit (tree): the
  Chánh Văn phòng chooses which officer of the office performs group II. The plan's issuer decided the responsible
  unit's tree and the cooperating units; the head keeps those and chooses the responsible unit and the performers
  within their own tree.

The services apply these rules (checks.check_parties); the views only ask them to decide what to show.
"""

from __future__ import annotations

from app.assignments.models import Assignment, Plan
from app.org.models import Unit

MANAGERS = ("chair", "admin", "head")


def _active(user) -> bool:
    return user is not None and getattr(user, "is_active", False) and getattr(user, "unit", None) is not None


def manages_plan(user, plan: Plan) -> bool:
    """Chairs and admins over the plan's issuing unit, and the head of the issuing unit (or of a unit above it)."""
    return _active(user) and user.role in MANAGERS and user.can_see_unit(plan.issuing_unit)


def delegates(user, plan: Plan, base: Assignment | None) -> bool:
    """A head handing over, inside their own unit tree, an assignment (`base`: the one in force, or for a new
    indicator assignment its group's) that a plan from above gives to their unit."""
    return (_active(user) and user.role == "head" and not manages_plan(user, plan) and base is not None
            and base.plan_id == plan.id and user.can_see_unit(base.responsible_unit))


def can_assign(user, plan: Plan, base: Assignment | None = None) -> bool:
    """Whether the user may (re)assign the subject of `base` (or any subject, without one) in the plan."""
    return manages_plan(user, plan) or delegates(user, plan, base)


def eligible_performer(person, plan: Plan) -> bool:
    """Who may be named a performer in a plan: an active account that is not the administrator's, and not a chair
    (chairs direct, they do not perform); a commune's head performs only in their own commune's plan."""
    if person is None or not person.is_active or person.role in ("admin", "chair"):
        return False
    if person.role == "head" and person.unit is not None and person.unit.kind == "commune":
        return person.unit_id == plan.issuing_unit_id
    return True


def picker_order(people: list, first_unit: Unit | None) -> list:
    """The performer picker's order: the responsible unit's officers first, then the others, each part in Vietnamese
    alphabetical order of given names."""
    from app.core.text import person_sort_key

    return sorted(people, key=lambda p: (first_unit is None or p.unit_id != first_unit.id,
                                         person_sort_key(p.full_name)))
