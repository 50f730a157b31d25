"""The province-scale generator of the benchmarks (tests/bench/province.py) at a tiny fraction: what it writes holds
every constraint, matches its manifest, is the same for the same seed, and a run that fails leaves nothing."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db as _db

GENERATOR = Path(__file__).resolve().parents[1] / "bench" / "province.py"
FRACTION = 0.0005  # 1,000 dossiers and one month of scores; units, accounts and assignments in full


@pytest.fixture(scope="module")
def province():
    spec = importlib.util.spec_from_file_location("province_generator", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture
def target(app, database_url, province):
    """The session's database, emptied by the app fixture; the manifest table removed afterwards."""
    yield database_url
    _db.session.remove()
    with _db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_dataset")


def _count(table: str) -> int:
    return _db.session.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()


def _broken_foreign_keys() -> list:
    """Rows whose foreign keys point nowhere (SQLite), or constraints left unvalidated or missing (PostgreSQL)."""
    if _db.engine.dialect.name == "sqlite":
        return _db.session.execute(sa.text("PRAGMA foreign_key_check")).all()
    expected = sum(len(t.foreign_key_constraints) for t in _db.metadata.tables.values())
    rows = _db.session.execute(sa.text(
        "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' "
        "AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())")).all()
    return [r for r in rows if not r.convalidated] + ([] if len(rows) == expected else [("count", len(rows))])


def test_dataset_matches_manifest_and_constraints(target, province, client):
    lines: list[str] = []
    manifest = province.generate(target, fraction=FRACTION, seed=766, progress=lines.append)
    _db.session.remove()

    assert province.manifest(target) == manifest
    counts = manifest["counts"]
    assert counts["unit"] == 171 and counts["user"] == 3000 and counts["dossier"] == 1000
    for table, expected in counts.items():
        assert _count(table) == expected, table
    assert _broken_foreign_keys() == []
    assert any("dossier" in line and "rows/s" in line for line in lines)
    kinds = dict(_db.session.execute(sa.text("SELECT kind, count(*) FROM unit GROUP BY kind")).all())
    assert kinds == {"province": 1, "department": 20, "commune": 150}
    roles = dict(_db.session.execute(sa.text('SELECT role, count(*) FROM "user" GROUP BY role')).all())
    assert roles["head"] == 170 and roles["admin"] == 1 and roles["chair"] == 2
    assert _count("assignment") > _db.session.execute(sa.text(
        "SELECT count(*) FROM assignment WHERE effective_to IS NULL")).scalar() > 0  # some history

    from app.assignments.services import indicators_of
    from app.auth.models import User

    officer = _db.session.scalar(sa.select(User).filter_by(username=manifest["users"]["officer"]))
    mine = indicators_of(officer, date(2026, 11, 15))
    assert officer.role == "officer" and officer.unit_id == manifest["units"]["commune"] and len(mine) >= 3
    red = _db.session.execute(sa.text(
        "SELECT points, max_points FROM score_record WHERE unit_id = :u AND subject_key = 'I:PROGRESS_ON_TIME' "
        "AND period_kind = 'month' ORDER BY period_start DESC LIMIT 1"), {"u": officer.unit_id}).one()
    assert Decimal(red.points) < Decimal(red.max_points) / 2
    for role, username in manifest["users"].items():
        response = client.post("/login", data={"username": username, "password": manifest["password"]})
        assert response.status_code == 302, role
        client.post("/logout")


def test_same_seed_same_digest_and_refuses_non_empty(target, province):
    quiet = [].append
    first = province.generate(target, fraction=FRACTION, seed=766, progress=quiet)
    with pytest.raises(province.NotEmpty):
        province.generate(target, fraction=FRACTION, seed=766, progress=quiet)
    _db.session.execute(sa.text("UPDATE dossier SET rating = NULL"))  # a changed row is emptied away by force
    _db.session.commit()
    again = province.generate(target, fraction=FRACTION, seed=766, progress=quiet, force=True)
    assert again["digest"] == first["digest"] and again["counts"] == first["counts"]
    _db.session.remove()
    assert _db.session.execute(sa.text("SELECT count(rating) FROM dossier")).scalar() > 0


def test_failed_run_writes_nothing_and_no_manifest(target, province, monkeypatch):
    def broken(*_args, **_kwargs):
        yield from ()
        raise RuntimeError("generator stopped half-way")

    monkeypatch.setattr(province.dossiers, "generate", broken)
    with pytest.raises(RuntimeError, match="half-way"):
        province.generate(target, fraction=FRACTION, seed=766, progress=[].append)
    _db.session.remove()
    assert province.manifest(target) is None
    assert _count("unit") == 0 and _count("score_record") == 0
