"""PostgreSQL: `pg_dump -Fc` of the current schema from the snapshot the manifest is counted in, and `pg_restore
--single-transaction` into the same schema or into a new one that is checked and then renamed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from app.backup.manifest import BackupError, Echo, RestoreSummary, check_restored, describe, has_data, refuse_data


def _pg_env(url: sa.URL) -> dict[str, str]:
    """libpq settings of the URL as environment variables: the password never appears on a command line."""
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host or url.query.get("host")), ("PGPORT", url.port),
                       ("PGUSER", url.username), ("PGPASSWORD", url.password), ("PGDATABASE", url.database),
                       ("PGSSLMODE", url.query.get("sslmode"))):
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)
    env.pop("PGOPTIONS", None)
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"Không tìm thấy chương trình {args[0]} (cài gói postgresql-client cùng phiên bản máy chủ).")
    done = subprocess.run([tool, *args[1:]], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} không thành công: {' | '.join(detail[-3:]) or done.returncode}")


def dump(engine: sa.Engine, target: Path, *, now: datetime, echo: Echo, work: Path) -> dict:
    """pg_dump of the current schema from the very snapshot the manifest is counted in (pg_export_snapshot)."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        manifest = describe(conn, schema, now=now, dialect="postgresql", echo=echo, work=work)
        echo(f"pg_dump lược đồ «{schema}» của cơ sở dữ liệu «{engine.url.database}»...")
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--schema={schema}", f"--file={target}"], _pg_env(engine.url), "pg_dump")
    return manifest


def restore(engine: sa.Engine, part: Path, manifest: dict, *, force: bool, now: datetime,
                      echo: Echo) -> RestoreSummary:
    source_schema = manifest["database"]["schema"]
    with engine.connect() as conn:
        target_schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
        if target_schema is None:
            raise BackupError("Cơ sở dữ liệu đích không có lược đồ nào trong search_path; tạo lược đồ trước.")
        refuse_data(has_data(conn, target_schema), force, echo)
        source_exists = conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :n"),
                                     {"n": source_schema}).scalar()
    if target_schema != source_schema and (source_exists or target_schema == "public"):
        raise BackupError(f"Bản sao lưu là của lược đồ «{source_schema}», cơ sở dữ liệu đích dùng lược đồ "
                          f"«{target_schema}»" + (f" và đã có lược đồ «{source_schema}»" if source_exists else "")
                          + ": chỉ khôi phục vào lược đồ cùng tên, hoặc vào một lược đồ khác public khi cơ sở dữ liệu "
                            "đích chưa có lược đồ của bản sao lưu.")
    with engine.begin() as conn:  # the assignment constraint needs btree_gist, as the first migration creates it
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
    env = _pg_env(engine.url)
    env["PGOPTIONS"] = "-c lock_timeout=60000"  # a table held by a running app stops the restore, never hangs it
    listing = part.with_suffix(".list")
    toc = subprocess.run([shutil.which("pg_restore") or "pg_restore", "--list", str(part)], env=env,
                         capture_output=True, text=True)
    if toc.returncode != 0:
        raise BackupError(f"pg_restore không đọc được bản dump: {toc.stderr.strip()[:300]}")
    same = target_schema == source_schema
    # The schema itself is never dropped or re-created in place (public holds the extensions); a new schema is.
    keep = [line for line in toc.stdout.splitlines()
            if not (same and re.search(r"\b(SCHEMA|COMMENT) - ", line) and not re.search(r"\bTABLE\b", line))]
    listing.write_text("\n".join(keep) + "\n")
    args = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
            f"--use-list={listing}", f"--dbname={engine.url.database}"]
    if same:
        echo(f"pg_restore vào lược đồ «{target_schema}» (một giao dịch: lỗi thì không thay đổi gì)...")
        _run([*args[:1], "--clean", "--if-exists", *args[1:], str(part)], env, "pg_restore")
        with engine.connect() as conn:
            return check_restored(conn, target_schema, manifest, now=now, echo=echo)
    echo(f"pg_restore vào lược đồ mới «{source_schema}» (một giao dịch), kiểm tra, rồi đổi tên thành "
         f"«{target_schema}»...")
    _run([*args, str(part)], env, "pg_restore")
    try:
        with engine.connect() as conn:
            summary = check_restored(conn, source_schema, manifest, now=now, echo=echo)
        if not summary.problems:
            with engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL lock_timeout = '60s'"))
                conn.execute(sa.text(f'DROP SCHEMA "{target_schema}" CASCADE'))
                conn.execute(sa.text(f'ALTER SCHEMA "{source_schema}" RENAME TO "{target_schema}"'))
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{source_schema}" CASCADE'))
    engine.dispose()
    return summary
