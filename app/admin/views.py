"""Administration: units and accounts within the admin's tree."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.auth import services as users
from app.auth.forms import UserForm
from app.auth.models import ROLES, User
from app.core.errors import DomainError
from app.core.excel import send_xlsx
from app.core.forms import FAILED, choices, commit_or_show
from app.core.listing import listing_state
from app.core.params import arg_id
from app.core.permissions import require_unit_visible, roles_required
from app.core.time import now_utc
from app.extensions import db
from app.org import services as org
from app.org import tables
from app.org.forms import UnitForm
from app.org.models import Unit

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _unit_choices(exclude: Unit | None = None):
    scope = org.units_in_scope(current_user)
    options = [(u.id, ("— " * (len(u.ancestors()) - len(current_user.unit.ancestors()))) + u.name)
               for u in scope if exclude is None or not u.is_descendant_of(exclude)]
    return choices(options)


@bp.route("/units")
@roles_required("admin")
def units():
    everything = org.units_in_scope(current_user)
    state = listing_state(tables.units_listing(everything))
    shown = state.apply(everything)
    if request.args.get("format") == "xlsx":
        return send_xlsx(tables.units_workbook(shown, state.filtered, root=current_user.unit),
                         f"don-vi-{current_user.unit.code}.xlsx")
    return render_template("admin/units.html", units=shown, state=state)


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def unit_form(unit_id: int | None = None):
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id:
        require_unit_visible(unit)
    form = UnitForm(obj=unit)
    own = unit is not None and unit.id == current_user.unit_id
    if own:  # an admin's own unit keeps its parent: only the unit above (or the operator) may move it
        form.parent_id.choices = choices([(unit.parent_id or 0, unit.parent.name if unit.parent else
                                           "— Không có (đơn vị gốc) —")])
        form.parent_id.description = "Đơn vị cấp trên của chính đơn vị mình do quản trị cấp trên thay đổi."
    else:
        # The choices list deliberately keeps the unit's own subtree so that a cycle is refused with a message.
        form.parent_id.choices = _unit_choices()
    if request.method == "GET":
        form.parent_id.data = (unit.parent_id or 0) if unit else arg_id("parent")
    if form.validate_on_submit():
        parent = db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None

        def save() -> Unit:
            fields = {"code": form.code.data, "name": form.name.data, "kind": form.kind.data, "parent": parent,
                      "sort_order": form.sort_order.data or 0, "actor": current_user}
            if unit is None:
                return org.create_unit(**fields)
            return org.update_unit(unit, is_active=form.is_active.data, **fields)

        saved = commit_or_show(form, save)
        if saved is not FAILED:
            flash(gettext("Đã lưu đơn vị «%(saved_name)s».", saved_name=saved.name), "success")
            return redirect(url_for(".units"))
    return render_template("admin/unit_form.html", form=form, unit=unit), (422 if form.errors else 200)


@bp.route("/users")
@roles_required("admin")
def users_list():
    ids = org.descendant_ids(current_user.unit_id)
    people = db.session.scalars(
        sa.select(User).where(User.unit_id.in_(ids)).options(joinedload(User.unit))
        .order_by(User.is_active.desc(), User.username)
    ).all()
    state = listing_state(tables.USERS)
    people = state.apply(people)
    if request.args.get("format") == "xlsx":
        return send_xlsx(tables.users_workbook(people, state.filtered), f"tai-khoan-{current_user.unit.code}.xlsx")
    return render_template("admin/users.html", people=people, state=state)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def user_form(user_id: int | None = None):
    person = db.session.get(User, user_id) if user_id else None
    if user_id:
        require_unit_visible(person.unit if person else None)
    form = UserForm(obj=person)
    form.unit_id.choices = _unit_choices()
    form.role.choices = choices((k, gettext(v)) for k, v in ROLES.items())
    if person is not None:
        form.username.render_kw = {"readonly": True}
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data)
        now = now_utc()

        def save() -> User:
            if person is None:
                if not form.password.data:
                    raise DomainError(gettext("Nhập mật khẩu cho tài khoản mới."), "password")
                created = users.create_user(
                    username=form.username.data, full_name=form.full_name.data, unit=unit, role=form.role.data,
                    title=form.title.data or "", password=form.password.data, email=form.email.data,
                    actor=current_user)
                if not form.is_active.data:
                    users.deactivate(created, actor=current_user, now=now)
                return created
            users.update_user(person, full_name=form.full_name.data, title=form.title.data or "", unit=unit,
                              role=form.role.data, is_active=form.is_active.data, email=form.email.data,
                              actor=current_user, now=now)
            if form.password.data:
                users.set_password(person, form.password.data, actor=current_user, now=now)
            return person

        saved = commit_or_show(form, save)
        if saved is not FAILED:
            flash(gettext("Đã lưu tài khoản «%(username)s».", username=saved.username), "success")
            return redirect(url_for(".users_list"))
    return render_template("admin/user_form.html", form=form, person=person), (422 if form.errors else 200)
