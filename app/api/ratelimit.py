"""Requests per caller per fixed one-minute window, counted in the database so that every worker (and host) shares
the count (the same pattern as sign-in throttling in app/auth/throttle.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.api.models import ApiRateCounter
from app.extensions import db

WINDOW = timedelta(minutes=1)
RETENTION = timedelta(hours=1)


def window_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def hit(caller: str, *, limit: int, now: datetime) -> int | None:
    """Count one request of `caller`; None when it is within `limit`, else the seconds until the next window.

    Commits the count on its own (a refused request writes nothing else)."""
    start = window_of(now)
    for _attempt in range(3):
        updated = db.session.execute(sa.update(ApiRateCounter).where(
            ApiRateCounter.caller == caller, ApiRateCounter.window_start == start)
            .values(hits=ApiRateCounter.hits + 1)).rowcount
        if not updated:
            try:
                with db.session.begin_nested():
                    db.session.add(ApiRateCounter(caller=caller, window_start=start, hits=1))
                db.session.execute(sa.delete(ApiRateCounter).where(ApiRateCounter.window_start < now - RETENTION))
            except IntegrityError:  # another worker inserted the row of this window first: count on it
                continue
        break
    hits = db.session.scalar(sa.select(ApiRateCounter.hits).where(
        ApiRateCounter.caller == caller, ApiRateCounter.window_start == start)) or 0
    db.session.commit()
    if hits > limit:
        return max(1, int((start + WINDOW - now).total_seconds() + 0.999))
    return None
