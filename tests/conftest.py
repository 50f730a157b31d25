"""Test fixtures: one migrated database per session (SQLite, or PostgreSQL from TEST_DATABASE_URL),
emptied after every test; app, client, CLI runner and a sign-in helper."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import g, request_started

from app import create_app
from app.extensions import db as _db
from config import TestConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SAMPLES = FIXTURES / "portal-samples"  # the portal captures, copied unchanged (SHA-256 as in their manifest)
PASSWORD = "matkhau-thu-nghiem"
# The instant the tests' demo is loaded at (services take the time; the demo's scores end the month before).
DEMO_NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)


def _postgres_url(base: str, schema: str) -> str:
    """The URL with a search path of one test schema, then public (where shared extensions live)."""
    if base.startswith("postgresql://"):
        base = "postgresql+psycopg://" + base[len("postgresql://"):]
    sep = "&" if "?" in base else "?"
    path = schema if schema == "public" else f"{schema},public"
    return f"{base}{sep}options={quote(f'-csearch_path={path}')}"


def ensure_shared_extensions(conn) -> None:
    """btree_gist (assignment overlap constraint) lives in public, so dropping a test schema never drops it
    from under another worker's tables."""
    conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"))
    where = conn.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'btree_gist'")).scalar()
    if where != "public":
        conn.execute(sa.text("ALTER EXTENSION btree_gist SET SCHEMA public"))


def pytest_configure(config):
    """TEST_CLOCK=2030-06-30 runs the suite as if that were today; a TEST_DATABASE_URL that is set but unreachable
    fails the whole run (never a silent skip)."""
    clock = os.environ.get("TEST_CLOCK")
    if clock:
        import time_machine

        moment = datetime.fromisoformat(clock)
        time_machine.travel(moment if moment.tzinfo else moment.replace(hour=9, tzinfo=UTC), tick=True).start()
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return
    engine = sa.create_engine(_postgres_url(base, "public"))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT 1"))
            if not hasattr(config, "workerinput"):  # once, in the controller, before any worker starts
                ensure_shared_extensions(conn)
    except Exception as exc:
        raise pytest.UsageError(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}") from None
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh, empty database for this session; fails the run if TEST_DATABASE_URL is unreachable."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin_url = _postgres_url(base, "public")
    engine = sa.create_engine(admin_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # set but unreachable: fail, never skip
        pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}", returncode=3)
    yield _postgres_url(base, schema)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _fresh_request_user(_sender, **_extra):
    g.pop("_login_user", None)


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    # demo signing keys (seed-demo) go to a temporary folder, never into the checkout's instance/
    config = type("SessionTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                       "SIGNING_DIR": str(tmp_path_factory.mktemp("keys"))})
    app = create_app(config)
    # The tests hold one application context, which Flask reuses for every test request, so `g` would carry one
    # client's signed-in user into another client's request: each request loads its user afresh, as in production.
    request_started.connect(_fresh_request_user, app, weak=False)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _empty_database():
    """Remove every row (the schema stays), then reinstall the default catalog."""
    from app.indicators.services import install_default_catalog

    _db.session.rollback()
    tables = [t for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # The audit trail refuses TRUNCATE (migration 0007): only the tests switch its triggers off, in this
        # transaction, as the table's owner.
        _db.session.execute(sa.text("ALTER TABLE audit_entry DISABLE TRIGGER USER"))
        _db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        _db.session.execute(sa.text("ALTER TABLE audit_entry ENABLE TRIGGER USER"))
    else:
        # The audit trail refuses DELETE (migration 0007): drop its triggers, empty it, put them back as they were.
        triggers = _db.session.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'")).all()
        for name, _sql in triggers:
            _db.session.execute(sa.text(f'DROP TRIGGER "{name}"'))
        for t in tables:
            _db.session.execute(t.delete())
        for _name, sql in triggers:
            _db.session.execute(sa.text(sql))
    install_default_catalog()
    _db.session.commit()


@pytest.fixture
def app(_app):
    with _app.app_context():
        _empty_database()
        yield _app
        _db.session.remove()


@pytest.fixture
def clock():
    """The wall clock stopped at DEMO_NOW (Vietnam: 15/11/2026 10:00), for tests through entry points (views, CLI)
    that read it; services take the time as a parameter and need no such fixture."""
    import time_machine

    with time_machine.travel(DEMO_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The Ninh Sơn demo, with every demo password set to PASSWORD."""
    from app.demo.services import load_demo

    load_demo(PASSWORD, now=DEMO_NOW)
    _db.session.commit()
    return app


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_unit(db):
    """Factory: a unit under `parent` (a code or a Unit)."""
    from app.org.services import create_unit, find_unit_by_code

    def make(code: str, name: str | None = None, kind: str = "department", parent=None):
        if isinstance(parent, str):
            parent = find_unit_by_code(parent)
        unit = create_unit(code=code, name=name or f"Đơn vị {code}", kind=kind, parent=parent)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_user(db):
    """Factory: an account in a unit (code or Unit)."""
    from app.auth.services import create_user
    from app.org.services import find_unit_by_code

    def make(username: str, unit, role: str = "officer", full_name: str | None = None, **kw):
        if isinstance(unit, str):
            unit = find_unit_by_code(unit)
        user = create_user(username=username, full_name=full_name or f"Cán bộ {username}", unit=unit, role=role,
                           password=PASSWORD, **kw)
        db.session.commit()
        return user

    return make
