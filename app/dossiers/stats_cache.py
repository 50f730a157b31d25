"""The statistics cache: a window's counts, keyed on a data version every write bumps, and on when they hold.

Why: a province month counts ~170,000 dossiers and a year 2,000,000; aggregating them per request is far over the
page's budget, and the numbers only change when dossiers change or the clock passes a due time. The closed
dossiers are counted once per data version and window; the open ones (~1 %, 20,000 at the province) until the
clock reaches the next due time (or receipt) among them, or the day's margins move.

Honesty rules:
- the version (table dossier_data_version, one row) is bumped in the transaction of every write to dossiers or
  claims: the import calls `bump()` after it writes, and an ORM flush touching a Dossier or a DossierClaim bumps it
  too; a cached entry is used only when its version is the current one;
- a closed dossier's buckets depend on the moment the window is seen at (`as_of`) only while that moment is before
  its end (or receipt): the closed part is valid from the latest of those on, with no end (a past window is seen
  at its end only, so valid from its end); an open dossier's buckets change when `as_of` passes its due time or
  receipt: the open part is valid from `as_of` until the next of those, and its key holds the due-soon and
  apology margins (working days from the calendar, so a calendar change is a new key);
- the entry is written in the reader's transaction: a rolled-back write never leaves a count behind;
- a reader whose transaction is rolled back anyway (a batch of draft PDFs) reads without writing (`reading_only`):
  on SQLite a written entry would hold the database's write lock through the whole render, and the other workers'
  writes would wait for it until they time out ("database is locked").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.dossiers.models import Dossier, DossierClaim, DossierDataVersion, DossierStatsCache
from app.extensions import db

Counts = dict[int, dict[str, int]]

_READ_ONLY: ContextVar[bool] = ContextVar("stats_cache_read_only", default=False)


@contextmanager
def reading_only() -> Iterator[None]:
    """Inside: cached entries are used, new ones are not written (the caller's transaction is rolled back anyway)."""
    token = _READ_ONLY.set(True)
    try:
        yield
    finally:
        _READ_ONLY.reset(token)


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


def _key(part: str, unit_ids, window) -> str:
    moments = f"|{window.soon_until.isoformat()}|{window.apology_until.isoformat()}" if part == "open" else ""
    text = f"{part}|{window.start.isoformat()}|{window.end.isoformat()}{moments}|{','.join(map(str, sorted(unit_ids)))}"
    return hashlib.sha256(text.encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


Validity = tuple[datetime, datetime | None] | None  # [from, until) the counts hold for; None: do not keep them


def cached(part: str, unit_ids, window, compute: Callable[[], tuple[Counts, Validity]]) -> Counts:
    """A part's counts ("closed" or "open" dossiers) for the window: from the cache when the data version is the
    current one and the window's moment lies in the entry's validity, else `compute()`, kept when it says how long
    its counts hold (the key carries the window and, for open dossiers, its due-soon and apology margins)."""
    key = _key(part, unit_ids, window)
    current = version()
    entry = db.session.execute(sa.select(DossierStatsCache.version, DossierStatsCache.valid_from,
                                         DossierStatsCache.valid_until, DossierStatsCache.counts)
                               .where(DossierStatsCache.key == key)).first()
    if (entry is not None and entry.version == current and _aware(entry.valid_from) <= window.as_of
            and (entry.valid_until is None or window.as_of < _aware(entry.valid_until))):
        return {int(uid): counts for uid, counts in entry.counts.items()}
    counts, validity = compute()
    if validity is not None and not _READ_ONLY.get():
        _store(key, current, validity, counts)
    return counts


def _store(key: str, current: int, validity: tuple[datetime, datetime | None], counts: Counts) -> None:
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = {"key": key, "version": current, "valid_from": validity[0], "valid_until": validity[1],
              "counts": {str(uid): c for uid, c in counts.items()}}
    statement = insert(DossierStatsCache).values(**values)
    db.session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={
        name: statement.excluded[name] for name in ("version", "valid_from", "valid_until", "counts")}))
    db.session.execute(sa.delete(DossierStatsCache).where(DossierStatsCache.version < current))
