"""Officers and their accounts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db

# How alerts reach a user by e-mail: escalations at once and the rest in a daily digest, everything at once, or none.
ALERT_EMAIL = {"digest": "Leo thang gửi ngay, còn lại gộp hằng ngày lúc 07:30", "instant": "Gửi ngay mọi cảnh báo",
               "none": "Không gửi thư"}

ROLES = {
    "officer": "Công chức",
    "head": "Trưởng đơn vị",
    "chair": "Chủ tịch / Phó Chủ tịch",
    "admin": "Quản trị hệ thống",
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
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

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
