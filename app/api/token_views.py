"""`/profile/tokens`: the signed-in user's personal access tokens for the read API — create (shown once), list,
revoke. There is no user id in the address: the page is always the user's own."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.api import personal
from app.api.services import STATUS_LABELS, token_status
from app.core.forms import FAILED, Form, VnDateField, commit_or_show
from app.core.time import VN_TZ, now_utc, to_vn
from app.extensions import db

bp = Blueprint("personal_tokens", __name__, url_prefix="/profile/tokens")


class PersonalTokenForm(Form):
    name = StringField(_l("Tên gợi nhớ (dùng mã ở đâu)"), validators=[DataRequired(message=_l("Nhập tên gợi nhớ của mã.")),
                                                                  Length(max=120)])
    expires_at = VnDateField(_l("Hết hạn sau ngày (tối đa 365 ngày)"),
                             validators=[DataRequired(message=_l("Chọn ngày hết hạn (dạng ngày/tháng/năm hợp lệ)."))])


def _page(form, *, created=None, plaintext=None, status=200):
    now = now_utc()
    html = render_template("api/personal_tokens.html", form=form, tokens=personal.tokens_of(current_user),
                           created=created, plaintext=plaintext, now=now, status_of=token_status,
                           labels=STATUS_LABELS, max_days=personal.MAX_DAYS)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["GET", "POST"])
@login_required
def tokens():
    form = PersonalTokenForm()
    if not form.is_submitted():
        form.expires_at.data = to_vn(now_utc()).date() + timedelta(days=90)
        return _page(form)
    if form.validate():
        now = now_utc()
        expires_at = datetime.combine(form.expires_at.data, time(23, 59, 59), VN_TZ)
        issued = commit_or_show(form, lambda: personal.issue(current_user._get_current_object(), name=form.name.data,
                                                             expires_at=expires_at, now=now))
        if issued is not FAILED:
            token, plaintext = issued
            return _page(PersonalTokenForm(formdata=None), created=token, plaintext=plaintext, status=201)
    return _page(form, status=422)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = personal.get_own(current_user, token_id)
    changed = personal.revoke(token, actor=current_user._get_current_object(), now=now_utc())
    db.session.commit()
    flash(gettext("Đã thu hồi mã «%(name)s» (%(prefix)s…): mã này không gọi được API nữa.", name=token.name,
                  prefix=token.prefix) if changed
          else gettext("Mã «%(name)s» đã bị thu hồi từ trước.", name=token.name), "success" if changed else "info")
    return redirect(url_for(".tokens"))
