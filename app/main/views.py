"""Home page by role (built in app.home), the language switch and the health check."""

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from app.assignments import services as assignments
from app.core.time import today_vn
from app.extensions import db
from app.org.services import units_in_scope

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    """What needs the user now: the tree's scores (chairs, admins, heads of a unit with units below), the unit's
    headline (a commune's or an office's head), else the user's own indicators, most urgent first."""
    from flask import current_app

    from app.core.time import now_utc
    from app.home import services as home

    today = today_vn()
    if current_user.role in ("chair", "admin", "head"):
        root = home.home_root(current_user)
        if home.is_tree_leader(current_user, root):
            page = home.chair_home(current_user, root, units_in_scope(current_user, active_only=True), today=today)
            return render_template("main/overview.html", page=page, today=today)
        page = home.unit_home(current_user, root, today=today)
        return render_template("main/unit_head.html", page=page, today=today,
                               mine=assignments.indicators_of(current_user, today))
    from app.alerts.services import for_user
    from app.home.officer import officer_home

    page = officer_home(current_user, today=today, now=now_utc(),
                        soon_days=current_app.config["DOSSIER_DUE_SOON_DAYS"])
    return render_template("main/my_indicators.html", page=page, today=today, alerts=for_user(current_user, limit=5))


@bp.route("/language", methods=["POST"])
def set_language():
    """Anyone (signed in or not): the interface language, kept in the session and, when signed in, on the user."""
    from app.auth.services import set_locale
    from app.auth.views import safe_next
    from app.core.i18n import LOCALES

    locale = request.form.get("locale", "")
    if locale not in LOCALES:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        set_locale(current_user, locale)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.route("/healthz")
def healthz():
    """JSON for monitors and load balancers: 200 when the database takes a write, 503 when it does not."""
    from datetime import timedelta

    from flask import current_app

    from app.core.time import now_utc
    from app.main.health import check

    health = check(now=now_utc(), stale_after=timedelta(seconds=current_app.config["SCHEDULER_STALE_AFTER_SECONDS"]))
    response = jsonify(health.as_json())
    response.status_code = health.http_status
    response.headers["Cache-Control"] = "no-store"
    return response
