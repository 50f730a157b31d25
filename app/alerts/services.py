"""Alert services: what a user should see, acknowledging."""

from __future__ import annotations

import sqlalchemy as sa

from app.alerts.models import Alert
from app.core.errors import DomainError
from app.core.time import now_utc
from app.extensions import db


def for_user(user, *, include_resolved: bool = False, limit: int = 200) -> list[Alert]:
    """The user's alerts, open ones first, newest first."""
    query = sa.select(Alert).where(Alert.recipient_id == user.id)
    if not include_resolved:
        query = query.where(Alert.resolved_at.is_(None))
    return list(db.session.scalars(query.order_by(Alert.resolved_at.is_not(None), Alert.created_at.desc(),
                                                  Alert.id.desc()).limit(limit)))


def unread_count(user) -> int:
    """Open alerts the user has not acknowledged yet."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Alert).where(
        Alert.recipient_id == user.id, Alert.resolved_at.is_(None), Alert.acknowledged_at.is_(None))) or 0


def acknowledge(alert: Alert, user) -> None:
    """The recipient has seen the alert (it stays open until its cause is resolved)."""
    if alert.recipient_id != user.id:
        raise DomainError("Chỉ người nhận mới xác nhận được cảnh báo này.")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now_utc()
