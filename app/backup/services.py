"""Backup and restore of the whole database with its archive of signed documents.

A backup is one tar file: `manifest.json` (created at, app version, Alembic revision, rows per table, SHA-256 and size
of every part, the signed documents with the SHA-256 of each PDF), the database dump (`database.sqlite3`, a copy made
with SQLite's online backup API; or `database.pgdump`, `pg_dump -Fc` of the configured schema) and the signed PDFs
(`documents/…`) for anyone to check without the application. Signing keys and secrets are never part of it.

Restore checks the archive against its manifest before it touches the target, refuses a target holding data (unless
forced) and a backup of a newer schema, restores, and then checks rows per table and every signed document (PDF hash
and signature, app/reports/verify.py). SQLite is restored into a temporary file next to the target, checked, then
swapped in; PostgreSQL is restored by `pg_restore --single-transaction` (into a new schema that is checked and then
renamed, when the target's schema has another name than the backup's).
"""


from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from flask import current_app

from app.backup import postgres, sqlite
from app.backup.manifest import (
    MANIFEST,
    PG_PART,
    SQLITE_PART,
    BackupError,
    Echo,
    RestoreSummary,
    describe,
    known_revisions,
    read_backup,
    sha256_file,
)
from app.extensions import db

__all__ = ["BackupError", "RestoreSummary", "create_backup", "restore_backup"]


def create_backup(output: Path, *, now: datetime, echo: Echo = print) -> dict:
    """Write one backup file of the configured database to `output`; return its manifest."""
    engine = db.engine
    output = Path(output)
    if output.exists():
        raise BackupError(f"Tệp «{output}» đã có; chọn tên khác (không ghi đè bản sao lưu cũ).")
    if not output.parent.is_dir():
        raise BackupError(f"Thư mục «{output.parent}» không tồn tại.")
    dialect = engine.dialect.name
    with tempfile.TemporaryDirectory(prefix="chiso766-backup-", dir=output.parent) as work:
        work = Path(work)
        if dialect == "sqlite":
            part, snapshot = SQLITE_PART, sqlite.snapshot(engine, work / SQLITE_PART, echo)
            with snapshot.connect() as conn:
                manifest = describe(conn, None, now=now, dialect=dialect, echo=echo, work=work)
            snapshot.dispose()
        elif dialect == "postgresql":
            part = PG_PART
            manifest = postgres.dump(engine, work / PG_PART, now=now, echo=echo, work=work)
        else:
            raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {dialect}.")
        manifest["database"]["file"] = part
        parts = [part] + [d["file"] for d in manifest["documents"]]
        manifest["files"] = {name: {"sha256": sha256_file(work / name), "size": (work / name).stat().st_size}
                             for name in parts}
        manifest["database"]["sha256"] = manifest["files"][part]["sha256"]
        echo("Đóng gói tệp sao lưu...")
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            for name in parts:
                tar.add(work / name, arcname=name, recursive=False)
        os.replace(partial, output)  # a reader never sees a half-written backup under the final name
    return manifest


def restore_backup(path: Path, *, force: bool, now: datetime, echo: Echo = print) -> RestoreSummary:
    """Restore a backup into the configured database and check it; BackupError on any refusal or mismatch."""
    engine = db.engine
    with tempfile.TemporaryDirectory(prefix="chiso766-restore-") as work:
        work = Path(work)
        manifest = read_backup(path, work, echo)
        dialect = manifest["database"]["dialect"]
        if dialect != engine.dialect.name:
            raise BackupError(f"Bản sao lưu của {dialect}, cơ sở dữ liệu đích là {engine.dialect.name}: không khôi "
                              f"phục chéo loại cơ sở dữ liệu.")
        revision = manifest.get("alembic_revision")
        if revision and revision not in known_revisions():
            raise BackupError(f"Bản sao lưu ở phiên bản cơ sở dữ liệu {revision}, mới hơn mã nguồn này. Cập nhật mã "
                              f"nguồn rồi khôi phục lại.")
        db.session.remove()
        if dialect == "sqlite":
            summary = sqlite.restore(engine, work / SQLITE_PART, manifest, force=force, now=now, echo=echo)
        else:
            summary = postgres.restore(engine, work / PG_PART, manifest, force=force, now=now, echo=echo)
    if revision and revision != _head_revision():
        summary.notes.append(f"Bản sao lưu ở phiên bản {revision}; chạy: flask db upgrade")
    return summary


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return ",".join(sorted(script.get_heads()))
