"""Failed sign-ins counted in the database per normalised username and per client address over a sliding window,
so every gunicorn worker (and every host) sees the same counts: past the limit the account, or the address, is
locked until its failures age out of the window. While locked no password is checked and nothing more is counted,
so one attacker adds at most the limit's worth of rows per window; the audit log gets the lock, not every failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.audit.services import record
from app.auth.models import LoginFailure, User
from app.extensions import db

# Rows older than this are deleted as new failures arrive (the window is at most this long).
RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Lock:
    """An account or address that may not try now, and when it may again."""

    scope: str  # "user" | "address"
    until: datetime

    def message(self, now: datetime) -> str:
        """Says nothing of whether the password just typed was right: while locked none is checked."""
        minutes = max(1, -(-int((self.until - now).total_seconds()) // 60))
        who = "Tài khoản này" if self.scope == "user" else "Địa chỉ máy của bạn"
        return (f"{who} tạm thời bị khóa đăng nhập vì nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau "
                f"khoảng {minutes} phút, hoặc liên hệ quản trị hệ thống.")


def _limits() -> tuple[timedelta, int, int]:
    cfg = current_app.config
    return (timedelta(seconds=cfg["LOGIN_FAILURE_WINDOW"]), cfg["LOGIN_MAX_FAILURES_PER_USER"],
            cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"])


def normalise(username: str | None) -> str:
    return (username or "").strip().lower()[:60]


def _failures(column, value: str, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(LoginFailure.at)).where(column == value, LoginFailure.at > since)).one()
    return count, oldest


def lock_for(username: str, address: str, *, now: datetime) -> Lock | None:
    """The lock in force on this username or address, if any (the account's first)."""
    window, per_user, per_address = _limits()
    since = now - window
    for scope, column, value, limit in (("user", LoginFailure.username, normalise(username), per_user),
                                        ("address", LoginFailure.address, address, per_address)):
        if not value:
            continue
        count, oldest = _failures(column, value, since)
        if count >= limit:
            # The lock lifts when enough of the failures have left the window; the oldest one bounds it from below.
            until = _unlock_at(column, value, since, count - limit + 1) + window
            return Lock(scope, until)
    return None


def _unlock_at(column, value: str, since: datetime, nth: int) -> datetime:
    return db.session.scalar(sa.select(LoginFailure.at).where(column == value, LoginFailure.at > since)
                             .order_by(LoginFailure.at).offset(nth - 1).limit(1))


def record_failure(username: str, address: str, *, now: datetime) -> None:
    """Count one failure (the caller commits); the failure that reaches a limit is audited as a lock."""
    window, per_user, per_address = _limits()
    name = normalise(username)
    db.session.add(LoginFailure(at=now, username=name, address=address[:45]))
    db.session.flush()
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - RETENTION))
    since = now - window
    user = db.session.scalar(sa.select(User).where(User.username == name)) if name else None
    user_count, _ = _failures(LoginFailure.username, name, since)
    if user_count == 1:  # the first failure of a window, known username or not (the entry has the address)
        record(None, "auth.login_failed", user, object_type="user", after={"username": name})
    if user_count == per_user:
        record(None, "auth.locked", user, object_type="user",
               after={"username": name, "address": address, "failures": user_count, "window_s": int(window.total_seconds())})
    address_count, _ = _failures(LoginFailure.address, address, since)
    if address_count == per_address:
        record(None, "auth.address_locked", object_type="address",
               after={"address": address, "failures": address_count, "window_s": int(window.total_seconds())})


def clear(username: str) -> int:
    """Forget an account's failures (an administrator unlocks it, or sets a new password); how many were removed."""
    result = db.session.execute(sa.delete(LoginFailure).where(LoginFailure.username == normalise(username)))
    return result.rowcount or 0
