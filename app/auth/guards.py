"""Request glue for sessions: every request with a signed-in cookie is checked against its `user_session` row
(app/auth/sessions.py) before the view runs; Flask-Login's user loader only accepts a user whose row is valid."""

from __future__ import annotations

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import logout_user

from app.auth import sessions
from app.core import logs
from app.core.time import now_utc
from app.extensions import db, login_manager

SESSION_KEY = "sid"  # the token in Flask's signed session cookie


def init_app(app: Flask) -> None:
    app.before_request(lambda: check_session(now=now_utc()))  # the entry point reads the clock, once a request
    login_manager.user_loader(load_user)


def check_session(*, now):
    """Find the request's session; a cookie whose session ended or expired is cleared and sent to /login."""
    g.user_session = None
    g.pop("_login_user", None)  # Flask-Login's cache: decided afresh from this request's session
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    row, reason = sessions.find_open(session.get(SESSION_KEY), user_id=session.get("_user_id"), now=now)
    if row is None:
        db.session.commit()  # an idle or expired session is ended now
        logout_user()
        session.clear()
        if request.path.startswith("/api/"):
            return None  # the API answers 401 problem+json itself (no flash, no redirect to the sign-in page)
        flash(sessions.message(reason), "warning")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
    if sessions.touch(row, now=now):
        db.session.commit()
    g.user_session = row
    return None


def load_user(user_id: str):
    row = g.get("user_session")
    if row is None or str(row.user_id) != user_id or not row.user.is_active:
        return None
    logs.remember_user(user=row.user)
    return row.user


def begin(user, *, now) -> None:
    """Sign in: a fresh cookie session (nothing carried over from before) and a new session row."""
    from flask_login import login_user

    session.clear()
    login_user(user)
    session[SESSION_KEY] = sessions.start(user, now=now, ip=client_address(),
                                          user_agent=request.user_agent.string)


def client_address() -> str:
    """The client's address (behind a proxy: as ProxyFix took it from X-Forwarded-For, see TRUSTED_PROXIES)."""
    return (request.remote_addr or "")[:45]


def reauth_redirect(next_url: str, *, now):
    """None when the password was typed in this session within REAUTH_MAX_AGE, else a redirect to /reauth."""
    if sessions.is_recent(g.get("user_session"), now=now):
        return None
    flash(gettext("Để duyệt hoặc ký văn bản, vui lòng nhập lại mật khẩu."), "info")
    return redirect(url_for("auth.reauth", next=next_url))
