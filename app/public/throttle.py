"""Requests to the public pages counted in the database per client address and minute, so every gunicorn worker
(and every host) sees the same count; past PUBLIC_RATE_LIMIT the address waits for the next minute."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.public.models import PublicHit

WINDOW = timedelta(minutes=1)
RETENTION = timedelta(hours=1)  # older windows are deleted as new ones open


def _bump(address: str, window: datetime) -> int:
    return db.session.execute(
        sa.update(PublicHit).where(PublicHit.address == address, PublicHit.window_start == window)
        .values(count=PublicHit.count + 1).execution_options(synchronize_session=False)).rowcount or 0


def hit(address: str, *, now: datetime) -> int | None:
    """Count one request from `address` and commit; the seconds to wait when it is over the limit, else None.

    Called first thing in a request (nothing else is pending): two workers opening the same window at once meet
    the primary key, and the loser rolls back and counts in the winner's row."""
    limit = current_app.config.get("PUBLIC_RATE_LIMIT", 0)
    if limit <= 0:
        return None
    address = (address or "?")[:45]
    window = now.replace(second=0, microsecond=0)
    if not _bump(address, window):
        try:
            db.session.add(PublicHit(address=address, window_start=window, count=1))
            db.session.execute(sa.delete(PublicHit).where(PublicHit.window_start < window - RETENTION))
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            _bump(address, window)
    count = db.session.scalar(sa.select(PublicHit.count).where(PublicHit.address == address,
                                                               PublicHit.window_start == window))
    db.session.commit()
    if count is not None and count > limit:
        return max(1, int((window + WINDOW - now).total_seconds() + 0.999))
    return None
