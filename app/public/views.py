"""/cong-khai: the public scoreboard without sign-in (page, embed, badge, open data), and the chair's publishing
switch at /units/<id>/publishing."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.auth.guards import client_address
from app.core.headers import framable_by
from app.core.permissions import require
from app.core.time import now_utc, today_vn
from app.extensions import db
from app.org.services import get_visible_unit
from app.public import files, services, throttle
from app.scores.periods import parse_period

bp = Blueprint("public", __name__)

SHORT = 300  # the latest figures: a new import may arrive at any time
LONG = 86400  # a closed period asked for by name (a re-import is rare; the ETag tells a changed body anyway)


def rate_limited(view):
    """Count the request against PUBLIC_RATE_LIMIT for its address; 429 with Retry-After past it."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        wait = throttle.hit(client_address(), now=now_utc())
        if wait is not None:
            body = render_template("public/message.html", code=429, title="Quá nhiều yêu cầu",
                                   message=f"Bạn đã gửi quá nhiều yêu cầu trong một phút. Vui lòng thử lại sau "
                                           f"{wait} giây.")
            return Response(body, 429, {"Retry-After": str(wait), "Cache-Control": "no-store"})
        return view(*args, **kwargs)

    return wrapped


def not_found() -> Response:
    """The same page for an unknown code and an unpublished unit (nothing says whether the unit exists)."""
    body = render_template("public/message.html", code=404, title="Không tìm thấy",
                           message="Không có bảng điểm công khai nào ở địa chỉ này.")
    return Response(body, 404, {"Cache-Control": "public, max-age=60"})


def cached(response: Response, max_age: int) -> Response:
    """Public, cacheable for `max_age` seconds, with an ETag of the body (304 when the client has it)."""
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.add_etag()
    return response.make_conditional(request)


def embed_origins() -> str:
    return current_app.config.get("PUBLIC_EMBED_ORIGINS", "")


@bp.route("/cong-khai")
@rate_limited
def index():
    units = services.public_units()
    return cached(Response(render_template("public/index.html", units=units)), SHORT)


@bp.route("/cong-khai/<unit_code>")
@rate_limited
def scoreboard(unit_code: str):
    found = services.public_unit(unit_code)
    if found is None:
        return not_found()
    unit, names = found
    board = services.scoreboard(unit, names=names, today=today_vn())
    return cached(Response(render_template("public/scoreboard.html", board=board)), SHORT)


@bp.route("/cong-khai/<unit_code>/nhung")
@framable_by(embed_origins)
@rate_limited
def embed(unit_code: str):
    found = services.public_unit(unit_code)
    if found is None:
        return not_found()
    unit, _names = found
    figures = services.badge_figures(unit)
    return cached(Response(render_template("public/embed.html", unit=unit, f=figures)), SHORT)


@bp.route("/cong-khai/<unit_code>/huy-hieu.svg")
@rate_limited
def badge(unit_code: str):
    found = services.public_unit(unit_code)
    if found is None:
        return not_found()
    svg = files.badge_svg(services.badge_figures(found[0]))
    return cached(Response(svg, mimetype="image/svg+xml"), SHORT)


def _open_data():
    """(data, max-age) for ?period= (default: the newest month), or None for a period that is not one or has no
    published figure."""
    text = request.args.get("period", "").strip()
    period = None
    if text:
        try:
            period = parse_period(text)
        except ValueError:
            return None
    today = today_vn()
    data = services.open_data(period, today=today)
    if data.period is None or (period is not None and not data.rows):
        return None
    return data, (LONG if period is not None and period.end_date < today else SHORT)


@bp.route("/cong-khai/du-lieu.csv")
@rate_limited
def open_data_csv():
    found = _open_data()
    if found is None:
        return not_found()
    data, max_age = found
    response = Response(files.as_csv(data), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="chi-so-766-{data.period.code}.csv"'
    return cached(response, max_age)


@bp.route("/cong-khai/du-lieu.json")
@rate_limited
def open_data_json():
    found = _open_data()
    if found is None:
        return not_found()
    data, max_age = found
    body = files.as_json(data, generated_at=today_vn().isoformat())
    response = Response(body, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return cached(response, max_age)


@bp.route("/units/<int:unit_id>/publishing", methods=["GET", "POST"])
@login_required
def settings(unit_id: int):
    unit = get_visible_unit(current_user, unit_id)
    require(services.can_set_publishing(current_user, unit))
    row = services.publication_of(unit)
    error = None
    if request.method == "POST":
        choice, names = request.form.get("publish"), request.form.get("names") == "on"
        if choice not in ("on", "off"):
            error = "Vui lòng chọn công khai hoặc không công khai điểm số."
        else:
            services.set_publishing(current_user, unit, publish=choice == "on", names=names, now=now_utc())
            db.session.commit()
            flash(gettext("Đã công khai điểm số.") if choice == "on" else gettext("Đã thôi công khai điểm số."), "success")
            return redirect(url_for("public.settings", unit_id=unit.id))
    return render_template("public/settings.html", unit=unit, row=row, error=error), 422 if error else 200
