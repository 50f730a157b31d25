"""Write audit entries in the caller's transaction."""

from __future__ import annotations

from app.audit.models import AuditEntry
from app.extensions import db


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(actor, action: str, obj=None, *, before: dict | None = None, after: dict | None = None,
           object_type: str | None = None) -> AuditEntry:
    """Add one audit entry to the current session (committed with the change it describes)."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or (obj.__tablename__ if obj is not None else "system"),
        object_id=getattr(obj, "id", None),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    db.session.add(entry)
    return entry
