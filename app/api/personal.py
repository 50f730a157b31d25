"""Personal access tokens (`/profile/tokens`): a user creates, lists and revokes their own; a token acts as its user.

Only the SHA-256 of a token is stored and its plaintext is shown once. Every token has an expiry (at most
MAX_DAYS after it is created). Issuing and revoking are audited; a refused known token too.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext

from app.api.models import UserToken
from app.api.services import hash_token, token_status
from app.audit.services import record
from app.core.errors import DomainError, NotFound
from app.extensions import db

TOKEN_PREFIX = "c766p_"  # unit tokens start with "c766_": the two kinds are told apart before any lookup
PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
MAX_TOKEN_LENGTH = 200
MAX_DAYS = 365
MAX_LIVE_TOKENS = 20


def issue(user, *, name: str, expires_at: datetime | None, now: datetime) -> tuple[UserToken, str]:
    """A new token of `user` and its plaintext (shown once); audited. Flushes only."""
    if user is None or not getattr(user, "is_active", False):
        raise DomainError(gettext("Tài khoản không còn hoạt động: không tạo được mã truy cập."), "name")
    name = (name or "").strip()
    if not name:
        raise DomainError(gettext("Nhập tên gợi nhớ của mã (ví dụ: Bảng tính theo dõi điểm)."), "name")
    if len(name) > 120:
        raise DomainError(gettext("Tên mã tối đa 120 ký tự."), "name")
    if expires_at is None:
        raise DomainError(gettext("Chọn ngày hết hạn của mã (bắt buộc)."), "expires_at")
    if expires_at <= now:
        raise DomainError(gettext("Ngày hết hạn phải sau thời điểm hiện tại."), "expires_at")
    if expires_at > now + timedelta(days=MAX_DAYS, hours=24):
        raise DomainError(gettext("Mã truy cập có hạn tối đa %(MAX_DAYS)s ngày.", MAX_DAYS=MAX_DAYS), "expires_at")
    live = db.session.scalar(sa.select(sa.func.count()).select_from(UserToken).where(
        UserToken.user_id == user.id, UserToken.revoked_at.is_(None), UserToken.expires_at > now)) or 0
    if live >= MAX_LIVE_TOKENS:
        raise DomainError(gettext("Mỗi tài khoản có tối đa %(MAX_LIVE_TOKENS)s mã đang dùng: thu hồi mã không cần nữa trước.", MAX_LIVE_TOKENS=MAX_LIVE_TOKENS),
                          "name")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = UserToken(user_id=user.id, name=name, prefix=plaintext[:PREFIX_LENGTH], token_hash=hash_token(plaintext),
                      created_at=now, expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    record(user, "user_token.issue", token, after={"name": name, "prefix": token.prefix, "expires_at": expires_at})
    return token, plaintext


def tokens_of(user) -> list[UserToken]:
    """The user's own tokens, live ones first, newest first."""
    return list(db.session.scalars(sa.select(UserToken).where(UserToken.user_id == user.id).order_by(
        UserToken.revoked_at.is_not(None), UserToken.created_at.desc(), UserToken.id.desc())))


def get_own(user, token_id: int) -> UserToken:
    """One of the user's own tokens, else NotFound (another person's token answers like a missing one)."""
    token = db.session.get(UserToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(gettext("Không tìm thấy mã truy cập."))
    return token


def revoke(token: UserToken, *, actor, now: datetime) -> bool:
    """Revoke the actor's own token from now on (audited); False when it was revoked already."""
    if actor is None or token.user_id != actor.id:
        raise NotFound(gettext("Không tìm thấy mã truy cập."))
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    db.session.flush()
    record(actor, "user_token.revoke", token, after={"name": token.name, "prefix": token.prefix})
    return True


def is_personal(plaintext: str | None) -> bool:
    return bool(plaintext) and plaintext.startswith(TOKEN_PREFIX)


def authenticate(plaintext: str | None, *, now: datetime) -> UserToken | None:
    """The live token with this plaintext whose user is active (its last use set to `now`), else None.

    A known token that is revoked or expired is refused and the attempt audited (an unknown one is not)."""
    if not is_personal(plaintext) or len(plaintext) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(plaintext)
    token = db.session.scalar(sa.select(UserToken).where(UserToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    status = token_status(token, now)
    if status != "active" or not token.user.is_active:
        record(None, "user_token.refused", token, after={"prefix": token.prefix,
                                                         "status": status if status != "active" else "user_inactive"})
        db.session.flush()
        return None
    token.last_used_at = now
    db.session.flush()
    return token
