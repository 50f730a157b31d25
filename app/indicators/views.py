"""The indicator catalog: read by everyone, edited by admins (versioned rules)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.assignments import services as assignments
from app.core.forms import FAILED, commit_or_show
from app.core.permissions import require, roles_required
from app.core.time import today_vn
from app.extensions import db
from app.indicators import services
from app.indicators.forms import IndicatorForm, RuleForm, VersionForm
from app.indicators.models import CatalogVersion, Indicator, IndicatorRule, subject_key

bp = Blueprint("indicators", __name__)


@bp.route("/indicators")
@login_required
def catalog():
    today = today_vn()
    version = services.version_on(today)
    return render_template("indicators/catalog.html", groups=services.catalog(), version=version,
                           rules=services.rules_on(today), versions=services.versions())


@bp.route("/indicators/<int:indicator_id>")
@login_required
def detail(indicator_id: int):
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    plan = assignments.current_plan_for(current_user)
    owners = []
    if plan is not None:
        owners = [a for key in (subject_key(indicator=indicator), subject_key(group=indicator.group))
                  for a in assignments.history(plan.issuing_unit_id, key)]
        owners.sort(key=lambda a: a.effective_from)
    rules = sorted(indicator.rules, key=lambda r: r.version.effective_from, reverse=True)
    chart, latest = _trend(indicator, plan)
    return render_template("indicators/detail.html", indicator=indicator, rules=rules, owners=owners, plan=plan,
                           chart=chart, latest=latest)


def _trend(indicator: Indicator, plan):
    """Monthly points of the indicator for the plan's unit and the units below it the user may see."""
    from app.core import charts
    from app.core.chart_figures import line_figure
    from app.org.services import units_in_scope
    from app.scores import queries

    units = ([plan.issuing_unit] if plan else []) + [
        u for u in units_in_scope(current_user, active_only=True) if plan is None or u.id != plan.issuing_unit_id]
    units = [u for u in units if u.kind in ("province", "district", "commune", "department")]
    latest_period = queries.latest_period([u.id for u in units])
    if latest_period is None:
        return None, []
    since = latest_period.start_date.replace(year=latest_period.start_date.year - 2)
    series = queries.indicator_series(indicator, units, "month", since)
    starts = sorted({s for per in series.values() for s in per})
    drawn = [u for u in units if series.get(u.id)][:9]
    chart = line_figure(
        [queries.period_of("month", s).code for s in starts],
        [charts.Series(u.name.replace("UBND ", ""), [series[u.id][s].points if s in series[u.id] else None
                                                    for s in starts],
                       color=charts.OWNER_COLORS[i % len(charts.OWNER_COLORS)]) for i, u in enumerate(drawn)],
        title=gettext("%(indicator)s: điểm theo tháng", indicator=indicator.label),
        y_label=gettext("điểm")) if drawn else None
    latest = [(u, series[u.id].get(latest_period.start_date)) for u in drawn]
    return chart, latest


@bp.route("/admin/catalog/indicators/<int:indicator_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_indicator(indicator_id: int):
    require(current_user.is_operator)
    indicator = db.session.get(Indicator, indicator_id) or abort(404)
    form = IndicatorForm(obj=indicator)
    if form.validate_on_submit():
        saved = commit_or_show(form, lambda: services.update_indicator(
            indicator, name=form.name.data, definition=form.definition.data or "",
            value_source=form.value_source.data, is_active=form.is_active.data, actor=current_user))
        if saved is not FAILED:
            flash(gettext("Đã lưu chỉ số."), "success")
            return redirect(url_for(".detail", indicator_id=indicator.id))
    return render_template("indicators/edit_indicator.html", form=form, indicator=indicator), (
        422 if form.errors else 200)


@bp.route("/admin/catalog/rules/<int:rule_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_rule(rule_id: int):
    require(current_user.is_operator)
    rule = db.session.get(IndicatorRule, rule_id) or abort(404)
    form = RuleForm(obj=rule)
    if request.method == "GET":
        form.max_points.data, form.threshold.data = f"{rule.max_points}", f"{rule.threshold}"
    if form.validate_on_submit():
        saved = commit_or_show(form, lambda: services.update_rule(
            rule, max_points=form.max_points.data, threshold=form.threshold.data,
            zero_denominator=form.zero_denominator.data, actor=current_user))
        if saved is not FAILED:
            flash(gettext("Đã lưu quy tắc chấm điểm."), "success")
            return redirect(url_for(".detail", indicator_id=rule.indicator_id))
    return render_template("indicators/edit_rule.html", form=form, rule=rule), (422 if form.errors else 200)


@bp.route("/admin/catalog/versions/new", methods=["GET", "POST"])
@roles_required("admin")
def new_version():
    require(current_user.is_operator)
    form = VersionForm()
    if form.validate_on_submit():
        version = commit_or_show(form, lambda: services.new_version(
            name=form.name.data, effective_from=form.effective_from.data, note=form.note.data or "",
            actor=current_user))
        if version is not FAILED:
            flash(gettext("Đã tạo phiên bản «%(version_name)s».", version_name=version.name), "success")
            return redirect(url_for(".catalog"))
    return render_template("indicators/new_version.html", form=form,
                           versions=db.session.scalars(db.select(CatalogVersion)).all()), (
        422 if form.errors else 200)
