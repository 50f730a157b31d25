"""Score pages: unit scorecard, ranks, owner trends, the chair's overview, exports (assembled in scores.pages)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext
from flask_login import current_user, login_required

from app.core import charts
from app.core.chart_figures import line_figure
from app.core.listing import listing_state
from app.core.permissions import roles_required
from app.org.models import Unit
from app.org.services import get_visible_user, units_in_scope
from app.scores import accountability, exports, pages, queries, tables
from app.scores.access import get_scored_unit
from app.scores.pages import KINDS, SCORED_KINDS
from app.scores.periods import parse_period

bp = Blueprint("scores", __name__, url_prefix="/scores")


def _kind() -> str:
    kind = request.args.get("kind", "month")
    return kind if kind in KINDS else "month"


def _period(unit_ids, kind: str):
    """The period asked for (?period=2026-10), else the latest one with data."""
    text = request.args.get("period")
    if text:
        try:
            period = parse_period(text)
        except ValueError:
            abort(400)
        return period
    return queries.latest_period(unit_ids, kind)


def _asked_period():
    """The period in the address (?period=2026-10), None when absent; 400 when it cannot be read."""
    text = request.args.get("period")
    if not text:
        return None
    try:
        return parse_period(text)
    except ValueError:
        abort(400)


def _visible_unit(unit_id: int) -> Unit:
    return get_scored_unit(current_user, unit_id)


def _xlsx(data: bytes, name: str):
    from io import BytesIO

    from app.core.excel import XLSX_MIMETYPE

    return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


@bp.route("/units/<int:unit_id>")
@login_required
def scorecard(unit_id: int):
    unit = _visible_unit(unit_id)
    kind = _kind()
    xlsx = request.args.get("format") == "xlsx"
    page = pages.scorecard_page(unit, kind, _asked_period(), with_details=not xlsx)
    if page.period is not None and xlsx:
        return _xlsx(exports.scorecard_workbook(page.card, page.rank, page.peers),
                     f"bang-diem-{unit.code}-{page.period.code}.xlsx")
    return render_template("scores/scorecard.html", page=page, unit=unit, card=page.card, kind=kind,
                           kinds=pages.kind_choices())


@bp.route("/ranks/<int:unit_id>")
@login_required
def ranks(unit_id: int):
    """The units below a unit, ranked within each peer group (its communes apart from its departments);
    with ?among=peers, or for a unit without children, the group the unit itself stands in (the portal publishes
    the totals and ranks of siblings, so they may be shown; their scorecards stay closed)."""
    unit = _visible_unit(unit_id)
    kind = _kind()
    among_peers = request.args.get("among") == "peers"
    groups = [] if among_peers else [g for g in queries.child_peer_groups(unit) if g.kind in SCORED_KINDS]
    groups = groups or [queries.peer_group(unit)]
    everyone = [u.id for g in groups for u in g.units]
    period = _period(everyone, kind)
    ranked = pages.ranks_tables(unit, groups, period)
    state = listing_state(tables.RANKS_LISTING)
    for t in ranked:
        t.shown = state.apply(t.rows)  # the table as asked; the chart keeps the ranking order
    if request.args.get("format") == "xlsx" and period:
        return _xlsx(exports.ranks_workbook(unit, period, [(t.group, t.shown) for t in ranked]),
                     f"xep-hang-{unit.code}-{period.code}.xlsx")
    return render_template("scores/ranks.html", unit=unit, tables=ranked, period=period, kind=kind,
                           kinds=pages.kind_choices(), state=state,
                           periods=queries.available_periods(everyone, kind), among_peers=among_peers)


@bp.route("/owners/<int:user_id>")
@login_required
def owner(user_id: int):
    person = get_visible_user(current_user, user_id)
    kind = _kind()
    trends = accountability.owner_trends(person, kind)
    if request.args.get("format") == "xlsx":
        return _xlsx(exports.owner_workbook(person, trends), f"xu-huong-{person.username}.xlsx")
    drawn = []
    for trend in trends:
        labels = [p.period.code for p in trend.points]
        series = [charts.Series(label, values, color=charts.OWNER_COLORS[i % len(charts.OWNER_COLORS)])
                  for i, (label, values) in enumerate(trend.series_by_owner())]
        max_points = trend.points[-1].record.max_points if trend.points else None
        chart = line_figure(labels, series, title=trend.indicator.label, y_label=gettext("điểm"),
                            y_max=float(max_points) if max_points else None) if trend.points else None
        drawn.append((trend, chart))
    return render_template("scores/owner.html", person=person, trends=drawn, kind=kind, kinds=pages.kind_choices())


def _overview_root() -> Unit:
    """The user's own unit when it is scored, else the unit whose plan binds them (e.g. an office head)."""
    from app.assignments.services import current_plan_for

    if queries.latest_period([current_user.unit_id]) is not None:
        return current_user.unit
    plan = current_plan_for(current_user)
    return plan.issuing_unit if plan is not None else current_user.unit


OVERVIEW_ROLES = ("chair", "head", "admin")


@bp.route("/overview")
@roles_required(*OVERVIEW_ROLES)
def overview():
    root = _overview_root()
    units = units_in_scope(current_user, active_only=True)
    page = pages.overview_page(root, units, _kind(), _asked_period())
    heat_units = [u for u, _ in page.heat]
    heat_state = listing_state(tables.heat_listing(page.indicators))
    heat_rows = tables.arrange_heat(page, heat_state)
    if request.args.get("format") == "xlsx" and page.period is not None:
        return _xlsx(tables.heat_workbook(root, page.period, page.indicators, heat_rows, heat_state.filtered),
                     f"ban-do-nhiet-{root.code}-{page.period.code}.xlsx")
    dossier_view = _dossier_overview(root, heat_units) if page.period is not None else {}
    from app.home.heatmap import by_indicator

    heat = by_indicator(page.indicators, page.heat, page.period) if page.period is not None else None
    return render_template("scores/overview.html", page=page, root=root, period=page.period, kind=page.kind,
                           kinds=pages.kind_choices(), tree_red=accountability.red_list(current_user, people=False),
                           heat=heat, heat_state=heat_state, **dossier_view)


def _dossier_overview(root: Unit, units: list[Unit]) -> dict:
    """Per scored unit: the open dossiers needing action now; for the root: the running month's projection."""
    from flask import current_app

    from app.core.time import now_utc, today_vn
    from app.dossiers.computed import projections
    from app.dossiers.stats import pressure
    from app.scores.periods import month_period
    from app.workdays.services import calendar_around

    now, today = now_utc(), today_vn()
    by_unit = pressure(units or [root], now=now, calendar=calendar_around(today),
                       soon_days=current_app.config["DOSSIER_DUE_SOON_DAYS"])
    return {"dossier_pressure": [p for p in by_unit.values() if p.any],
            "projections": projections(root, month_period(today.year, today.month), now=now)}


@bp.route("/")
@login_required
def index():
    """Chairs, heads and admins see the overview; officers the scorecard their plan is about."""
    from flask import redirect, url_for

    from app.assignments.services import current_plan_for

    if current_user.role in OVERVIEW_ROLES:
        return redirect(url_for(".overview"))
    plan = current_plan_for(current_user)
    unit = plan.issuing_unit if plan else current_user.unit
    return redirect(url_for(".scorecard", unit_id=unit.id))
