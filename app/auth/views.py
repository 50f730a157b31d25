"""Sign-in (throttled), re-authentication and sign-out."""

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, logout_user

from app.audit.services import record
from app.auth import sessions, throttle
from app.auth.forms import LoginForm, ReauthForm
from app.auth.guards import begin, client_address
from app.auth.passwords import verify
from app.auth.services import authenticate, set_locale
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
        now, address = now_utc(), client_address()
        lock = throttle.lock_for(form.username.data, address, now=now)
        if lock is not None:
            verify(None, form.password.data)  # the same time as a real check; the password itself is not checked
            flash(lock.message(now), "error")
            return render_template("auth/login.html", form=form), 429
        user = authenticate(form.username.data, form.password.data, now=now)
        if user is None:
            throttle.record_failure(form.username.data, address, now=now)
            db.session.commit()
            flash(gettext("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đã bị vô hiệu hóa."), "error")
        else:
            chosen = session.get("locale")  # chosen on the sign-in page: kept on the account (the session is renewed)
            begin(user, now=now)
            if chosen:
                session["locale"] = chosen
                if chosen != user.locale:
                    set_locale(user, chosen)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form), (401 if form.errors or request.method == "POST" else 200)


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauth():
    """Type the password again (approving and signing need it typed within REAUTH_MAX_AGE), then go back."""
    form = ReauthForm()
    target = safe_next(request.args.get("next")) or url_for("main.index")
    if form.validate_on_submit():
        now, address = now_utc(), client_address()
        lock = throttle.lock_for(current_user.username, address, now=now)
        if lock is not None:
            verify(None, form.password.data)
            flash(lock.message(now), "error")
            return render_template("auth/reauth.html", form=form), 429
        if current_user.check_password(form.password.data):
            sessions.reauthenticated(g.user_session, now=now)
            record(current_user, "auth.reauth", current_user._get_current_object())
            db.session.commit()
            return redirect(target)
        throttle.record_failure(current_user.username, address, now=now)
        db.session.commit()
        form.password.errors.append("Mật khẩu không đúng.")
    return render_template("auth/reauth.html", form=form), (401 if request.method == "POST" else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    """End this session on the server too: a copy of the cookie no longer works."""
    row = g.get("user_session")
    if current_user.is_authenticated and row is not None:
        sessions.end(row, now=now_utc(), reason=sessions.LOGOUT)
        record(current_user, "auth.logout", current_user._get_current_object())
        db.session.commit()
    logout_user()
    chosen = session.get("locale")
    session.clear()
    if chosen:  # the interface language outlives the sign-out
        session["locale"] = chosen
    flash(gettext("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
