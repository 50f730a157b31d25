"""Home page ("Chỉ số của tôi" or the chair's overview), the language switch and the health check."""

from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.assignments import services as assignments
from app.core.time import today_vn
from app.extensions import db
from app.indicators.models import subject_key

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    today = today_vn()
    mine = assignments.indicators_of(current_user, today)
    scores = my_scores(mine)
    if current_user.role in ("chair", "admin", "head"):
        plan = assignments.current_plan_for(current_user)
        table = assignments.assignment_table(plan, today) if plan else []
        return render_template("main/overview.html", plan=plan, table=table, mine=mine, today=today, scores=scores)
    from app.alerts.services import for_user

    owned_groups: dict[int, tuple] = {}
    for ind, a in mine:  # one card per assignment (a group, or an indicator assigned apart)
        owned_groups.setdefault(a.id, (a, []))[1].append((ind, a))
    pressure, projections = dossier_signals(mine, today=today)
    return render_template("main/my_indicators.html", mine=mine, today=today, scores=scores,
                           owned_groups=list(owned_groups.values()), alerts=for_user(current_user, limit=5),
                           pressure=pressure, projections=projections)


def dossier_signals(mine, *, today):
    """For the scorecards whose dossier-fed indicators the user owns: the open dossiers that move them now
    (overdue, due soon, apology missing) and the projection of the running month."""
    from flask import current_app

    from app.core.time import now_utc
    from app.dossiers.access import DOSSIER_INDICATORS
    from app.dossiers.computed import projections as projections_of
    from app.dossiers.stats import pressure as pressure_of
    from app.scores.periods import month_period
    from app.workdays.services import calendar_around

    scopes = {a.scope_unit_id: a.scope_unit for ind, a in mine if ind.code in DOSSIER_INDICATORS}
    if not scopes:
        return {}, {}
    now = now_utc()
    pressure = pressure_of(list(scopes.values()), now=now, calendar=calendar_around(today),
                           soon_days=current_app.config["DOSSIER_DUE_SOON_DAYS"])
    running = month_period(today.year, today.month)
    projections = {scope_id: {p.indicator.id: p for p in projections_of(unit, running, now=now)}
                   for scope_id, unit in scopes.items()}
    return pressure, projections


def my_scores(mine) -> dict[int, dict]:
    """Latest monthly points, change and a 12-month sparkline of each owned indicator (scope unit's scorecard)."""
    from app.core import charts
    from app.core.chart_figures import describe, period_tick
    from app.scores import queries

    out: dict[int, dict] = {}
    by_scope: dict[int, list] = {}
    for ind, a in mine:
        by_scope.setdefault(a.scope_unit_id, []).append((ind, a))
    for scope_id, pairs in by_scope.items():
        latest = queries.latest_period([scope_id])
        if latest is None:
            continue
        since = latest.start_date.replace(year=latest.start_date.year - 1)
        scope = pairs[0][1].scope_unit
        by_subject = queries.series_by_subject([scope], "month", [ind for ind, _ in pairs], since)
        for ind, _a in pairs:
            series = by_subject.get(subject_key(indicator=ind), {}).get(scope_id, {})
            if not series:
                continue
            starts = sorted(series)
            last = series[starts[-1]]
            prev = series.get(queries.previous(queries.period_of("month", starts[-1])).start_date)
            change = (last.points - prev.points) if prev and None not in (last.points, prev.points) else None
            out[ind.id] = {
                "record": last, "period": queries.period_of("month", starts[-1]), "change": change,
                "band": queries.band_of(last.points, last.max_points), "unit": scope,
                "spark": charts.sparkline([series[s].points for s in starts], y_max=float(last.max_points),
                                          title=gettext("Điểm 12 tháng") + ": " + describe(
                                              [period_tick(queries.period_of("month", s).code) for s in starts],
                                              [series[s].points for s in starts])),
            }
    return out


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
