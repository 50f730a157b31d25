"""The assignment table, reassignment with history."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from app.assignments import access, services, tables
from app.assignments.forms import ReassignForm
from app.assignments.models import Assignment, Plan
from app.auth.models import User
from app.core.formatting import local_date
from app.core.forms import FAILED, choices, commit_or_show, failed_status, parse_vn_date
from app.core.listing import listing_state
from app.core.locking import form_version
from app.core.params import arg_id
from app.core.permissions import require
from app.core.text import plain
from app.core.time import today_vn
from app.extensions import db
from app.indicators.models import Indicator
from app.org.models import Unit
from app.org.services import units_in_scope

bp = Blueprint("assignments", __name__, url_prefix="/assignments")


def _visible_plan(plan_id: int | None) -> Plan | None:
    """The plan asked for (404 when the user may not read it), else the one in force for the user."""
    if plan_id is None:
        return services.current_plan_for(current_user)
    return services.get_visible_plan(current_user, plan_id)


@bp.route("/")
@login_required
def table():
    on = today_vn()
    if request.args.get("on"):
        try:
            on = parse_vn_date(request.args["on"])
        except ValueError as exc:
            flash(gettext("%(error)s Đang hiển thị hôm nay.", error=str(exc)), "error")
    plan = _visible_plan(arg_id("plan"))
    state = listing_state(tables.LISTING)
    rows = tables.arrange(services.assignment_table(plan, on), state) if plan else []
    if plan and request.args.get("format") == "xlsx":
        from app.core.excel import send_xlsx

        return send_xlsx(tables.workbook(plan, rows, on, state.filtered), f"phan-cong-{plan.issuing_unit.code}.xlsx")
    histories = {}
    if plan:
        # only subjects that changed hands (or ended) show a history under their row
        histories = {key: hist for key, hist in services.histories(plan.issuing_unit_id).items()
                     if len(hist) > 1 or hist[-1].effective_to is not None}
    def may_assign(a: Assignment | None) -> bool:
        """The row's buttons: the plan's managers everywhere, a head on the rows of their own unit."""
        return plan is not None and access.can_assign(current_user, plan, a)

    can_edit = bool(plan) and (access.manages_plan(current_user, plan) or any(
        may_assign(a) for g in rows for a in (g.assignment, *(own for _, own in g.rows)) if a is not None))
    return render_template(
        "assignments/table.html", plan=plan, table=rows, on=on, histories=histories, can_edit=can_edit, state=state,
        may_assign=may_assign, plans=services.plans_visible_to(current_user),
    )


def _load_assignment(assignment_id: int) -> Assignment:
    return services.get_visible_assignment(current_user, assignment_id)


@bp.route("/<int:assignment_id>/history")
@login_required
def history(assignment_id: int):
    a = _load_assignment(assignment_id)
    return render_template("assignments/history.html", assignment=a,
                           history=services.history(a.scope_unit_id, a.subject_key))


def _prepare_form(form: ReassignForm, plan: Plan, base: Assignment | None) -> None:
    """Choices limited to active units and officers inside both the plan's scope and the user's; the performers are
    those who may perform (access.eligible_performer), the responsible unit's first, in Vietnamese order. A head
    handing over inside their unit keeps the cooperating units of `base` (the fields are removed)."""
    scope_unit = plan.issuing_unit
    units = [u for u in units_in_scope(current_user, active_only=True) if u.is_descendant_of(scope_unit)]
    unit_ids = {u.id for u in units}
    people = [p for p in db.session.scalars(
        db.select(User).where(User.is_active.is_(True), User.unit_id.in_(unit_ids))) if access.eligible_performer(p, plan)]
    people = access.picker_order(people, base.responsible_unit if base is not None else current_user.unit)
    form.responsible_unit_id.choices = choices((u.id, u.name) for u in units)
    form.cooperating_unit_ids.choices = choices((u.id, u.name) for u in units if u.id != scope_unit.id)
    form.team_unit_id.choices = choices([(0, gettext("— Không —"))] + [(u.id, u.name) for u in units])
    form.performer_ids.choices = choices((p.id, f"{p.full_name} — {p.title or gettext(p.role_label)}") for p in people)
    form.people = people
    form.delegated = access.delegates(current_user, plan, base)
    if form.delegated:
        del form.cooperating_unit_ids
        del form.cooperating_label


def _parties(form: ReassignForm, base: Assignment | None) -> dict:
    if form.delegated:  # a head inside their unit: the plan's issuer chose the cooperating units
        cooperating, label = list(base.cooperating_units), base.cooperating_label or ""
    else:
        cooperating = [db.session.get(Unit, i) for i in form.cooperating_unit_ids.data]
        label = form.cooperating_label.data or ""
    return {
        "responsible": db.session.get(Unit, form.responsible_unit_id.data),
        "cooperating": cooperating,
        "cooperating_label": label,
        "performers": [db.session.get(User, i) for i in form.performer_ids.data],
        "team": db.session.get(Unit, form.team_unit_id.data) if form.team_unit_id.data else None,
        "note": form.note.data or "",
    }


def _picker(form: ReassignForm, first_unit: Unit | None) -> dict:
    """What the performer picker shows: the search text (?q= or the form's q, "Lọc" posts the form without
    saving), the people matching it or already chosen, the responsible unit's first."""
    q = (request.values.get("q") or "").strip()
    chosen = set(form.performer_ids.data or [])
    key = plain(q)
    shown = [p for p in form.people if p.id in chosen or not key
             or key in plain(" ".join((p.full_name, p.username, p.title or "", p.unit.name)))]
    own = [p for p in shown if first_unit is not None and p.unit_id == first_unit.id]
    return {"q": q, "chosen": chosen, "own": own, "others": [p for p in shown if p not in own],
            "first_unit": first_unit, "hidden": len(form.people) - len(shown)}


