"""The administrator's page of the working-day calendar (holidays from the `holidays` library, per-day overrides)."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.core.formatting import local_date
from app.core.forms import FAILED, commit_or_show
from app.core.permissions import require, roles_required
from app.core.time import now_utc, today_vn
from app.workdays import services
from app.workdays.forms import CalendarDayForm, ClearDayForm

bp = Blueprint("workdays", __name__, url_prefix="/admin/calendar")


def _year_arg() -> int:
    """?year=2026, this year when absent; 404 for anything else than a year the calendar handles."""
    raw = request.args.get("year", "")
    if raw == "":
        return today_vn().year
    if not raw.isdigit() or not services.MIN_YEAR <= int(raw) <= services.MAX_YEAR:
        abort(404)
    return int(raw)


def _page(year: int, form: CalendarDayForm, clear_form: ClearDayForm | None = None, status: int = 200):
    return render_template("workdays/calendar.html", overview=services.year_overview(year), form=form,
                           clear_form=clear_form or ClearDayForm(), can_edit=current_user.is_operator,
                           years=range(max(services.MIN_YEAR, year - 1), min(services.MAX_YEAR, year + 1) + 1),
                           today=today_vn()), status


@bp.route("/", methods=["GET", "POST"])
@roles_required("admin")
def calendar():
    year = _year_arg()
    form = CalendarDayForm()
    if request.method == "POST":
        require(current_user.is_operator)
        if form.validate_on_submit():
            saved = commit_or_show(form, lambda: services.set_day(
                form.day.data, is_working_day=form.is_working_day.data == "work", note=form.note.data or "",
                actor=current_user, now=now_utc()))
            if saved is not FAILED:
                flash(gettext("Đã đặt ngày %(date)s là ngày làm việc.", date=local_date(saved.day)) if saved.is_working_day
                      else gettext("Đã đặt ngày %(date)s là ngày nghỉ.", date=local_date(saved.day)), "success")
                return redirect(url_for(".calendar", year=saved.day.year))
        if form.day.data and services.MIN_YEAR <= form.day.data.year <= services.MAX_YEAR:
            year = form.day.data.year
    return _page(year, form, status=422 if form.errors else 200)


@bp.post("/days/<day>/delete")
@roles_required("admin")
def clear(day: str):
    require(current_user.is_operator)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    form = ClearDayForm()
    if form.validate_on_submit():
        done = commit_or_show(form, lambda: services.clear_day(when, actor=current_user))
        if done is not FAILED:
            flash(gettext("Đã xóa điều chỉnh ngày %(date)s: ngày này theo lịch mặc định.", date=local_date(when)),
                  "success")
            return redirect(url_for(".calendar", year=when.year))
    year = when.year if services.MIN_YEAR <= when.year <= services.MAX_YEAR else today_vn().year
    return _page(year, CalendarDayForm(formdata=None), form, status=422)
