"""Unit and officer pages: who they are and what they own, now and before."""

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.assignments import services as assignments
from app.auth.models import User
from app.core.excel import send_xlsx
from app.core.listing import listing_state
from app.core.time import today_vn
from app.extensions import db
from app.org import tables
from app.org.services import get_visible_unit, get_visible_user, units_in_scope

bp = Blueprint("org", __name__)


@bp.route("/units")
@login_required
def units():
    everything = units_in_scope(current_user)
    state = listing_state(tables.units_listing(everything, members=True))
    shown = state.apply(everything)
    if request.args.get("format") == "xlsx":
        return send_xlsx(tables.units_workbook(shown, state.filtered, root=current_user.unit),
                         f"don-vi-{current_user.unit.code}.xlsx")
    return render_template("org/units.html", units=shown, root=current_user.unit, state=state)


@bp.route("/units/<int:unit_id>")
@login_required
def unit(unit_id: int):
    unit = get_visible_unit(current_user, unit_id)
    members = db.session.scalars(
        sa.select(User).where(User.unit_id == unit.id).order_by(User.is_active.desc(), User.full_name)
    ).all()
    owned = assignments.assignments_of_unit(unit)
    today = today_vn()
    return render_template(
        "org/unit.html", unit=unit, members=members, today=today,
        current=[a for a in owned if a.is_in_force(today)],
        past=[a for a in owned if not a.is_in_force(today)],
    )


@bp.route("/officers/<int:user_id>")
@login_required
def officer(user_id: int):
    person = get_visible_user(current_user, user_id)
    today = today_vn()
    owned = assignments.assignments_of_user(person)
    return render_template(
        "org/officer.html", person=person, today=today,
        indicators=assignments.indicators_of(person, today),
        current=[a for a in owned if a.is_in_force(today)],
        past=[a for a in owned if not a.is_in_force(today)],
    )
