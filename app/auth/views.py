"""Sign-in and sign-out."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.audit.services import record
from app.auth.forms import LoginForm
from app.auth.services import authenticate
from app.core.params import safe_next  # the one check of a `next` address (kept importable here)
from app.core.time import now_utc
from app.extensions import db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data, now=now_utc())
        db.session.commit()
        if user is None:
            flash("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị vô hiệu hóa.", "error")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form), (401 if form.errors or request.method == "POST" else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        record(current_user, "auth.logout", current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))
