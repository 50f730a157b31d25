"""Writing pages: manual entry and explanations of red indicators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.assignments import services as assignments
from app.core.forms import FAILED, choices, commit_or_show
from app.core.permissions import require
from app.extensions import db
from app.indicators.models import Indicator
from app.org.models import Unit
from app.org.services import units_in_scope
from app.scores import accountability, manual, queries
from app.scores.forms import ExplanationForm, ManualEntryForm
from app.scores.periods import parse_period
from app.scores.views import bp


@bp.route("/red")
@login_required
def red_list():
    """Red indicators of the scorecards the user answers for or oversees, latest period."""
    scopes = {p.issuing_unit for p in assignments.plans_visible_to(current_user)}
    if current_user.role in ("chair", "admin", "head"):
        scopes.add(current_user.unit)
    rows = []
    for unit in sorted(scopes, key=lambda u: u.name):
        period = queries.latest_period([unit.id])
        if period is None:
            continue
        for item in accountability.red_items(unit, period):
            mine = item.owner is not None and assignments.performs(item.owner, current_user)
            if mine or current_user.role in ("chair", "admin") or current_user.can_see_unit(unit):
                rows.append((unit, period, item, mine))
    return render_template("scores/red_list.html", rows=rows)


@bp.route("/red/<int:unit_id>/<int:indicator_id>/<period_code>", methods=["GET", "POST"])
@login_required
def explain(unit_id: int, indicator_id: int, period_code: str):
    unit, indicator = db.session.get(Unit, unit_id), db.session.get(Indicator, indicator_id)
    if unit is None or indicator is None:
        abort(404)
    try:
        period = parse_period(period_code)
    except ValueError:
        abort(404)
    require(current_user.can_see_scores_of(unit))
    item = next((i for i in accountability.red_items(unit, period) if i.indicator.id == indicator.id), None)
    can_write = accountability.can_explain(current_user, unit, indicator, period)
    form = ExplanationForm(obj=item.explanation if item else None)
    if form.validate_on_submit():
        require(can_write)
        saved = commit_or_show(form, lambda: accountability.save_explanation(
            unit=unit, indicator=indicator, period=period, reason=form.reason.data, remedy=form.remedy.data,
            due_on=form.due_on.data, actor=current_user))
        if saved is not FAILED:
            flash("Đã lưu giải trình và biện pháp khắc phục.", "success")
            return redirect(url_for(".red_list"))
    return render_template("scores/explain.html", unit=unit, indicator=indicator, period=period, item=item,
                           form=form, can_write=can_write), (422 if form.errors else 200)


@bp.route("/entry", methods=["GET", "POST"])
@login_required
def entry():
    scopes = {p.issuing_unit for p in assignments.plans_visible_to(current_user)}
    if current_user.role == "admin":
        scopes |= set(units_in_scope(current_user, active_only=True))
    units = sorted((u for u in scopes if manual.enterable(current_user, u)), key=lambda u: u.name)
    form = ManualEntryForm()
    form.unit_id.choices = choices((u.id, u.name) for u in units)
    unit = db.session.get(Unit, form.unit_id.data or request.args.get("unit", type=int) or 0) or (
        units[0] if units else None)
    indicators = manual.enterable(current_user, unit) if unit in units else []
    form.indicator_id.choices = choices((i.id, i.label) for i in indicators)
    if request.method == "GET" and request.args.get("indicator", type=int):
        form.indicator_id.data = request.args.get("indicator", type=int)
    if form.validate_on_submit():
        rec = commit_or_show(form, lambda: manual.enter(
            unit=unit, indicator=db.session.get(Indicator, form.indicator_id.data), period_text=form.period.data,
            numerator=form.numerator.data, denominator=form.denominator.data, note=form.note.data,
            actor=current_user))
        if rec is not FAILED:
            flash(f"Đã lưu {rec.indicator.label} kỳ {form.period.data}: {rec.points} / {rec.max_points} điểm.",
                  "success")
            return redirect(url_for(".entry", unit=unit.id))
    return render_template("scores/entry.html", form=form, units=units, indicators=indicators), (
        422 if form.errors else 200)
