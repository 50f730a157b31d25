"""Which scorecard a dossier counts in, and who may see which dossiers.

A dossier counts in the scorecard of the nearest unit above (or at) its handling unit that the portal scores on
its own: a province, a district, a commune, or a provincial department. A user sees the dossiers of their own unit
tree, those they handle, and those of the scorecards whose dossier-fed indicators they answer for (the owner of
indicator 4 must see the dossiers that move it, whichever office holds them).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext

from app.core.errors import NotFound
from app.extensions import db
from app.org.models import Unit

SCORED_ALONE = ("province", "district", "commune")
# Indicators whose value comes from dossiers (computed beside the portal's figure, with alerts to their owners).
DOSSIER_INDICATORS = ("PROGRESS_ON_TIME", "ONLINE_SUBMITTED", "PAYMENT_DOSSIERS", "ORIGINAL_RESULT_AVAILABLE",
                      "SO_HOA_GIAY_TO_GIAI_QUYET", "DOSSIER_RECEIVING_SATISFACTION")


def scorecard_map(units: dict[int, tuple[int | None, str]]) -> dict[int, int]:
    """unit id → the id of the scorecard it counts in, from {id: (parent_id, kind)} (pure)."""
    out: dict[int, int] = {}

    def find(uid: int) -> int:
        node, seen = uid, set()
        while node is not None and node not in seen:
            seen.add(node)
            parent, kind = units[node]
            if kind in SCORED_ALONE or (kind == "department" and (parent is None or units[parent][1] == "province")):
                return node
            if parent is None:
                return node
            node = parent
        return uid

    for uid in units:
        out[uid] = find(uid)
    return out


def all_units() -> dict[int, tuple[int | None, str]]:
    return {uid: (parent, kind) for uid, parent, kind in db.session.execute(
        sa.select(Unit.id, Unit.parent_id, Unit.kind))}


def scorecard_unit_id(unit_id: int, units: dict | None = None) -> int:
    return scorecard_map(units or all_units())[unit_id]


def members_of(scope_unit_id: int, units: dict | None = None) -> set[int]:
    """The units whose dossiers count in a scorecard (the unit and the offices below it, not its communes)."""
    mapping = scorecard_map(units or all_units())
    return {uid for uid, scope in mapping.items() if scope == scope_unit_id}


def visible_unit_ids(user, *, today: date) -> set[int]:
    """Handling units whose dossiers the user may see: their tree, plus the scorecards they answer for."""
    from app.assignments.services import indicators_of
    from app.org.services import descendant_ids

    if not user.unit_id:
        return set()
    ids = descendant_ids(user.unit_id)
    scopes = {a.scope_unit_id for ind, a in indicators_of(user, today) if ind.code in DOSSIER_INDICATORS}
    if scopes:
        units = all_units()
        for scope in scopes:
            ids |= members_of(scope, units)
    return ids


def get_visible_dossier(user, dossier_id: int, *, today: date):
    """A dossier the user may see, else NotFound (another tree's dossier answers like a missing one)."""
    from app.dossiers.models import Dossier

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or not can_see_dossier(user, dossier, today=today):
        raise NotFound(gettext("Không tìm thấy hồ sơ hoặc bạn không có quyền xem hồ sơ này."))
    return dossier


def get_visible_claim(user, claim_id: int, *, today: date):
    """A data-error claim on a dossier the user may see, else NotFound."""
    from app.dossiers.models import DossierClaim

    claim = db.session.get(DossierClaim, claim_id)
    if claim is None or not can_see_dossier(user, claim.dossier, today=today):
        raise NotFound(gettext("Không tìm thấy báo lỗi dữ liệu hoặc bạn không có quyền xem."))
    return claim


def get_visible_unit(user, unit_id: int, *, visible: set[int]) -> Unit:
    """A unit whose dossiers the user may see (`visible`: from visible_unit_ids), else NotFound."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.id not in visible:
        raise NotFound(gettext("Không tìm thấy đơn vị hoặc bạn không có quyền xem hồ sơ của đơn vị này."))
    return unit


def can_see_dossier(user, dossier, *, today: date) -> bool:
    """The handling officer, anyone whose tree holds it, and the owners of the indicators it moves."""
    if not getattr(user, "is_authenticated", False):
        return False
    if dossier.handling_officer_id == user.id:
        return True
    visible = visible_unit_ids(user, today=today)
    return dossier.handling_unit_id in visible or dossier.receiving_unit_id in visible
