"""Heartbeats: the last instant a process (the scheduler, the health check) proved it can write."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime
from app.extensions import db


class Heartbeat(db.Model):
    """One row per process kind ("scheduler", "healthz"), upserted in place: the table never grows."""

    __tablename__ = "heartbeat"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())
