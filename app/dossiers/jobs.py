"""Dossier jobs: plain functions of `now` that commit once."""

from __future__ import annotations

from datetime import datetime

from app.extensions import db


def compute_indicators(*, now: datetime) -> dict[str, int]:
    """Recompute the indicators computed from dossiers for the running and previous periods (idempotent)."""
    from app.dossiers.computed import compute

    result = compute(now=now)
    db.session.commit()
    return result
