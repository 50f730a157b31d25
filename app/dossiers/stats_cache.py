"""The statistics cache: counts of the closed dossiers of a window, keyed on a data version every write bumps.

Why: a province month counts ~170,000 dossiers and a year 2,000,000; aggregating them per request is far over the
page's budget, and the numbers only change when dossiers change. The open dossiers (~1 %) are always counted live
(their standing moves with the clock); the closed ones are counted once per data version and window, here.

Honesty rules:
- the version (table dossier_data_version, one row) is bumped in the transaction of every write to dossiers or
  claims: the import calls `bump()` after it writes, and an ORM flush touching a Dossier or a DossierClaim bumps it
  too; a cached entry is used only when its version is the current one;
- a closed dossier's buckets depend on the moment the window is seen at (`as_of`) only while that moment is before
  its end (or receipt); an entry of a running window is stored only when every counted dossier ended and was
  received by `as_of`, and it is used for any later `as_of` (the month seen later), never an earlier one; a past
  window is always seen at its end (`as_of` = end), so its entry is stored as valid from that moment;
- the entry is written in the reader's transaction: a rolled-back write never leaves a count behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.dossiers.models import Dossier, DossierClaim, DossierDataVersion, DossierStatsCache
from app.extensions import db

Counts = dict[int, dict[str, int]]


def version(session=None) -> int:
    session = session or db.session
    return session.scalar(sa.select(DossierDataVersion.version).where(DossierDataVersion.id == 1)) or 0


def bump(connection=None) -> None:
    """Move the data version on (in the caller's transaction); recreates the row if it was emptied."""
    execute = (connection or db.session).execute
    updated = execute(sa.update(DossierDataVersion).where(DossierDataVersion.id == 1)
                      .values(version=DossierDataVersion.version + 1)).rowcount
    if not updated:
        execute(sa.insert(DossierDataVersion).values(id=1, version=1))


@event.listens_for(Session, "after_flush")
def _bump_on_dossier_writes(session, _context) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, (Dossier, DossierClaim)) for obj in touched):
        bump(session.connection())


def _key(unit_ids, start: datetime, end: datetime) -> str:
    text = f"{start.isoformat()}|{end.isoformat()}|{','.join(str(i) for i in sorted(unit_ids))}"
    return hashlib.sha256(text.encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def closed_counts(unit_ids, window, compute: Callable[[], tuple[Counts, datetime | None]]) -> Counts:
    """The closed dossiers' counts for the window: from the cache when valid, else `compute()` (which returns the
    counts and the latest receipt or end among the dossiers counted) and stored when stable at `as_of`."""
    key = _key(unit_ids, window.start, window.end)
    current = version()
    entry = db.session.execute(sa.select(DossierStatsCache.version, DossierStatsCache.stable_from,
                                         DossierStatsCache.counts).where(DossierStatsCache.key == key)).first()
    if entry is not None and entry.version == current and window.as_of >= _aware(entry.stable_from):
        return {int(uid): counts for uid, counts in entry.counts.items()}
    counts, latest = compute()
    latest = _aware(latest)
    if latest is None or latest <= window.as_of:  # the same for every later moment
        _store(key, current, window.as_of if latest is None else latest, counts)
    elif window.as_of >= window.end:  # a past window is always seen at its end: valid at that moment only
        _store(key, current, window.end, counts)
    return counts


def _store(key: str, current: int, stable_from: datetime, counts: Counts) -> None:
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = {"key": key, "version": current, "stable_from": stable_from,
              "counts": {str(uid): c for uid, c in counts.items()}}
    statement = insert(DossierStatsCache).values(**values)
    db.session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={
        "version": statement.excluded.version, "stable_from": statement.excluded.stable_from,
        "counts": statement.excluded.counts}))
    db.session.execute(sa.delete(DossierStatsCache).where(DossierStatsCache.version < current))
