"""Score pages: unit scorecard, ranks, owner trends, the chair's overview, exports."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user, login_required

from app.auth.models import User
from app.core import charts
from app.core.permissions import require, roles_required
from app.extensions import db
from app.org.models import Unit
from app.org.services import units_in_scope
from app.scores import accountability, exports, queries
from app.scores.access import can_see_scores_of
from app.scores.periods import parse_period

bp = Blueprint("scores", __name__, url_prefix="/scores")
KINDS = {"month": "Tháng", "quarter": "Quý", "year": "Năm"}
HISTORY_FROM = {"month": 36, "quarter": 16, "year": 8}


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


def _since(kind: str, latest) -> date | None:
    if latest is None:
        return None
    start = latest.start_date
    months = {"month": 1, "quarter": 3, "year": 12}[kind] * HISTORY_FROM[kind]
    y, m = divmod(start.year * 12 + start.month - 1 - months, 12)
    return date(y, m + 1, 1)


def _visible_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    require(can_see_scores_of(current_user, unit))
    return unit


def _xlsx(data: bytes, name: str):
    from io import BytesIO

    from app.core.excel import XLSX_MIMETYPE

    return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


def _rank_in_peers(unit: Unit, period) -> tuple[queries.PeerGroup, queries.Rank | None]:
    group = queries.peer_group(unit)
    rank = next((r for r in queries.ranks(group.units, period) if r.unit.id == unit.id), None)
    return group, rank


def _rank_chart(unit: Unit, kind: str, starts, peers: queries.PeerGroup, since):
    if len(peers.units) < 2:
        return None
    ranks = queries.rank_series(unit, kind, since)
    if not ranks:
        return None
    return charts.line_chart(
        [queries.period_of(kind, s).code for s in starts],
        [charts.Series("Thứ hạng", [ranks[s][0] if s in ranks else None for s in starts])],
        title=f"Thứ hạng trong {peers.label} (1 là cao nhất)", y_label="hạng", y_max=len(peers.units),
        rank_axis=True)


@bp.route("/units/<int:unit_id>")
@login_required
def scorecard(unit_id: int):
    unit = _visible_unit(unit_id)
    kind = _kind()
    period = _period([unit.id], kind)
    if period is None:
        return render_template("scores/scorecard.html", unit=unit, card=None, kind=kind, kinds=KINDS)
    card = queries.scorecard(unit, period)
    peers, rank = _rank_in_peers(unit, period)
    if request.args.get("format") == "xlsx":
        return _xlsx(exports.scorecard_workbook(card, rank, peers), f"bang-diem-{unit.code}-{period.code}.xlsx")
    since = _since(kind, period)
    series = queries.total_series([unit], kind, since).get(unit.id, {})
    starts = [s for s in sorted(series) if s <= period.start_date]
    total_chart = charts.line_chart(
        [queries.period_of(kind, s).code for s in starts],
        [charts.Series("Tổng điểm", [series[s] for s in starts])],
        title=f"Tổng điểm {unit.name}", y_label="điểm / 100", y_max=100)
    return render_template(
        "scores/scorecard.html", unit=unit, card=card, kind=kind, kinds=KINDS, rank=rank, peers=peers,
        total_chart=total_chart, rank_chart=_rank_chart(unit, kind, starts, peers, since),
        periods=queries.available_periods([unit.id], kind),
        child_groups=[g for g in queries.child_peer_groups(unit) if g.kind in SCORED_KINDS],
        red=accountability.red_items(unit, period, card), formalities=queries.formality_breakdown(unit, period),
    )


SCORED_KINDS = ("province", "district", "commune", "department")


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
    tables = []
    if period is not None:
        for group in groups:
            rows = queries.ranks(group.units, period)
            if rows:
                tables.append((group, rows))
    if request.args.get("format") == "xlsx" and period:
        return _xlsx(exports.ranks_workbook(unit, period, tables), f"xep-hang-{unit.code}-{period.code}.xlsx")
    charted = [(group, rows, charts.bar_chart(
        [r.unit.name.replace("UBND ", "") for r in rows], [r.total for r in rows], title=f"Tổng điểm {group.label}",
        y_max=100, highlight=next((i for i, r in enumerate(rows) if r.unit.id == unit.id), None)))
        for group, rows in tables]
    return render_template("scores/ranks.html", unit=unit, tables=charted, period=period, kind=kind, kinds=KINDS,
                           periods=queries.available_periods(everyone, kind), among_peers=among_peers)


@bp.route("/owners/<int:user_id>")
@login_required
def owner(user_id: int):
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    require(person.id == current_user.id or current_user.can_see_user(person))
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
        chart = charts.line_chart(labels, series, title=trend.indicator.label, y_label="điểm",
                                  y_max=float(max_points) if max_points else None) if trend.points else None
        drawn.append((trend, chart))
    return render_template("scores/owner.html", person=person, trends=drawn, kind=kind, kinds=KINDS)


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
    units = [u for u in units_in_scope(current_user, active_only=True) if u.kind in SCORED_KINDS]
    if root not in units:
        units.insert(0, root)
    kind = _kind()
    period = _period([u.id for u in units], kind)
    if period is None:
        return render_template("scores/overview.html", period=None, kind=kind, kinds=KINDS, root=root)
    indicators, heat = queries.heatmap(units, period)
    since = _since(kind, period)
    series = queries.total_series([root], kind, since).get(root.id, {})
    starts = [s for s in sorted(series) if s <= period.start_date]
    chart = charts.line_chart([queries.period_of(kind, s).code for s in starts],
                              [charts.Series("Tổng điểm", [series[s] for s in starts])],
                              title=f"Tổng điểm {root.name}", y_max=100)
    peers, rank = _rank_in_peers(root, period)
    card = queries.scorecard(root, period)
    red = accountability.red_items(root, period, card)
    return render_template(
        "scores/overview.html", root=root, period=period, kind=kind, kinds=KINDS, indicators=indicators,
        heat=heat, chart=chart, rank_chart=_rank_chart(root, kind, starts, peers, since), card=card, rank=rank,
        peers=peers, fallers=accountability.fallers(root, period, card=card), red=red,
        periods=queries.available_periods([root.id], kind), **_dossier_overview(root, [u for u, _ in heat]),
    )


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
