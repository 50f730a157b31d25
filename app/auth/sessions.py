"""Server-side sessions: the cookie carries a random token, the `user_session` row its SHA-256.

A session is valid while it is not ended, its user is active, it was used within SESSION_IDLE_TIMEOUT and began
within SESSION_ABSOLUTE_TIMEOUT. Sign-out ends it (a copied cookie stops working); a password change or a
deactivation ends all the user's sessions. Plain functions with `now`; the request glue is in app/auth/guards.py.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User, UserSession
from app.extensions import db

# last_seen_at is written at most this often (not on every request); the idle timeout is this precise.
TOUCH_EVERY = timedelta(seconds=60)

# Why a session ended (user_session.end_reason).
LOGOUT, IDLE, EXPIRED, PASSWORD, DEACTIVATED = "logout", "idle", "expired", "password", "deactivated"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _seconds(key: str) -> timedelta:
    return timedelta(seconds=current_app.config[key])


def start(user: User, *, now: datetime, ip: str = "", user_agent: str = "") -> str:
    """Open a session for a user who just typed their password; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user=user, created_at=now, last_seen_at=now,
                               authenticated_at=now, ip=(ip or "")[:45], user_agent=(user_agent or "")[:255]))
    db.session.flush()
    return token


def end(row: UserSession, *, now: datetime, reason: str) -> None:
    if row.ended_at is None:
        row.ended_at, row.end_reason = max(now, row.created_at), reason


def end_all(user: User, *, now: datetime, reason: str, keep: UserSession | None = None) -> int:
    """End every open session of a user (but `keep`, the one making the change); how many were ended."""
    query = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = db.session.execute(query.values(ended_at=now, end_reason=reason).execution_options(
        synchronize_session="fetch"))
    return result.rowcount or 0


def find_open(token: str | None, *, user_id: str | None, now: datetime) -> tuple[UserSession | None, str | None]:
    """The valid session for this cookie, or (None, why): "missing", "ended", IDLE or EXPIRED (then ended now)."""
    row = db.session.scalar(sa.select(UserSession).where(UserSession.token_hash == _hash(token))) if token else None
    if row is None or str(row.user_id) != str(user_id):
        return None, "missing"
    if row.ended_at is not None or not row.user.is_active:
        return None, row.end_reason or "ended"
    if now - row.created_at > _seconds("SESSION_ABSOLUTE_TIMEOUT"):
        end(row, now=now, reason=EXPIRED)
        return None, EXPIRED
    if now - row.last_seen_at > _seconds("SESSION_IDLE_TIMEOUT"):
        end(row, now=now, reason=IDLE)
        return None, IDLE
    return row, None


def touch(row: UserSession, *, now: datetime) -> bool:
    """Note activity (at most once a minute); True when the row changed."""
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        return True
    return False


def reauthenticated(row: UserSession, *, now: datetime) -> None:
    """The user typed their password again in this session."""
    row.authenticated_at = now


def is_recent(row: UserSession | None, *, now: datetime) -> bool:
    """Was the password typed in this session within REAUTH_MAX_AGE?"""
    return row is not None and now - row.authenticated_at <= _seconds("REAUTH_MAX_AGE")


def message(reason: str | None) -> str:
    """What the sign-in page says about a session that no longer works."""
    cfg = current_app.config
    if reason == IDLE:
        minutes = max(1, cfg["SESSION_IDLE_TIMEOUT"] // 60)
        return f"Phiên làm việc đã hết hạn vì không thao tác trong {minutes} phút. Vui lòng đăng nhập lại."
    if reason == EXPIRED:
        hours = cfg["SESSION_ABSOLUTE_TIMEOUT"] / 3600
        return f"Phiên làm việc đã quá {hours:g} giờ kể từ khi đăng nhập. Vui lòng đăng nhập lại."
    if reason == PASSWORD:
        return "Mật khẩu của tài khoản đã được đổi; phiên cũ đã kết thúc. Vui lòng đăng nhập lại."
    if reason == DEACTIVATED:
        return "Tài khoản đã bị vô hiệu hóa."
    return "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại."
