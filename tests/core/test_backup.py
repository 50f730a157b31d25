"""`flask backup` / `flask restore`: a backup of the demo with a signed document restores into a fresh, empty database
(a new SQLite file, or a new PostgreSQL database and schema) with every table, row and signed PDF as it was and the
signature still valid; a changed byte, a newer schema, a target holding data and a mismatch after restore are refused.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db as _db
from config import TestConfig
from tests.conftest import DEMO_NOW, _postgres_url
from tests.reports.conftest import keys, pki  # noqa: F401, F811  (fixtures: a test CA and the chair's key)


@pytest.fixture
def fresh_target(tmp_path, pki):  # noqa: F811
    """Factory: an app on a new, empty database (a SQLite file not yet created, or a new PostgreSQL database with
    an empty schema of another name than the suite's), trusting the test CA; dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    made: list[tuple] = []

    def make():
        if not base:
            url = f"sqlite:///{tmp_path / f'khoi-phuc-{len(made)}.db'}"
            name = None
        else:
            name = f"chiso766_restore_{secrets.token_hex(4)}"
            server = sa.create_engine(_postgres_url(base.split("?")[0], "public"), isolation_level="AUTOCOMMIT")
            with server.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            server.dispose()
            database = sa.create_engine(_postgres_url(base.split("?")[0].rsplit("/", 1)[0] + f"/{name}", "public"))
            with database.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
                conn.execute(sa.text('CREATE SCHEMA "kp"'))
            database.dispose()
            url = _postgres_url(base.split("?")[0].rsplit("/", 1)[0] + f"/{name}", "kp")
        app = create_app(type("RestoreTarget", (TestConfig,), {
            "SQLALCHEMY_DATABASE_URI": url, "SIGNING_DIR": str(tmp_path / "khong-co-khoa"),
            "SIGNING_TRUST_ROOTS": [str(pki.root)]}))
        made.append((app, name))
        return app

    yield make
    for app, name in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
        if name:
            server = sa.create_engine(_postgres_url(base.split("?")[0], "public"), isolation_level="AUTOCOMMIT")
            with server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()


def run_on(app, args):
    """Run a command on `app` (its own app context: the suite's app context is active around the test)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=args)
        _db.session.remove()
        return result


def counts_and_samples(tables) -> dict[str, tuple]:
    """Rows per table and the first and last 25 rows of each (by primary key), in the current app context."""
    out = {}
    for table in tables:
        order = list(table.primary_key.columns) or list(table.columns)
        count = _db.session.scalar(sa.select(sa.func.count()).select_from(table))
        first = _db.session.execute(sa.select(table).order_by(*order).limit(25)).all()
        last = _db.session.execute(sa.select(table).order_by(*[c.desc() for c in order]).limit(25)).all()
        out[table.name] = (count, [tuple(r) for r in first], [tuple(r) for r in last])
    return out


def target_is_empty(app) -> bool:
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "sqlite":
            return not Path(engine.url.database).exists()
        with engine.connect() as conn:
            return sa.inspect(conn).get_table_names() == []


def test_backup_restores_into_an_empty_database_with_every_row_and_valid_signatures(demo, db, runner, keys, clock,  # noqa: F811
                                                                                   tmp_path, fresh_target):
    from app.reports import signing, verify
    from app.reports.models import Document

    signed = runner.invoke(args=["reports", "plan", "--unit", "NS", "--quarter", "2026Q4", "--sign", "-o",
                                 str(tmp_path / "plan.pdf")])
    assert signed.exit_code == 0, signed.output
    archive = tmp_path / "sao-luu.tar"
    made = runner.invoke(args=["backup", "--output", str(archive)])
    assert made.exit_code == 0, made.output
    assert "1 văn bản đã ký" in made.output and "không nằm trong bản sao lưu" in made.output

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    document = db.session.scalars(sa.select(Document)).one()
    original_pdf = document.pdf  # loaded here: inside the target's app context it would be read from the target
    assert manifest["alembic_revision"] == db.session.execute(sa.text("SELECT version_num FROM alembic_version")
                                                              ).scalar()
    assert manifest["signed_documents"] == 1 and manifest["documents"][0]["sha256"] == document.sha256
    assert manifest["documents"][0]["file"] in names and manifest["app_version"] == "0.1.0"
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert manifest["tables"]["user"] > 20 and manifest["tables"]["assignment_cooperating_unit"] > 100 and manifest["tables"]["document"] == 1
    before = counts_and_samples(db.metadata.sorted_tables)

    target = fresh_target()
    restored = run_on(target, ["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "Tệp sao lưu nguyên vẹn" in restored.output
    assert "1 văn bản đã ký: tệp PDF khớp SHA-256, chữ ký số hợp lệ 1/1, tin cậy 1/1" in restored.output

    with target.app_context():
        after = counts_and_samples(db.metadata.sorted_tables)
        copy = _db.session.scalars(sa.select(Document)).one()
        assert copy.pdf == original_pdf and copy.sha256 == document.sha256 and copy.number_text == "01/KH-UBND"
        check = verify.verify_pdf(copy.pdf, roots=signing.trust_roots(), now=DEMO_NOW)
        assert check.ok, check.summary
        assert _db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == manifest[
            "alembic_revision"]
        _db.session.remove()
    assert after == before
    assert sum(count for count, _, _ in after.values()) == manifest["rows"] - 1  # all but alembic_version

    again = run_on(target, ["restore", str(archive)])
    assert again.exit_code == 1 and "đang có dữ liệu" in again.output and "--force" in again.output
    forced = run_on(target, ["restore", str(archive), "--force"])
    assert forced.exit_code == 0, forced.output
    with target.app_context():
        assert counts_and_samples(db.metadata.sorted_tables) == before
        _db.session.remove()


@pytest.fixture
def small_backup(db, runner, make_unit, make_user, tmp_path) -> Path:
    make_user("yenntk", make_unit("NS", name="UBND huyện Ninh Sơn", kind="district"))
    archive = tmp_path / "nho.tar"
    result = runner.invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    return archive


def rewrite(archive: Path, out: Path, *, manifest=None, change_byte_in: str | None = None) -> Path:
    """A copy of the backup with its manifest edited, or one byte of one part flipped."""
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
        original = json.load(tar.extractfile("manifest.json"))
        if change_byte_in:
            member = members[change_byte_in]
            data[member.offset_data + member.size // 2] ^= 0x01
            out.write_bytes(bytes(data))
            return out
        with tarfile.open(out, "w") as copy:
            for name, member in members.items():
                if name == "manifest.json":
                    body = json.dumps(manifest(original)).encode()
                    info = tarfile.TarInfo(name)
                    info.size = len(body)
                    copy.addfile(info, io.BytesIO(body))
                else:
                    copy.addfile(member, tar.extractfile(member))
    return out


def database_part(archive: Path) -> str:
    with tarfile.open(archive) as tar:
        return next(n for n in tar.getnames() if n.startswith("database."))


def test_a_backup_with_one_changed_byte_is_refused_and_the_target_left_alone(small_backup, tmp_path, fresh_target):
    tampered = rewrite(small_backup, tmp_path / "sua.tar", change_byte_in=database_part(small_backup))
    target = fresh_target()
    result = run_on(target, ["restore", str(tampered)])
    assert result.exit_code == 1
    assert "đã bị thay đổi hoặc hỏng" in result.output and database_part(small_backup) in result.output
    assert target_is_empty(target)


def test_a_backup_of_a_newer_schema_is_refused(small_backup, tmp_path, fresh_target):
    newer = rewrite(small_backup, tmp_path / "moi.tar", manifest=lambda m: {**m, "alembic_revision": "9999"})
    target = fresh_target()
    result = run_on(target, ["restore", str(newer)])
    assert result.exit_code == 1 and "phiên bản cơ sở dữ liệu 9999, mới hơn mã nguồn" in result.output
    assert target_is_empty(target)


def test_rows_that_do_not_match_the_manifest_stop_the_restore_before_the_swap(small_backup, tmp_path, fresh_target):
    def one_more_unit(m):
        return {**m, "tables": {**m["tables"], "unit": m["tables"]["unit"] + 1}}

    wrong = rewrite(small_backup, tmp_path / "lech.tar", manifest=one_more_unit)
    target = fresh_target()
    result = run_on(target, ["restore", str(wrong)])
    assert result.exit_code == 1
    assert "Bảng unit: bản sao lưu ghi 2 dòng, sau khôi phục có 1" in result.output
    assert "KHÔNG khớp" in result.output
    with target.app_context():  # never swapped in: the target has none of the backup's tables
        with _db.engine.connect() as conn:
            assert "unit" not in sa.inspect(conn).get_table_names()
        _db.engine.dispose()


def test_not_a_backup_is_refused_with_a_clear_message(app, tmp_path):
    bogus = tmp_path / "khong-phai.tar"
    bogus.write_bytes(b"day khong phai tep tar")
    result = app.test_cli_runner().invoke(args=["restore", str(bogus)])
    assert result.exit_code == 1 and "không phải là tệp sao lưu" in result.output


def test_backup_of_a_missing_database_says_so_and_writes_nothing(tmp_path):
    app = create_app(type("Missing", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'khong-co.db'}"}))
    result = run_on(app, ["backup", "-o", str(tmp_path / "x.tar")])
    assert result.exit_code == 1 and "Không có tệp cơ sở dữ liệu" in result.output
    assert not (tmp_path / "x.tar").exists() and not (tmp_path / "khong-co.db").exists()
