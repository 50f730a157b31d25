"""Admin pages for API tokens (`/admin/api-tokens`): list, issue (the token shown once), revoke after confirming.

An admin sees and manages the tokens of the units in their tree; the service checks the same rights again.
"""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.api import services
from app.api.models import ApiToken
from app.core.errors import DomainError
from app.core.forms import FAILED, Form, VnDateField, choices, commit_or_show
from app.core.permissions import roles_required
from app.core.time import VN_TZ, now_utc
from app.extensions import db
from app.org.models import Unit

bp = Blueprint("api_admin", __name__, url_prefix="/admin/api-tokens")


class TokenForm(Form):
    unit_id = SelectField(_l("Đơn vị"), coerce=int)
    name = StringField(_l("Tên gợi nhớ (hệ thống nào dùng mã)"), validators=[DataRequired(), Length(max=120)])
    expires_at = VnDateField(_l("Hết hạn sau ngày (không bắt buộc)"), validators=[Optional()])


def _form() -> TokenForm:
    from app.org.services import units_in_scope

    form = TokenForm()
    depth = len(current_user.unit.ancestors())
    form.unit_id.choices = choices(
        (u.id, "— " * (len(u.ancestors()) - depth) + f"{u.name} ({u.code})") for u in units_in_scope(current_user))
    return form


def _page(form, *, created=None, plaintext=None, confirm=None, status=200):
    html = render_template("api/tokens.html", form=form, tokens=services.tokens_visible_to(current_user),
                           created=created, plaintext=plaintext, confirm=confirm, now=now_utc(),
                           status_of=services.token_status, labels=services.STATUS_LABELS)
    response = make_response(html, status)
    if plaintext:
        response.headers["Cache-Control"] = "no-store"  # the token is shown once: never from a cache
    return response


@bp.route("/", methods=["GET", "POST"])
@roles_required("admin")
def tokens():
    form = _form()
    if not form.is_submitted():
        form.unit_id.data = current_user.unit_id
        return _page(form)
    if form.validate():
        unit = db.session.get(Unit, form.unit_id.data)
        expires = form.expires_at.data
        expires_at = datetime.combine(expires, time(23, 59, 59), VN_TZ) if expires else None
        issued = commit_or_show(form, lambda: services.issue_token(unit, name=form.name.data, actor=current_user,
                                                                   now=now_utc(), expires_at=expires_at))
        if issued is not FAILED:
            token, plaintext = issued
            return _page(_form(), created=token, plaintext=plaintext, status=201)
    return _page(form, status=422)


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@roles_required("admin")
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or not current_user.can_administer(token.unit):
        abort(404)
    form = _form()
    if not form.is_submitted():
        form.unit_id.data = current_user.unit_id
        return _page(form, confirm=token)
    try:
        changed = services.revoke_token(token, actor=current_user, now=now_utc())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".tokens"))
    flash(gettext("Đã thu hồi mã «%(name)s» (%(prefix)s…): hệ thống dùng mã này không gọi được API nữa.",
                  name=token.name, prefix=token.prefix)
          if changed else gettext("Mã «%(name)s» đã bị thu hồi từ trước.", name=token.name),
          "success" if changed else "info")
    return redirect(url_for(".tokens"))
