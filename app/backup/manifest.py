"""The backup file's manifest and the checks around it: what a database holds (rows per table, revision, signed
documents), the manifest written from it, reading a backup back against its manifest, and checking a restored
database against it. Used by both engines (app/backup/sqlite.py, app/backup/postgres.py)."""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.core.errors import DomainError

FORMAT = "chiso766-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_PART = "database.sqlite3"
PG_PART = "database.pgdump"
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



def sha256_file(path: Path) -> str:
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


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return {revision.revision for revision in script.walk_revisions()}


def table_counts(conn: sa.Connection, schema: str | None = None) -> dict[str, int]:
    """Rows in every table of the schema (the app's tables and alembic_version), by name."""
    names = sorted(sa.inspect(conn).get_table_names(schema=schema))
    prefix = f'"{schema}".' if schema else ""
    return {name: conn.execute(sa.text(f'SELECT count(*) FROM {prefix}"{name}"')).scalar_one() for name in names}


def revision(conn: sa.Connection, schema: str | None = None) -> str | None:
    prefix = f'"{schema}".' if schema else ""
    try:
        return conn.execute(sa.text(f"SELECT version_num FROM {prefix}alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None


def signed_documents(conn: sa.Connection, schema: str | None = None):
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


def describe(conn: sa.Connection, schema: str | None, *, now: datetime, dialect: str, echo: Echo,
              work: Path) -> dict:
    """The manifest of the snapshot seen by `conn`; the signed PDFs are written into `work/documents/`."""
    echo("Đếm số dòng từng bảng...")
    counts = table_counts(conn, schema)
    echo("Lưu kho văn bản đã ký...")
    (work / "documents").mkdir(exist_ok=True)
    documents = []
    for doc_id, kind, unit_id, number_text, stored, pdf in signed_documents(conn, schema):
        name = f"documents/{doc_id:06d}-{kind}-{re.sub(r'[^A-Za-z0-9]+', '-', number_text or '').strip('-')}.pdf"
        (work / name).write_bytes(pdf)
        documents.append({"id": doc_id, "kind": kind, "unit_id": unit_id, "number": number_text,
                          "sha256": hashlib.sha256(pdf).hexdigest(), "stored_sha256": stored, "file": name})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": now.isoformat(),
        "app_version": app_version(),
        "alembic_revision": revision(conn, schema),
        "database": {"dialect": dialect, "schema": schema},
        "tables": counts,
        "rows": sum(counts.values()),
        "signed_documents": len(documents),
        "documents": documents,
        "includes_keys": False,
    }


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


def has_data(conn: sa.Connection, schema: str | None) -> dict[str, int]:
    """Tables holding someone's data (beyond what the migrations put in), with their row counts."""
    counts = table_counts(conn, schema)
    return {name: n for name, n in counts.items() if n and name not in PREFILLED}


def refuse_data(found: dict[str, int], force: bool, echo: Echo) -> None:
    if not found:
        return
    listed = ", ".join(f"{name} ({n} dòng)" for name, n in sorted(found.items())[:6])
    if not force:
        raise BackupError(f"Cơ sở dữ liệu đích đang có dữ liệu: {listed}. Không khôi phục đè lên; thêm --force nếu "
                          f"thật sự muốn thay toàn bộ dữ liệu hiện có bằng bản sao lưu.")
    echo(f"--force: dữ liệu hiện có ({listed}) sẽ được thay bằng bản sao lưu.")


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
    for doc_id, _kind, _unit, number, stored, pdf in signed_documents(conn, schema):
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
