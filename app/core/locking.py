"""Optimistic locking: the version a user edited is checked against the stored one; a clash says who changed the
record, when, and what it holds now (never a silent overwrite, never a 500).

Records that people edit in place carry a `version` column mapped as SQLAlchemy's `version_id_col`, so every UPDATE
also checks it (StaleDataError when another transaction got there first). Services call `ensure_version` with the
version the form carried; entry points turn a StaleDataError into the same StaleEdit with `stale_after_flush`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy import inspect

from app.core.errors import StaleEdit
from app.core.i18n import N_
from app.extensions import db

_DESCRIBERS: dict[type, Callable[[object], StaleEdit]] = {}


def describes(cls: type):
    """Register how a clash on records of `cls` is told (who, when, the current values, the record to reapply on)."""
    def register(fn: Callable[[object], StaleEdit]):
        _DESCRIBERS[cls] = fn
        return fn
    return register


def form_version(value) -> int | None:
    """The version a form carried: None when the form had none (nothing to compare), else a whole number."""
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return -1  # a tampered field never matches a stored version


def ensure_version(obj, expected: int | None) -> None:
    """Refuse (StaleEdit) when the user edited another version than the one stored; None means nothing to compare."""
    if expected is not None and expected != obj.version:
        raise stale_edit(obj)


def stale_edit(obj) -> StaleEdit:
    """The clash message for a record as it is stored now."""
    for cls, describe in _DESCRIBERS.items():
        if isinstance(obj, cls):
            return describe(obj)
    who, at = last_change(obj)
    return StaleEdit(who=who, at=at, current=[], record=obj)


def last_change(obj) -> tuple[str | None, datetime | None]:
    """Who last changed a record and when, from the audit trail (None, None when it has no entry)."""
    from app.audit.models import AuditEntry

    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.object_type == obj.__tablename__, AuditEntry.object_id == obj.id)
        .order_by(AuditEntry.id.desc()).limit(1))
    if entry is None:
        return None, None
    return (entry.actor_name or entry.actor_username or "hệ thống"), entry.at


def _versioned(obj) -> bool:
    state = inspect(obj)
    return state.mapper.version_id_col is not None and state.identity is not None


def _note_versions(session, _flush_context, _instances) -> None:
    """Before each flush, which versioned records it will update and the version each was read at (a failed flush
    rolls them back before the caller can look)."""
    session.info["locking.flush"] = [
        (inspect(obj).mapper.class_, inspect(obj).identity, inspect(obj).dict.get("version"))
        for obj in [*session.dirty, *session.deleted] if _versioned(obj)]


def watch_versions() -> None:
    """Remember, on every session, the versioned records each flush updates (called once by the app factory)."""
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "before_flush", _note_versions):
        sa.event.listen(Session, "before_flush", _note_versions)


def stale_after_flush(session=None) -> StaleEdit:
    """After a StaleDataError: roll back, reload the records the failed flush was updating and say who changed one
    of them meanwhile, and what it holds now."""
    session = session or db.session
    pending = session.info.pop("locking.flush", [])
    session.rollback()
    for cls, identity, seen in pending:
        stored = session.get(cls, identity, populate_existing=True)
        if stored is None:
            return StaleEdit(who=None, at=None, current=[(N_("Trạng thái"), gettext("đã bị xóa"))])
        if stored.version != seen:
            return stale_edit(stored)
    return StaleEdit(who=None, at=None, current=[])
