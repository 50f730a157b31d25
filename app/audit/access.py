"""Who reads which part of the audit trail.

The trail page (`/admin/audit`): the operator (admin of a root unit) reads everything; an admin reads the entries
about objects of their own unit tree and those written by people of it; everyone else is refused.
An object's history ("Lịch sử thay đổi"): whoever may open the object's page reads the entries about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from werkzeug.exceptions import Forbidden, NotFound

from app.audit.services import AuditFilter, in_units
from app.extensions import db


def may_read_trail(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_admin)


def trail_scope(user) -> sa.ColumnElement[bool] | None:
    """The condition limiting the trail to what `user` may read (None: everything); Forbidden for non-admins."""
    from app.org.services import descendant_ids

    if not may_read_trail(user):
        raise Forbidden()
    if user.is_operator:
        return None
    return in_units(descendant_ids(user.unit_id))


def unit_filter_ids(user, unit_id: int | None) -> frozenset[int] | None:
    """The units an admin narrowed the list to (a unit and its tree); a unit outside their own tree
    answers like a missing one (404)."""
    from app.org.models import Unit
    from app.org.services import descendant_ids

    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None or not user.can_see_unit(unit):
        raise NotFound()
    return frozenset(descendant_ids(unit.id))


@dataclass(frozen=True)
class History:
    """What an object's history page shows: its name, the page it came from, and which entries."""

    kind: str
    object_id: int
    title: str
    back_endpoint: str
    back_args: dict
    filter: AuditFilter


KINDS = ("unit", "user", "plan", "assignment", "indicator", "document", "dossier")


def object_history(user, kind: str, object_id: int, *, today: date) -> History:
    """The history of one object, if `user` may see the object (the same rule as its page); else NotFound, as its page answers."""
    if kind not in KINDS:
        raise NotFound()
    return globals()[f"_{kind}"](user, object_id, today)


def _get(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound()
    return obj


def _need(condition: bool) -> None:
    """An object the user may not see answers like a missing one (404): ids cannot be enumerated."""
    if not condition:
        raise NotFound()


def _objects(*pairs) -> AuditFilter:
    return AuditFilter(objects=tuple((kind, frozenset(ids)) for kind, ids in pairs if ids))


def _unit(user, object_id, today) -> History:
    from app.org.models import Unit

    unit = _get(Unit, object_id)
    _need(user.can_see_unit(unit))
    return History("unit", unit.id, f"Đơn vị {unit.name}", "org.unit", {"unit_id": unit.id},
                   _objects(("unit", {unit.id})))


def _user(user, object_id, today) -> History:
    from app.auth.models import User

    person = _get(User, object_id)
    _need(person.id == user.id or user.can_see_unit(person.unit))
    return History("user", person.id, f"Tài khoản {person.full_name} ({person.username})", "org.officer",
                   {"user_id": person.id}, _objects(("user", {person.id})))


def _plan(user, object_id, today) -> History:
    from app.assignments.models import Assignment, Plan
    from app.assignments.services import plans_visible_to

    plan = _get(Plan, object_id)
    _need(plan in plans_visible_to(user))
    ids = set(db.session.scalars(sa.select(Assignment.id).where(Assignment.plan_id == plan.id)))
    return History("plan", plan.id, f"Kế hoạch {plan.title}", "assignments.table", {"plan": plan.id},
                   _objects(("plan", {plan.id}), ("assignment", ids)))


def _assignment(user, object_id, today) -> History:
    from app.assignments.models import Assignment
    from app.assignments.services import plans_visible_to

    a = _get(Assignment, object_id)
    _need(a.plan in plans_visible_to(user))
    ids = set(db.session.scalars(sa.select(Assignment.id).where(Assignment.scope_unit_id == a.scope_unit_id,
                                                                Assignment.subject_key == a.subject_key)))
    return History("assignment", a.id, f"Phân công {a.subject_key}", "assignments.history",
                   {"assignment_id": a.id}, _objects(("assignment", ids)))


def _indicator(user, object_id, today) -> History:
    from app.indicators.models import Indicator

    indicator = _get(Indicator, object_id)
    _need(user.is_authenticated)
    return History("indicator", indicator.id, f"Chỉ số {indicator.code}", "indicators.detail",
                   {"indicator_id": indicator.id},
                   _objects(("indicator", {indicator.id}), ("indicator_rule", {r.id for r in indicator.rules})))


def _document(user, object_id, today) -> History:
    from app.reports.models import Document
    from app.reports.services import can_read

    doc = _get(Document, object_id)
    if not can_read(user, doc):
        raise NotFound()  # as the document page: never reveal others
    return History("document", doc.id, f"Văn bản {doc.title}", "documents.detail", {"document_id": doc.id},
                   _objects(("document", {doc.id})))


def _dossier(user, object_id, today) -> History:
    from app.dossiers.access import can_see_dossier
    from app.dossiers.models import Dossier

    dossier = _get(Dossier, object_id)
    _need(can_see_dossier(user, dossier, today=today))
    return History("dossier", dossier.id, f"Hồ sơ {dossier.code}", "dossiers.detail", {"dossier_id": dossier.id},
                   _objects(("dossier", {dossier.id}), ("dossier_claim", {c.id for c in dossier.claims})))
