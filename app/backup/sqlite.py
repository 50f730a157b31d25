"""SQLite: a consistent copy through the online backup API, and a restore into a file beside the target that is
checked before it is swapped in."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from app.backup.manifest import BackupError, Echo, RestoreSummary, check_restored, has_data, refuse_data


def sqlite_path(engine: sa.Engine) -> Path:
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise BackupError("Chỉ sao lưu / khôi phục được cơ sở dữ liệu SQLite là một tệp (DATABASE_URL=sqlite:///...).")
    return Path(path)


def snapshot(engine: sa.Engine, target: Path, echo: Echo) -> sa.Engine:
    """A consistent copy of the live database through SQLite's online backup API (writers may go on meanwhile)."""
    source_path = sqlite_path(engine)
    if not source_path.exists():
        raise BackupError(f"Không có tệp cơ sở dữ liệu «{source_path}».")
    echo(f"Sao chép cơ sở dữ liệu SQLite «{source_path}» (sao lưu trực tuyến)...")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=4096)
    finally:
        copy.close()
        source.close()
    return sa.create_engine(f"sqlite:///{target}", poolclass=sa.pool.NullPool)


def restore(engine: sa.Engine, part: Path, manifest: dict, *, force: bool, now: datetime,
                    echo: Echo) -> RestoreSummary:
    target = sqlite_path(engine)
    if target.exists():
        with engine.connect() as conn:
            refuse_data(has_data(conn, None), force, echo)
    if not target.parent.is_dir():
        raise BackupError(f"Thư mục «{target.parent}» không tồn tại.")
    staging = target.with_name(target.name + ".restoring")
    staging.unlink(missing_ok=True)
    echo(f"Khôi phục vào tệp tạm «{staging.name}» (sao chép trực tuyến)...")
    source, copy = sqlite3.connect(f"file:{part}?mode=ro", uri=True), sqlite3.connect(staging)
    try:
        source.backup(copy)
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("Tệp cơ sở dữ liệu trong bản sao lưu không toàn vẹn (PRAGMA integrity_check).")
    finally:
        copy.close()
        source.close()
    checked = sa.create_engine(f"sqlite:///{staging}", poolclass=sa.pool.NullPool)
    try:
        with checked.connect() as conn:
            summary = check_restored(conn, None, manifest, now=now, echo=echo)
    finally:
        checked.dispose()
    if summary.problems:
        staging.unlink(missing_ok=True)
        return summary
    engine.dispose()
    for suffix in ("-journal", "-wal", "-shm"):  # the old file's journals must never be replayed onto the new one
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(staging, target)
    echo(f"Đã thay tệp cơ sở dữ liệu «{target}» bằng bản đã khôi phục và kiểm tra.")
    return summary
