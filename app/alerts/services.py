"""Alert services: the one place alerts are raised and resolved; what a user sees; acknowledging."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.alerts.models import INFO_KINDS, Alert
from app.core.errors import NotFound
from app.extensions import db

COLUMNS = ("kind", "subject_type", "subject_key", "recipient_id", "unit_id", "dossier_id", "message", "link",
           "escalation_level", "created_at", "resolved_at")


def _insert():
    """INSERT for alerts that skips a row whose unique key (kind, subject, recipient, level) exists: the database
    decides, so two scans at once never duplicate an alert (no check-then-insert)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Alert)


def raise_once(*, kind: str, subject_type: str, subject_key: str, recipients, unit_id: int | None, message: str,
               now: datetime, link: str = "", level: int = 0, dossier_id: int | None = None,
               resolved: bool = False) -> int:
    """Tell each recipient once about a subject at a level; return how many alerts are new."""
    rows = [{"kind": kind, "subject_type": subject_type, "subject_key": subject_key, "recipient_id": person.id,
             "unit_id": unit_id, "dossier_id": dossier_id, "message": message, "link": link,
             "escalation_level": level, "created_at": now, "resolved_at": now if resolved else None}
            for person in {p.id: p for p in recipients}.values()]
    if not rows:
        return 0
    statement = _insert().values(rows).on_conflict_do_nothing().returning(Alert.id)
    return len(db.session.execute(statement).all())


def raise_from(select: sa.Select) -> int:
    """Set-based: INSERT the alerts a SELECT yields (its columns in the order of COLUMNS), skipping existing ones."""
    statement = _insert().from_select(list(COLUMNS), select).on_conflict_do_nothing().returning(Alert.id)
    return len(db.session.execute(statement).all())  # rowcount is not reliable for INSERT … SELECT everywhere


def resolve_cleared(*, subject_type: str, kinds, cleared: sa.ColumnElement[bool], now: datetime) -> int:
    """Close the open alerts of these kinds whose subject matches `cleared` (the cause is gone)."""
    return db.session.execute(sa.update(Alert).where(
        Alert.subject_type == subject_type, Alert.kind.in_(list(kinds)), Alert.resolved_at.is_(None), cleared)
        .values(resolved_at=now)).rowcount or 0


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
    urgency = sa.case({"dossier_overdue": 0, "dossier_apology_missing": 1, "indicator_red": 2, "indicator_drop": 2,
                       "explanation_returned": 2, "dossier_due_soon": 3}, value=Alert.kind, else_=9)
    return list(db.session.scalars(query.order_by(Alert.resolved_at.is_not(None), Alert.escalation_level.desc(),
                                                  urgency, Alert.created_at.desc(), Alert.id.desc()).limit(limit)))


def unread_count(user) -> int:
    """Open alerts the user has not acknowledged yet."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Alert).where(
        Alert.recipient_id == user.id, Alert.resolved_at.is_(None), Alert.acknowledged_at.is_(None))) or 0


def get_for(user, alert_id: int) -> Alert:
    """One of the user's own alerts, else NotFound: another person's alert answers like a missing one."""
    alert = db.session.get(Alert, alert_id)
    if alert is None or alert.recipient_id != user.id:
        raise NotFound(gettext("Không tìm thấy cảnh báo."))
    return alert


def acknowledge(alert: Alert, user, *, now: datetime) -> None:
    """The recipient has seen the alert (it stays open until its cause is resolved)."""
    if alert.recipient_id != user.id:
        raise NotFound(gettext("Không tìm thấy cảnh báo."))
    before = {"acknowledged_at": alert.acknowledged_at, "resolved_at": alert.resolved_at}
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
    if alert.kind in INFO_KINDS and alert.resolved_at is None:
        alert.resolved_at = now  # an information needs nothing more than being seen
    after = {"acknowledged_at": alert.acknowledged_at, "resolved_at": alert.resolved_at}
    if after != before:
        from app.audit.services import record

        record(user, "alert.acknowledge", alert, before=before,
               after={**after, "kind": alert.kind, "subject": alert.subject_key}, now=now)
