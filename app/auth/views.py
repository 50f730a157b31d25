"""Sign-in and sign-out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from app.audit.services import record
from app.auth.forms import LoginForm
from app.auth.services import authenticate, set_locale
from app.core.time import now_utc
from app.extensions import db

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data, now=now_utc())
        db.session.commit()
        if user is None:
            flash(gettext("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị vô hiệu hóa."), "error")
        else:
            login_user(user, remember=form.remember.data)
            if session.get("locale") and session["locale"] != user.locale:  # chosen on the sign-in page: keep it
                set_locale(user, session["locale"])
                db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form), (401 if form.errors or request.method == "POST" else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        record(current_user, "auth.logout", current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(gettext("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
