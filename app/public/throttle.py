"""Requests to the public pages counted in the database per client address and minute (app/core/ratelimit.py), so
every gunicorn worker (and every host) sees the same count; past PUBLIC_RATE_LIMIT the address waits for the next
minute."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.core import ratelimit
from app.public.models import PublicHit


def hit(address: str, *, now: datetime) -> int | None:
    """Count one request from `address` and commit; the seconds to wait when it is over the limit, else None."""
    limit = current_app.config.get("PUBLIC_RATE_LIMIT", 0)
    if limit <= 0:
        return None
    return ratelimit.hit(PublicHit, "address", (address or "?")[:45], counter="count", limit=limit, now=now)
