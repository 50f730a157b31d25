"""Health: can the database take a write right now, and is the scheduler still beating.

`/healthz` (app/main/views.py) and the scheduler's heartbeat job share these functions; they take the time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.main.models import Heartbeat

log = logging.getLogger(__name__)

SCHEDULER = "scheduler"
HEALTHZ = "healthz"


def beat(name: str, *, now: datetime) -> None:
    """Upsert the heartbeat row `name` to `now` (flushes; the caller commits). Safe from many processes at once."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(Heartbeat).values(name=name, beat_at=now)
    db.session.execute(stmt.on_conflict_do_update(index_elements=[Heartbeat.name],
                                                  set_={"beat_at": stmt.excluded.beat_at}))


def scheduler_heartbeat(*, now: datetime) -> str:
    """The scheduler's job: one beat a minute, so `/healthz` can tell a stopped scheduler."""
    beat(SCHEDULER, now=now)
    db.session.commit()
    return "ok"


@dataclass(frozen=True)
class Health:
    database: str  # ok | error
    scheduler: str  # ok | stale | unknown
    scheduler_beat_at: datetime | None = None
    problem: str = ""  # the exception class name when the database failed; never a message or a stack trace

    @property
    def status(self) -> str:
        if self.database != "ok":
            return "error"
        return "ok" if self.scheduler == "ok" else "degraded"

    @property
    def http_status(self) -> int:
        """503 only when the database cannot write: a stale scheduler is reported, but the web still serves."""
        return 200 if self.database == "ok" else 503

    def as_json(self) -> dict:
        out = {"status": self.status, "database": self.database, "scheduler": self.scheduler}
        if self.scheduler_beat_at is not None:
            out["scheduler_beat_at"] = self.scheduler_beat_at.isoformat()
        if self.problem:
            out["problem"] = self.problem
        return out


def check(*, now: datetime, stale_after: timedelta) -> Health:
    """Write the health row and commit (proves the database takes writes), then read the scheduler's last beat."""
    try:
        beat(HEALTHZ, now=now)
        last = db.session.scalar(sa.select(Heartbeat.beat_at).where(Heartbeat.name == SCHEDULER))
        db.session.commit()
    except SQLAlchemyError as exc:
        _rollback_quietly()
        log.warning("health check: the database cannot write (%s)", exc.__class__.__name__)
        return Health("error", "unknown", problem=exc.__class__.__name__)
    if last is None:
        return Health("ok", "unknown")
    return Health("ok", "ok" if now - last <= stale_after else "stale", last)


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection itself is gone: nothing to roll back
        db.session.invalidate()
