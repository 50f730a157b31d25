"""The user's alerts and acknowledging them."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.alerts import services
from app.core.params import safe_next
from app.core.time import now_utc
from app.extensions import db

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


@bp.route("/")
@login_required
def index():
    show_all = request.args.get("all") == "1"
    return render_template("alerts/index.html", alerts=services.for_user(current_user, include_resolved=show_all),
                           show_all=show_all)


@bp.route("/<int:alert_id>/ack", methods=["POST"])
@login_required
def acknowledge(alert_id: int):
    alert = services.get_for(current_user, alert_id)
    services.acknowledge(alert, current_user, now=now_utc())
    db.session.commit()
    flash(gettext("Đã xác nhận cảnh báo."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".index"))
