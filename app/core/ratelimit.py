"""Requests per key per fixed one-minute window, counted in a database table so that every worker (and host) shares
the count. The API counts per caller (app/api/ratelimit.py), the public pages per client address
(app/public/throttle.py); each has its table with a key column, `window_start` and a counter column."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db

WINDOW = timedelta(minutes=1)
RETENTION = timedelta(hours=1)  # older windows are deleted as new ones open


def window_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def hit(model, key_column: str, key: str, *, counter: str, limit: int, now: datetime) -> int | None:
    """Count one request of `key` in `model` and commit (call it first in a request: nothing else is pending);
    None while within `limit`, else the seconds until the next window. Two workers opening the same window at once
    meet the primary key: the loser counts in the winner's row."""
    start = window_of(now)
    where = (getattr(model, key_column) == key, model.window_start == start)
    count = getattr(model, counter)
    for _attempt in range(3):
        if db.session.execute(sa.update(model).where(*where).values({counter: count + 1})
                              .execution_options(synchronize_session=False)).rowcount:
            break
        try:
            with db.session.begin_nested():
                db.session.add(model(**{key_column: key, "window_start": start, counter: 1}))
        except IntegrityError:  # another worker inserted the row of this window first: count on it
            continue
        db.session.execute(sa.delete(model).where(model.window_start < start - RETENTION))
        break
    hits = db.session.scalar(sa.select(count).where(*where)) or 0
    db.session.commit()
    if hits > limit:
        return max(1, int((start + WINDOW - now).total_seconds() + 0.999))
    return None
