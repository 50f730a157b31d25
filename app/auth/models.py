"""Officers and their accounts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth import passwords
from app.core.i18n import N_
from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db

# How alerts reach a user by e-mail: escalations at once and the rest in a daily digest, everything at once, or none.
ALERT_EMAIL = {"digest": N_("Leo thang gửi ngay, còn lại gộp hằng ngày lúc 07:30"), "instant": N_("Gửi ngay mọi cảnh báo"),
               "none": N_("Không gửi thư")}

ROLES = {
    "officer": N_("Công chức"),
    "head": N_("Trưởng đơn vị"),
    "chair": N_("Chủ tịch / Phó Chủ tịch"),
    "admin": N_("Quản trị hệ thống"),
}


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        sa.CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role_known"),
        sa.CheckConstraint("username = lower(username) AND length(username) >= 2", name="username_lower"),
        sa.CheckConstraint("length(trim(full_name)) > 0", name="full_name_present"),
        sa.CheckConstraint(f"alert_email IN ({', '.join(repr(k) for k in ALERT_EMAIL)})", name="alert_email_known"),
        sa.CheckConstraint("locale IS NULL OR locale IN ('vi', 'en')", name="locale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str | None] = mapped_column(sa.String(255))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="officer")
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alert_email: Mapped[str] = mapped_column(sa.String(10), default="digest", server_default="digest")
    locale: Mapped[str | None] = mapped_column(sa.String(5))  # the interface language chosen (app.core.i18n)

    unit = relationship("Unit", backref="members")

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    # Flask-Login reads is_active: a deactivated officer cannot sign in.
    def get_id(self) -> str:
        return str(self.id)

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        return passwords.verify(self.password_hash, password)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_operator(self) -> bool:
        """An admin of a root unit (the province, or the top of this installation): runs what is national,
        such as the indicator catalog. The command line is the operator's too."""
        return self.role == "admin" and self.unit is not None and self.unit.parent_id is None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def can_see_unit(self, unit) -> bool:
        """Scope rule: own unit and its descendants."""
        return unit is not None and unit.is_visible_to(self)

    def can_manage_assignments(self, unit) -> bool:
        """Chairs and admins edit assignments of units in their tree."""
        return self.role in ("chair", "admin") and self.can_see_unit(unit)

    def can_administer(self, unit) -> bool:
        """Admins manage units and accounts within their tree."""
        return self.role == "admin" and self.can_see_unit(unit)

    def can_see_user(self, other) -> bool:
        return other.id == self.id or self.can_see_unit(other.unit)


class UserSession(db.Model):
    """One sign-in: the browser's cookie holds a random token, this row its SHA-256. Checked at every request;
    ended by sign-out, a password change, deactivation, or the idle and absolute timeouts."""

    __tablename__ = "user_session"
    __table_args__ = (
        sa.CheckConstraint("length(token_hash) = 64", name="token_hash_sha256"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= created_at", name="ended_after_created"),
        sa.Index("ix_user_session_open", "user_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The last time the password was typed in this session (sign-in or /reauth): approving and signing need it recent.
    authenticated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="")

    user = relationship("User")


class LoginFailure(db.Model):
    """One failed sign-in (or re-authentication), counted per normalised username and per client address over a
    window: the counts live in the database, so every gunicorn worker sees the same ones. Old rows are pruned."""

    __tablename__ = "login_failure"
    __table_args__ = (
        sa.Index("ix_login_failure_username_at", "username", "at"),
        sa.Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    username: Mapped[str] = mapped_column(sa.String(60))
    address: Mapped[str] = mapped_column(sa.String(45))
