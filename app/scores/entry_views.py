"""Writing pages: manual entry and explanations of red indicators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.core.formatting import vn_number
from app.core.forms import FAILED, choices, commit_or_show, failed_status
from app.core.i18n import period_label
from app.core.locking import form_version
from app.core.params import arg_id
from app.core.permissions import require
from app.core.time import now_utc, today_vn
from app.extensions import db
from app.indicators.models import Indicator
from app.org.models import Unit
from app.scores import accountability, manual, review
from app.scores.access import can_review_explanation, entry_unit, get_scored_unit
from app.scores.forms import ExplanationForm, ManualEntryForm, ReviewForm
from app.scores.periods import parse_period
from app.scores.views import bp

bp.add_app_template_global(review.explanation_state, "explanation_state")
bp.add_app_template_global(can_review_explanation, "can_review_explanation")


@bp.route("/red")
@login_required
def red_list():
    """Red indicators of the scorecards the user answers for or oversees, latest period (sorted, filtered, exported
    with ?sort=, ?unit=, ?explained=, ?reason=, ?q=, ?format=xlsx)."""
    from app.core.listing import listing_state
    from app.scores import tables
    from app.scores.views import _xlsx

    state = listing_state(tables.RED_LISTING)
    everything = accountability.red_list(current_user)
    rows = state.apply(everything)
    if request.args.get("format") == "xlsx":
        return _xlsx(tables.red_workbook(rows, state.filtered), "chi-so-can-giai-trinh.xlsx")
    return render_template("scores/red_list.html", rows=rows, state=state, everything=everything)


@bp.route("/red/<int:unit_id>/<int:indicator_id>/<period_code>", methods=["GET", "POST"])
@login_required
def explain(unit_id: int, indicator_id: int, period_code: str):
    """The explanation of a red indicator: its history, the owner's form, the reviewer's decision."""
    unit, indicator, period = _explained(unit_id, indicator_id, period_code)
    can_write = accountability.can_explain(current_user, unit, indicator, period)
    form = ExplanationForm(obj=accountability.find_explanation(unit, indicator, period))
    if form.validate_on_submit():
        require(can_write)
        seen = form_version(form.version.data)
        saved = commit_or_show(form, lambda: review.submit(
            unit=unit, indicator=indicator, period=period, reason=form.reason.data, remedy=form.remedy.data,
            due_on=form.due_on.data, actor=current_user, now=now_utc(), expected_version=0 if seen is None else seen))
        if saved is not FAILED:
            flash(gettext("Đã gửi giải trình và biện pháp khắc phục, chờ lãnh đạo duyệt."), "success")
            return redirect(url_for(".explain", unit_id=unit.id, indicator_id=indicator.id, period_code=period.code))
    return _explain_page(unit, indicator, period, form=form, review_form=ReviewForm(formdata=None))


@bp.route("/red/<int:unit_id>/<int:indicator_id>/<period_code>/review", methods=["POST"])
@login_required
def review_explanation(unit_id: int, indicator_id: int, period_code: str):
    """A reviewer accepts the latest version of an explanation or returns it with a comment."""
    unit, indicator, period = _explained(unit_id, indicator_id, period_code)
    explanation = accountability.find_explanation(unit, indicator, period)
    if explanation is None:
        abort(404)
    require(can_review_explanation(current_user, explanation))
    form = ReviewForm()
    if form.validate_on_submit():
        decided = commit_or_show(form, lambda: review.review(
            explanation, decision=form.decision, comment=form.comment.data, actor=current_user, now=now_utc(),
            expected_version=form_version(form.version.data)))
        if decided is not FAILED:
            flash(gettext("Đã chấp nhận giải trình.") if decided.decision == "accepted"
                  else gettext("Đã trả lại giải trình; người phụ trách nhận được cảnh báo."), "success")
            return redirect(url_for(".explain", unit_id=unit.id, indicator_id=indicator.id, period_code=period.code))
    return _explain_page(unit, indicator, period, form=ExplanationForm(formdata=None, obj=explanation),
                         review_form=form)


def _explained(unit_id: int, indicator_id: int, period_code: str):
    """The unit (one the user may see), indicator and period named by the address, else 404."""
    unit, indicator = get_scored_unit(current_user, unit_id), db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    try:
        return unit, indicator, parse_period(period_code)
    except ValueError:
        abort(404)


def _explain_page(unit, indicator, period, *, form, review_form):
    """The page; after a failed save or review (someone else acted at the same moment) it shows what is stored now."""
    failed = bool(form.errors or form.form_errors or review_form.errors or review_form.form_errors)
    if failed:
        db.session.expire_all()
    item = next((i for i in accountability.red_items(unit, period) if i.indicator.id == indicator.id), None)
    stored = accountability.find_explanation(unit, indicator, period)
    if stored is not None:  # the user has now seen this version: saving again applies their text over it
        form.version.data = review_form.version.data = stored.version
    can_write = accountability.can_explain(current_user, unit, indicator, period)
    can_review = stored is not None and stored.state == "submitted" and can_review_explanation(current_user, stored)
    status = 200
    if failed:
        status = 409 if 409 in (failed_status(form), failed_status(review_form)) else 422
    return render_template("scores/explain.html", unit=unit, indicator=indicator, period=period, item=item,
                           form=form, review_form=review_form, can_write=can_write, can_review=can_review,
                           stored=stored, state=review.explanation_state(stored), returned=review.last_return(stored),
                           history=review.history(stored)), status


@bp.route("/entry", methods=["GET", "POST"])
@login_required
def entry():
    """Manual entry for one unit: the unit comes from the address (?unit=) only, so page and form always agree."""
    today = today_vn()
    units = manual.entry_units(current_user, today=today)
    wanted = arg_id("unit")
    unit = entry_unit(current_user, wanted, units) if wanted is not None else (units[0] if units else None)
    form = ManualEntryForm()
    indicators = manual.enterable(current_user, unit, today=today)
    form.indicator_id.choices = choices((i.id, i.label) for i in indicators)
    stored = None
    if request.method == "GET" and arg_id("indicator"):
        form.indicator_id.data = arg_id("indicator")
        if unit is not None and request.args.get("period"):
            form.period.data = request.args["period"]
            stored = _stored_value(unit, form)
            if stored is not None:  # correcting a stored value: start from it, and remember which version it was
                form.numerator.data, form.denominator.data = (
                    "" if v is None else f"{v:.0f}" for v in (stored.numerator, stored.denominator))
                form.note.data = stored.note
            form.version.data = stored.version if stored is not None else 0
    if unit is not None and form.validate_on_submit():
        rec = commit_or_show(form, lambda: manual.enter(
            unit=unit, indicator=db.session.get(Indicator, form.indicator_id.data), period_text=form.period.data,
            numerator=form.numerator.data, denominator=form.denominator.data, note=form.note.data,
            actor=current_user, today=today, expected_version=form_version(form.version.data)))
        if rec is not FAILED:
            flash(gettext("Đã lưu %(indicator)s, %(unit)s, kỳ %(period)s: %(points)s / %(max)s điểm.",
                          indicator=rec.indicator.label, unit=unit.name,
                          period=period_label(parse_period(form.period.data)), points=vn_number(rec.points),
                          max=vn_number(rec.max_points)), "success")
            return redirect(url_for(".entry", unit=unit.id))
        stored = _stored_value(unit, form)
        form.version.data = stored.version if stored is not None else 0  # what the user is shown now
    return render_template("scores/entry.html", form=form, units=units, unit=unit, indicators=indicators,
                           stored=stored, **_period_picker(form.period.data, today)), (
        failed_status(form) if form.errors or form.form_errors else 200)


def _period_picker(text: str | None, today) -> dict:
    """The entry page's period picker: the finished periods offered, the one chosen (what was typed, "10/2026", is
    shown as "Tháng 10/2026"), and what was typed when it is not among them (kept, so its error is seen beside it)."""
    groups = manual.entry_periods(today)
    try:
        period = parse_period(text or "")
    except ValueError:
        period = None
    offered = {p.code for periods in groups.values() for p in periods}
    if period is not None and period.code not in offered:
        groups[period.kind] = [period, *groups[period.kind]]  # an older (or a running) period asked for by name
    extra = (text or "").strip() if period is None else ""
    return {"period_groups": groups, "chosen_period": period.code if period else "", "extra_period": extra}


def _stored_value(unit: Unit, form):
    """The value now stored for what the form tried to save (shown when someone else saved it first)."""
    indicator = db.session.get(Indicator, form.indicator_id.data or 0)
    try:
        period = parse_period(form.period.data or "")
    except ValueError:
        return None
    return manual.current_value(unit, indicator, period) if indicator is not None else None
