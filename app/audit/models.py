"""Audit trail: who changed what, when, before → after."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)

    actor = relationship("User")

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)
