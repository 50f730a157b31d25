"""Requests per API caller per one-minute window, counted in the database (app/core/ratelimit.py) so that every
worker shares the count."""

from __future__ import annotations

from datetime import datetime

from app.api.models import ApiRateCounter
from app.core import ratelimit


def hit(caller: str, *, limit: int, now: datetime) -> int | None:
    """Count one request of `caller` and commit; None when it is within `limit`, else the seconds to wait."""
    return ratelimit.hit(ApiRateCounter, "caller", caller, counter="hits", limit=limit, now=now)
