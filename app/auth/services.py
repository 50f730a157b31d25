"""Account services shared by the admin pages and the `flask users` commands."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.audit.services import record
from app.auth import sessions, throttle
from app.auth.models import ALERT_EMAIL, ROLES, User
from app.auth.passwords import password_problem, verify
from app.core.errors import DomainError
from app.extensions import db

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def find_user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username.strip().lower()))


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise DomainError(problem, "password")


def user_snapshot(user: User) -> dict:
    return {"username": user.username, "full_name": user.full_name, "title": user.title,
            "unit_id": user.unit_id, "role": user.role, "is_active": user.is_active}


def create_user(*, username: str, full_name: str, unit, role: str = "officer", title: str = "",
                password: str, email: str | None = None, actor=None) -> User:
    """Create an account; usernames are lower-case ASCII and unique."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise DomainError(
            gettext("Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới (2–60 ký "
                    "tự)."),
            "username",
        )
    if find_user(username) is not None:
        raise DomainError(gettext("Tên đăng nhập «%(username)s» đã tồn tại.", username=username), "username")
    if not full_name.strip():
        raise DomainError(gettext("Họ và tên không được để trống."), "full_name")
    if role not in ROLES:
        raise DomainError(gettext("Vai trò «%(role)s» không hợp lệ (officer, head, chair, admin).", role=role), "role")
    if unit is None:
        raise DomainError(gettext("Cần chọn đơn vị công tác."), "unit_id")
    if actor is not None and not actor.can_administer(unit):
        raise DomainError(gettext("Bạn không có quyền tạo tài khoản cho đơn vị này."), "unit_id")
    _check_password(password, username)
    user = User(username=username, full_name=full_name.strip(), unit=unit, role=role, title=title.strip(),
                email=(email or "").strip() or None)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, after=user_snapshot(user))
    return user


def update_user(user: User, *, full_name: str, title: str, unit, role: str, is_active: bool,
                email: str | None = None, actor=None, now: datetime) -> User:
    """Edit an account's profile, role, unit and active flag."""
    if not full_name.strip():
        raise DomainError(gettext("Họ và tên không được để trống."), "full_name")
    if role not in ROLES:
        raise DomainError(gettext("Vai trò «%(role)s» không hợp lệ.", role=role), "role")
    if actor is not None and not (actor.can_administer(unit) and actor.can_administer(user.unit)):
        raise DomainError(gettext("Bạn không có quyền sửa tài khoản của đơn vị này."), "unit_id")
    if actor is not None and actor.id == user.id and (not is_active or role != user.role):
        raise DomainError(gettext("Bạn không thể tự vô hiệu hóa hoặc tự đổi vai trò của chính mình."))
    before = user_snapshot(user)
    user.full_name, user.title, user.unit, user.role = full_name.strip(), title.strip(), unit, role
    user.is_active, user.email = is_active, (email or "").strip() or None
    if before["is_active"] and not is_active:
        sessions.end_all(user, now=now, reason=sessions.DEACTIVATED)
    db.session.flush()
    record(actor, "user.update", user, before=before, after=user_snapshot(user))
    return user


def set_password(user: User, password: str, actor=None, *, now: datetime, keep=None) -> None:
    """Replace a user's password (hashed): every session of the user ends (but `keep`, the user's own current one
    when they change it themselves) and the account's failed sign-ins are forgotten."""
    _check_password(password, user.username)
    user.set_password(password)
    sessions.end_all(user, now=now, reason=sessions.PASSWORD, keep=keep)
    throttle.clear(user.username)
    record(actor, "user.set_password", user)


def update_profile(user: User, *, email: str | None, alert_email: str, actor) -> User:
    """A user's own settings: the e-mail address alerts go to and how (digest, instant, none); audited."""
    if actor is None or (actor.id != user.id and not actor.can_administer(user.unit)):
        raise DomainError(gettext("Bạn chỉ sửa được tài khoản của chính mình."))
    email = (email or "").strip() or None
    if email is not None and (len(email) > 255 or not EMAIL_RE.match(email)):
        raise DomainError(gettext("Địa chỉ thư không hợp lệ."), "email")
    if alert_email not in ALERT_EMAIL:
        raise DomainError(gettext("Cách nhận cảnh báo không hợp lệ."), "alert_email")
    before = {"email": user.email, "alert_email": user.alert_email}
    user.email, user.alert_email = email, alert_email
    after = {"email": user.email, "alert_email": user.alert_email}
    if after != before:
        record(actor, "user.update_profile", user, before=before, after=after)
    return user


def change_own_password(user: User, *, current_password: str, new_password: str, now: datetime,
                        current_session=None) -> None:
    """A signed-in user replaces their password; the current one must be given. Their other sessions end."""
    if not user.check_password(current_password or ""):
        raise DomainError(gettext("Mật khẩu hiện tại không đúng."), "current_password")
    set_password(user, new_password or "", actor=user, now=now, keep=current_session)
    if current_session is not None:
        sessions.reauthenticated(current_session, now=now)


def deactivate(user: User, actor=None, *, now: datetime) -> None:
    """Disable sign-in and end the user's open sessions; the officer's history stays."""
    before = user_snapshot(user)
    user.is_active = False
    sessions.end_all(user, now=now, reason=sessions.DEACTIVATED)
    record(actor, "user.deactivate", user, before=before, after=user_snapshot(user))


def authenticate(username: str, password: str, *, now: datetime) -> User | None:
    """The active user with these credentials, else None; a success is audited (the caller commits; failures are
    counted by app.auth.throttle). The password hash runs whether or not the account exists or is active, so the
    time taken does not tell."""
    user = find_user(username or "")
    ok = verify(user.password_hash if user is not None else None, password or "") and user.is_active
    if ok:
        user.last_login_at = now
        record(user, "auth.login", user)
    return user if ok else None


def set_locale(user: User, locale: str) -> None:
    """The user's interface language (one of app.core.i18n.LOCALES); flushes, the caller commits."""
    from app.core.i18n import LOCALES

    if locale not in LOCALES:
        raise DomainError(gettext("Ngôn ngữ «%(locale)s» không được hỗ trợ.", locale=locale), "locale")
    user.locale = locale
    db.session.flush()
