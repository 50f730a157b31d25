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

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.core.errors import DomainError
from app.extensions import db

FORMAT = "chiso766-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
PG_PART = "database.pgdump"
ISSUED = ("signed", "superseded")
# Tables the migrations fill by themselves (the 766 catalog) or that only hold liveness: a database with rows only
# there holds no one's data yet.
PREFILLED = {"alembic_version", "heartbeat", "catalog_version", "indicator_group", "indicator", "indicator_rule"}
_SAFE_NAME = re.compile(r"^(manifest\.json|database\.(sqlite3|pgdump)|documents/[A-Za-z0-9._-]{1,120}\.pdf)$")
_CHUNK = 1 << 20

Echo = Callable[[str], None]


class BackupError(DomainError):
    """Backup or restore cannot go on; the message says why, in Vietnamese."""


@dataclass
class RestoreSummary:
    tables: int = 0
    rows: int = 0
    documents: int = 0
    signatures_valid: int = 0
    signatures_trusted: int = 0
    revision: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def app_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("chiso766")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = Path(current_app.root_path).parent / "pyproject.toml"
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return {revision.revision for revision in script.walk_revisions()}


# ---------------------------------------------------------------------------------------------------- reading a DB


def table_counts(conn: sa.Connection, schema: str | None = None) -> dict[str, int]:
    """Rows in every table of the schema (the app's tables and alembic_version), by name."""
    names = sorted(sa.inspect(conn).get_table_names(schema=schema))
    prefix = f'"{schema}".' if schema else ""
    return {name: conn.execute(sa.text(f'SELECT count(*) FROM {prefix}"{name}"')).scalar_one() for name in names}