def _filtering() -> bool:
    """The form was posted with "Lọc" (narrow the performer list), not to be saved."""
    return request.method == "POST" and "filter" in request.form


def _saved(new: Assignment):
    flash(gettext("Đã lưu phân công «%(subject)s» từ ngày %(day)s.", subject=new.subject_label,
                  day=local_date(new.effective_from)), "success")
    return redirect(url_for(".table", plan=new.plan_id) + f"#row-{new.subject_key}")


@bp.route("/<int:assignment_id>/reassign", methods=["GET", "POST"])
@login_required
def reassign(assignment_id: int):
    today = today_vn()
    a = _load_assignment(assignment_id)
    require(access.can_assign(current_user, a.plan, a))
    if a.effective_to is not None and request.method == "GET":
        flash(gettext("Phân công này đã kết thúc; hãy chuyển giao từ phân công đang hiệu lực."), "error")
        return redirect(url_for(".history", assignment_id=a.id))
    form = ReassignForm()
    _prepare_form(form, a.plan, a)
    if request.method == "GET":
        form.version.data = a.version
        form.responsible_unit_id.data = a.responsible_unit_id
        if not form.delegated:
            form.cooperating_unit_ids.data = [u.id for u in a.cooperating_units]
            form.cooperating_label.data = a.cooperating_label
        form.performer_ids.data = [p.id for p in a.performers]
        form.team_unit_id.data = a.team_unit_id or 0
        form.effective_from.data = today
    if not _filtering() and form.validate_on_submit():
        start = form.effective_from.data
        seen = form_version(form.version.data)
        if start < today and (form.correction_reason.data or "").strip():
            action = lambda: services.correct_past(  # noqa: E731
                a, effective_from=start, today=today, reason=form.correction_reason.data or "",
                actor=current_user, expected_version=seen, **_parties(form, a))
        else:
            action = lambda: services.reassign(  # noqa: E731
                a, effective_from=start, today=today, actor=current_user, expected_version=seen,
                **_parties(form, a))
        new = commit_or_show(form, action)
        if new is not FAILED:
            return _saved(new)
    post_to = None
    if getattr(form, "stale", None) is not None:
        # someone else changed it meanwhile: the user's input stays, aimed at the assignment in force now
        current = form.stale.record if isinstance(form.stale.record, Assignment) else a
        form.version.data = current.version
        if current.id != a.id:
            a, post_to = current, url_for(".reassign", assignment_id=current.id)
    status = failed_status(form) if request.method == "POST" and not _filtering() else 200
    return render_template("assignments/reassign.html", form=form, assignment=a, plan=a.plan, today=today,
                           subject=a.subject_label, history=services.history(a.scope_unit_id, a.subject_key),
                           post_to=post_to, base=a, picker=_picker(form, a.responsible_unit)), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    today = today_vn()
    plan = _visible_plan(arg_id("plan"))
    indicator = db.session.get(Indicator, arg_id("indicator") or 0)
    if plan is None or indicator is None:
        abort(404)
    group_owner = services.owner_of(plan.issuing_unit_id, indicator, today)
    require(access.can_assign(current_user, plan, group_owner))
    form = ReassignForm()
    _prepare_form(form, plan, group_owner)
    if request.method == "GET":
        if group_owner is not None:
            form.responsible_unit_id.data = group_owner.responsible_unit_id
            if not form.delegated:
                form.cooperating_unit_ids.data = [u.id for u in group_owner.cooperating_units]
                form.cooperating_label.data = group_owner.cooperating_label
        form.team_unit_id.data = 0
        form.effective_from.data = today
    if not _filtering() and form.validate_on_submit():
        start = form.effective_from.data
        if start < today and (form.correction_reason.data or "").strip():
            action = lambda: services.assign_past(  # noqa: E731
                plan=plan, indicator=indicator, effective_from=start, today=today,
                reason=form.correction_reason.data or "", actor=current_user, **_parties(form, group_owner))
        else:
            action = lambda: services.assign(  # noqa: E731
                plan=plan, indicator=indicator, effective_from=start, today=today, actor=current_user,
                **_parties(form, group_owner))
        created = commit_or_show(form, action)
        if created is not FAILED:
            return _saved(created)
    key = Assignment.key_for(indicator=indicator)
    first_unit = group_owner.responsible_unit if group_owner is not None else current_user.unit
    status = failed_status(form) if request.method == "POST" and not _filtering() else 200
    return render_template("assignments/reassign.html", form=form, assignment=None, plan=plan, today=today,
                           subject=indicator.label, history=services.history(plan.issuing_unit_id, key),
                           base=group_owner, picker=_picker(form, first_unit)), status
