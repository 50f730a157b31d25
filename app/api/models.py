"""Tokens of systems that call the API on a unit's behalf (the one-door system pushing dossiers)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db


class ApiToken(db.Model):
    """A unit's token: it covers that unit and the units below it. Only its SHA-256 is stored."""

    __tablename__ = "api_token"
    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_present"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    unit = relationship("Unit")
    created_by = relationship("User")


class UserToken(db.Model):
    """A personal access token: it acts as its user, with exactly the user's web rights. Only its SHA-256 is stored;
    an expiry is required."""

    __tablename__ = "user_token"
    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_present"),
                      sa.CheckConstraint("expires_at > created_at", name="expires_after_created"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")


class ApiRateCounter(db.Model):
    """Requests of one caller (a token, or a signed-in user) in one fixed window: shared by every worker."""

    __tablename__ = "api_rate_counter"
    __table_args__ = (sa.CheckConstraint("hits >= 0", name="hits_not_negative"),)

    caller: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True, index=True)
    hits: Mapped[int] = mapped_column(default=0)