def _revision(conn: sa.Connection, schema: str | None = None) -> str | None:
    prefix = f'"{schema}".' if schema else ""
    try:
        return conn.execute(sa.text(f"SELECT version_num FROM {prefix}alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None


def _signed_documents(conn: sa.Connection, schema: str | None = None):
    """(id, kind, unit id, number text, stored SHA-256, PDF bytes) of every signed document, in id order."""
    prefix = f'"{schema}".' if schema else ""
    names = sa.inspect(conn).get_table_names(schema=schema)
    if "document" not in names:
        return
    rows = conn.execute(sa.text(
        f"SELECT id, kind, unit_id, number_text, sha256, pdf FROM {prefix}document "
        f"WHERE status IN ('signed', 'superseded') ORDER BY id"))
    for row in rows:
        yield row.id, row.kind, row.unit_id, row.number_text, row.sha256, bytes(row.pdf or b"")


# ------------------------------------------------------------------------------------------------------- backup


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
            part, snapshot = SQLITE_PART, _sqlite_snapshot(engine, work / SQLITE_PART, echo)
            with snapshot.connect() as conn:
                manifest = _describe(conn, None, now=now, dialect=dialect, echo=echo, work=work)
            snapshot.dispose()
        elif dialect == "postgresql":
            part = PG_PART
            manifest = _pg_dump(engine, work / PG_PART, now=now, echo=echo, work=work)
        else:
            raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {dialect}.")
        manifest["database"]["file"] = part
        parts = [part] + [d["file"] for d in manifest["documents"]]
        manifest["files"] = {name: {"sha256": _sha256_file(work / name), "size": (work / name).stat().st_size}
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


def _sqlite_path(engine: sa.Engine) -> Path:
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise BackupError("Chỉ sao lưu / khôi phục được cơ sở dữ liệu SQLite là một tệp (DATABASE_URL=sqlite:///...).")
    return Path(path)


def _sqlite_snapshot(engine: sa.Engine, target: Path, echo: Echo) -> sa.Engine:
    """A consistent copy of the live database through SQLite's online backup API (writers may go on meanwhile)."""
    source_path = _sqlite_path(engine)
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


def _describe(conn: sa.Connection, schema: str | None, *, now: datetime, dialect: str, echo: Echo,
              work: Path) -> dict:
    """The manifest of the snapshot seen by `conn`; the signed PDFs are written into `work/documents/`."""
    echo("Đếm số dòng từng bảng...")
    counts = table_counts(conn, schema)
    echo("Lưu kho văn bản đã ký...")
    (work / "documents").mkdir(exist_ok=True)
    documents = []
    for doc_id, kind, unit_id, number_text, stored, pdf in _signed_documents(conn, schema):
        name = f"documents/{doc_id:06d}-{kind}-{re.sub(r'[^A-Za-z0-9]+', '-', number_text or '').strip('-')}.pdf"
        (work / name).write_bytes(pdf)
        documents.append({"id": doc_id, "kind": kind, "unit_id": unit_id, "number": number_text,
                          "sha256": hashlib.sha256(pdf).hexdigest(), "stored_sha256": stored, "file": name})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": now.isoformat(),
        "app_version": app_version(),
        "alembic_revision": _revision(conn, schema),
        "database": {"dialect": dialect, "schema": schema},
        "tables": counts,
        "rows": sum(counts.values()),
        "signed_documents": len(documents),
        "documents": documents,
        "includes_keys": False,
    }


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


def _pg_dump(engine: sa.Engine, target: Path, *, now: datetime, echo: Echo, work: Path) -> dict:
    """pg_dump of the current schema from the very snapshot the manifest is counted in (pg_export_snapshot)."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
        snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        manifest = _describe(conn, schema, now=now, dialect="postgresql", echo=echo, work=work)
        echo(f"pg_dump lược đồ «{schema}» của cơ sở dữ liệu «{engine.url.database}»...")
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--schema={schema}", f"--file={target}"], _pg_env(engine.url), "pg_dump")
    return manifest


# ------------------------------------------------------------------------------------------------------ restore


def read_backup(path: Path, work: Path, echo: Echo = print) -> dict:
    """Check the backup against its manifest and unpack its parts into `work`; the manifest, or BackupError."""
    path = Path(path)
    echo(f"Kiểm tra tệp sao lưu «{path}»...")
    try:
        tar = tarfile.open(path, "r:")  # noqa: SIM115  (closed by the `with tar:` below)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"«{path}» không phải là tệp sao lưu đọc được ({exc.__class__.__name__}).") from None
    seen: dict[str, str] = {}
    manifest = None
    with tar:
        try:
            for member in tar:
                if not member.isfile() or not _SAFE_NAME.match(member.name) or member.name in seen:
                    raise BackupError(f"Tệp sao lưu có thành phần lạ «{member.name}»; không dùng tệp này.")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    raw = source.read()
                    seen[MANIFEST] = ""
                    try:
                        manifest = json.loads(raw)
                    except ValueError:
                        raise BackupError("Bảng kê (manifest.json) của tệp sao lưu bị hỏng.") from None
                    continue
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with open(target, "wb") as out:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                seen[member.name] = digest.hexdigest()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"Tệp sao lưu bị cắt cụt hoặc hỏng ({exc.__class__.__name__}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("Tệp không phải bản sao lưu của Chỉ số 766 (thiếu hoặc sai manifest.json).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Bản sao lưu định dạng phiên bản {manifest.get('format_version')}, mã nguồn này đọc "
                          f"phiên bản {FORMAT_VERSION}.")
    files = manifest.get("files") or {}
    missing = sorted(set(files) - set(seen))
    extra = sorted(set(seen) - set(files) - {MANIFEST})
    if missing or extra:
        raise BackupError("Tệp sao lưu không khớp bảng kê: " + "; ".join(
            [f"thiếu {n}" for n in missing] + [f"thừa {n}" for n in extra]))
    for name, expected in files.items():
        if seen[name] != expected.get("sha256"):
            raise BackupError(f"Tệp sao lưu đã bị thay đổi hoặc hỏng: «{name}» có SHA-256 {seen[name][:16]}…, bảng kê "
                              f"ghi {str(expected.get('sha256'))[:16]}…. Không khôi phục.")
    echo(f"Tệp sao lưu nguyên vẹn: {len(files)} thành phần khớp SHA-256 trong bảng kê "
         f"(tạo lúc {manifest.get('created_at')}, phiên bản ứng dụng {manifest.get('app_version')}, "
         f"phiên bản CSDL {manifest.get('alembic_revision')}).")
    return manifest


def _has_data(conn: sa.Connection, schema: str | None) -> dict[str, int]:
    """Tables holding someone's data (beyond what the migrations put in), with their row counts."""
    counts = table_counts(conn, schema)
    return {name: n for name, n in counts.items() if n and name not in PREFILLED}


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
        if revision and revision not in _known_revisions():
            raise BackupError(f"Bản sao lưu ở phiên bản cơ sở dữ liệu {revision}, mới hơn mã nguồn này. Cập nhật mã "
                              f"nguồn rồi khôi phục lại.")
        db.session.remove()
        if dialect == "sqlite":
            summary = _restore_sqlite(engine, work / SQLITE_PART, manifest, force=force, now=now, echo=echo)
        else:
            summary = _restore_postgres(engine, work / PG_PART, manifest, force=force, now=now, echo=echo)
    if revision and revision != _head_revision():
        summary.notes.append(f"Bản sao lưu ở phiên bản {revision}; chạy: flask db upgrade")
    return summary


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return ",".join(sorted(script.get_heads()))


def _refuse_data(found: dict[str, int], force: bool, echo: Echo) -> None:
    if not found:
        return
    listed = ", ".join(f"{name} ({n} dòng)" for name, n in sorted(found.items())[:6])
    if not force:
        raise BackupError(f"Cơ sở dữ liệu đích đang có dữ liệu: {listed}. Không khôi phục đè lên; thêm --force nếu "
                          f"thật sự muốn thay toàn bộ dữ liệu hiện có bằng bản sao lưu.")
    echo(f"--force: dữ liệu hiện có ({listed}) sẽ được thay bằng bản sao lưu.")


def _restore_sqlite(engine: sa.Engine, part: Path, manifest: dict, *, force: bool, now: datetime,
                    echo: Echo) -> RestoreSummary:
    target = _sqlite_path(engine)
    if target.exists():
        with engine.connect() as conn:
            _refuse_data(_has_data(conn, None), force, echo)
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


def _restore_postgres(engine: sa.Engine, part: Path, manifest: dict, *, force: bool, now: datetime,
                      echo: Echo) -> RestoreSummary:
    source_schema = manifest["database"]["schema"]
    with engine.connect() as conn:
        target_schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
        if target_schema is None:
            raise BackupError("Cơ sở dữ liệu đích không có lược đồ nào trong search_path; tạo lược đồ trước.")
        _refuse_data(_has_data(conn, target_schema), force, echo)
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


def check_restored(conn: sa.Connection, schema: str | None, manifest: dict, *, now: datetime,
                   echo: Echo) -> RestoreSummary:
    """Rows per table as in the manifest; every signed document's PDF as archived and its signature valid."""
    from app.reports import signing, verify

    summary = RestoreSummary(revision=manifest.get("alembic_revision") or "")
    echo("Đối chiếu số dòng từng bảng với bảng kê...")
    counts = table_counts(conn, schema)
    for name, expected in sorted(manifest["tables"].items()):
        got = counts.get(name)
        if got != expected:
            summary.problems.append(f"Bảng {name}: bản sao lưu ghi {expected} dòng, sau khôi phục có "
                                    f"{'không có bảng' if got is None else got}.")
    summary.tables, summary.rows = len(counts), sum(counts.values())
    echo(f"Kiểm tra {manifest['signed_documents']} văn bản đã ký (SHA-256 và chữ ký số)...")
    expected_docs = {d["id"]: d for d in manifest["documents"]}
    roots = signing.trust_roots()
    for doc_id, _kind, _unit, number, stored, pdf in _signed_documents(conn, schema):
        listed = expected_docs.pop(doc_id, None)
        digest = hashlib.sha256(pdf).hexdigest()
        label = f"Văn bản #{doc_id} ({number or 'chưa số'})"
        if listed is None:
            summary.problems.append(f"{label}: không có trong bảng kê của bản sao lưu.")
            continue
        if digest != listed["sha256"] or digest != stored:
            summary.problems.append(f"{label}: tệp PDF sau khôi phục khác tệp đã lưu trữ khi ký (SHA-256).")
            continue
        summary.documents += 1
        result = verify.verify_pdf(pdf, roots=roots, now=now)
        if result.error or not result.signatures or not all(
                s.intact and s.valid and s.covers_all for s in result.signatures):
            summary.problems.append(f"{label}: chữ ký số không hợp lệ sau khôi phục ({result.summary}).")
            continue
        summary.signatures_valid += 1
        summary.signatures_trusted += result.ok
    for doc_id, listed in sorted(expected_docs.items()):
        summary.problems.append(f"Văn bản #{doc_id} ({listed.get('number')}): có trong bảng kê, thiếu sau khôi phục.")
    if summary.documents and summary.signatures_trusted < summary.signatures_valid:
        summary.notes.append(f"{summary.signatures_valid - summary.signatures_trusted} văn bản có chữ ký nguyên vẹn "
                             f"nhưng chưa xác nhận tin cậy: cấu hình SIGNING_TRUST_ROOTS (khóa và chứng thư không nằm "
                             f"trong bản sao lưu).")
    return summary
