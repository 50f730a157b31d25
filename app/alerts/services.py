"""Alert services: the one place alerts are raised and resolved; what a user sees; acknowledging."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.alerts.models import Alert
from app.core.errors import DomainError
from app.extensions import db


def notify(*, kind: str, subject_type: str, subject_key: str, recipients, unit_id: int | None, message: str,
           link: str, now: datetime, resolved: bool = False) -> int:
    """Tell each recipient once about a subject (never twice, whatever the callers do); return how many were new."""
    have = set(db.session.scalars(sa.select(Alert.recipient_id).where(  # any kind: one alert per subject and person
        Alert.subject_type == subject_type, Alert.subject_key == subject_key)))
    created = 0
    for person in recipients:
        if person.id in have:
            continue
        have.add(person.id)
        db.session.add(Alert(kind=kind, subject_type=subject_type, subject_key=subject_key, recipient_id=person.id,
                             unit_id=unit_id, message=message, link=link, created_at=now,
                             resolved_at=now if resolved else None))
        created += 1
    return created


def resolve(*, subject_type: str, subject_key: str, now: datetime) -> None:
    """The cause of a subject's alerts is dealt with: close every open one."""
    db.session.execute(sa.update(Alert).where(
        Alert.subject_type == subject_type, Alert.subject_key == subject_key, Alert.resolved_at.is_(None))
        .values(resolved_at=now))


def resolve_missing(*, subject_type: str, unit_id: int, key_like: str, keep: set[str], now: datetime) -> None:
    """Close a unit's open alerts matching `key_like` whose subject is no longer a problem (not in `keep`)."""
    for alert in db.session.scalars(sa.select(Alert).where(
            Alert.subject_type == subject_type, Alert.unit_id == unit_id, Alert.resolved_at.is_(None),
            Alert.subject_key.like(key_like))):
        if alert.subject_key not in keep:
            alert.resolved_at = now


def link_for(alert: Alert) -> str:
    """Where an alert leads, built when shown from its subject (a dossier's page; a red indicator's explanation)."""
    from flask import url_for

    if alert.subject_type == "dossier" and alert.dossier_id:
        return url_for("dossiers.detail", dossier_id=alert.dossier_id)
    return alert.link or url_for("alerts.index")


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


def acknowledge(alert: Alert, user, *, now: datetime) -> None:
    """The recipient has seen the alert (it stays open until its cause is resolved)."""
    if alert.recipient_id != user.id:
        raise DomainError("Chỉ người nhận mới xác nhận được cảnh báo này.")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
