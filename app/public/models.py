"""What a unit publishes (set by its chair) and the public pages' request counter per client address and minute."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db


class UnitPublication(db.Model):
    """One unit's publishing switch: its scores on /cong-khai, and separately its officers' names and explanations
    (off unless the chair also switches that on). No row: nothing published."""

    __tablename__ = "unit_publication"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    is_published: Mapped[bool] = mapped_column(default=False)
    is_names_published: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    unit = relationship("Unit")


class PublicHit(db.Model):
    """Requests to the public pages from one client address in one minute (shared by every worker)."""

    __tablename__ = "public_hit"

    address: Mapped[str] = mapped_column(sa.String(45), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True, index=True)
    count: Mapped[int] = mapped_column(default=0)
