"""Audit trail: who changed what, when, from where, before → after. Append-only: the database refuses UPDATE,
DELETE (and on PostgreSQL TRUNCATE) of its rows (triggers in migration 0007)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.i18n import N_
from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db

# Where a change came from: a signed-in page, the API (token), the command line, the scheduler, or code run
# outside all of these (tests, a Python shell).
SOURCES = {"web": N_("Trang web"), "api": "API", "cli": N_("Dòng lệnh"), "scheduler": N_("Bộ lập lịch"),
           "system": N_("Hệ thống")}


class AuditEntry(db.Model):
    """One change or sign-in event, never edited.

    The actor is kept as an id with a snapshot of their username, name and unit at that moment, and no foreign
    key: the trail outlives the rows it names (an ON DELETE SET NULL would rewrite history, which the triggers
    refuse; a RESTRICT would forbid ever removing an account). `unit_id` is the unit the object belonged to then,
    so that an admin reads what happened in their tree.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_username: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    actor_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    actor_unit_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    unit_id: Mapped[int | None] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(sa.String(20), default="system", server_default="system")
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)

    __table_args__ = (
        sa.Index("ix_audit_entry_object", "object_type", "object_id"),
        sa.CheckConstraint(f"source IN ({', '.join(repr(s) for s in SOURCES)})", name="source_known"),
    )

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)

    @property
    def actor_label(self) -> str:
        if self.actor_username:
            return f"{self.actor_name} ({self.actor_username})" if self.actor_name else self.actor_username
        return "—"
