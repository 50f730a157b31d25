"""Home page ("Chỉ số của tôi" or the chair's overview) and the health check."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required

from app.assignments import services as assignments
from app.core.time import today_vn
from app.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    today = today_vn()
    mine = assignments.indicators_of(current_user, today)
    if current_user.role in ("chair", "admin", "head"):
        plan = assignments.current_plan_for(current_user)
        table = assignments.assignment_table(plan, today) if plan else []
        return render_template("main/overview.html", plan=plan, table=table, mine=mine, today=today)
    return render_template("main/my_indicators.html", mine=mine, today=today)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as exc:  # the check itself must answer, whatever the database says
        db.session.rollback()
        return jsonify(status="error", database=str(exc.__class__.__name__)), 503
    return jsonify(status="ok", database="ok")
