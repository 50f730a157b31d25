"""Operability: /healthz proves the database takes a write and reports the scheduler's heartbeat; error pages render
in Vietnamese without the database, for signed-in users too; one JSON log line per request."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db as _db
from config import TestConfig
from tests.conftest import DEMO_NOW

# Databases that cannot be used at all: a SQLite file in a folder that does not exist, a PostgreSQL port nobody
# listens on. Both fail on connect with an OperationalError.
UNREACHABLE = ["sqlite:////nonexistent-folder-766/chiso766.db",
               "postgresql+psycopg://postgres@127.0.0.1:1/chiso766?connect_timeout=2"]
WERKZEUG_WORDS = ("Internal Server Error", "Traceback", "werkzeug", "The server encountered")


def app_on(url: str):
    return create_app(type("OtherDatabase", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


@pytest.fixture
def readonly_sqlite(tmp_path):
    """An app on a migrated SQLite file with one account, opened read-only (as SQLite does when it may not write the
    file: the tests run as root, which ignores file modes, so the file is also opened with mode=ro)."""
    from flask_migrate import upgrade

    path = tmp_path / "chiso766.db"
    writable = app_on(f"sqlite:///{path}")
    with writable.app_context():
        upgrade()
        from app.auth.services import create_user
        from app.org.services import create_unit

        unit = create_unit(code="NS", name="UBND huyện Ninh Sơn", kind="district", parent=None)
        create_user(username="yenntk", full_name="Nguyễn Thị Kim Yến", unit=unit, role="officer",
                    password="matkhau-766")
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    path.chmod(0o444)
    app = app_on(f"sqlite:///file:{path}?mode=ro&uri=true")
    yield app
    with app.app_context():
        _db.engine.dispose()


def test_healthz_writes_and_answers_ok_with_the_scheduler_unknown_before_its_first_beat(client, db):
    from app.main.models import Heartbeat

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded", "database": "ok", "scheduler": "unknown"}
    assert db.session.get(Heartbeat, "healthz") is not None  # the write really happened


@pytest.mark.parametrize(("age", "scheduler", "status"), [
    (timedelta(seconds=30), "ok", "ok"),
    (timedelta(seconds=299), "ok", "ok"),
    (timedelta(minutes=6), "stale", "degraded"),
    (timedelta(hours=3), "stale", "degraded"),
])
def test_healthz_reports_a_stale_scheduler_but_stays_200(client, db, clock, age, scheduler, status):
    from app.main.health import SCHEDULER, beat

    beat(SCHEDULER, now=DEMO_NOW - age)
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["scheduler"], body["status"], body["database"]) == (scheduler, status, "ok")
    assert body["scheduler_beat_at"].startswith((DEMO_NOW - age).isoformat()[:19])


def test_the_scheduler_heartbeat_job_beats_and_is_in_the_job_list(app, db):
    from app.main.models import Heartbeat
    from app.scheduler import jobs

    job = next(j for j in jobs() if j.id == "heartbeat")
    assert job.args == {"minutes": 1}
    job.func(now=DEMO_NOW)
    job.func(now=DEMO_NOW + timedelta(minutes=1))  # twice: one row, moved on
    assert db.session.scalars(sa.select(Heartbeat.beat_at).where(Heartbeat.name == "scheduler")).all() == [
        DEMO_NOW + timedelta(minutes=1)]


def test_healthz_is_503_when_the_sqlite_file_is_read_only_and_sign_in_fails_clearly(readonly_sqlite):
    client = readonly_sqlite.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error", "scheduler": "unknown",
                                   "problem": "OperationalError"}
    signin = client.post("/login", data={"username": "yenntk", "password": "matkhau-766"})
    assert signin.status_code == 503
    page = signin.get_data(as_text=True)
    assert "Hệ thống tạm thời gián đoạn" in page and not any(w in page for w in WERKZEUG_WORDS)


@pytest.mark.parametrize("url", UNREACHABLE)
def test_healthz_is_503_without_a_trace_when_the_database_is_unreachable(url):
    client = app_on(url).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "error"
    assert not any(w in response.get_data(as_text=True) for w in WERKZEUG_WORDS)


@pytest.mark.parametrize("url", UNREACHABLE)
@pytest.mark.parametrize(("path", "code", "title"), [
    ("/", 503, "Hệ thống tạm thời gián đoạn"),
    ("/alerts/", 503, "Hệ thống tạm thời gián đoạn"),
    ("/khong-co-trang-nay", 503, "Hệ thống tạm thời gián đoạn"),  # the session cannot be checked before routing
])
def test_error_pages_render_in_vietnamese_for_a_signed_in_user_when_the_database_is_down(url, path, code, title):
    client = app_on(url).test_client()
    with client.session_transaction() as session:  # a signed-in session cookie: the user loader needs the database
        session["_user_id"] = "1"
        session["_fresh"] = True
        session["sid"] = "s" * 43  # the server-side session (app/auth/guards.py) is looked up first
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert f"{code} · {title}" in page and '<html lang="vi">' in page
    assert not any(w in page for w in WERKZEUG_WORDS)


def test_a_404_for_a_signed_in_user_keeps_the_site_layout_when_the_database_is_up(client, make_unit, make_user, auth):
    make_user("yenntk", make_unit("NS", kind="district"))
    auth.login("yenntk")
    page = client.get("/khong-co-trang-nay").get_data(as_text=True)
    assert "404 · Không tìm thấy" in page and "Đăng xuất" in page


@pytest.fixture
def request_log(app, caplog, monkeypatch):
    from app.core.logs import LOGGER

    monkeypatch.setitem(app.config, "LOG_REQUESTS", True)
    logger = logging.getLogger(LOGGER)
    logger.addHandler(caplog.handler)  # the request logger does not propagate (gunicorn would print it twice)
    monkeypatch.setattr(logger, "level", logging.INFO)
    monkeypatch.setattr(logger, "propagate", False)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_one_json_line_per_request_with_user_route_status_and_time(client, make_unit, make_user, auth, request_log):
    from app.core.logs import JsonFormatter

    user = make_user("yenntk", make_unit("NS", kind="district"))
    auth.login("yenntk")
    request_log.clear()
    response = client.get("/", headers={"X-Request-ID": "abc-123"})
    client.get("/khong-co-trang-nay")
    assert response.headers["X-Request-ID"] == "abc-123"
    lines = [r for r in request_log.records if r.name == "app.requests"]
    assert len(lines) == 2
    first, second = (json.loads(JsonFormatter().format(r)) for r in lines)
    assert {k: first[k] for k in ("method", "path", "endpoint", "status", "user_id", "user", "request_id")} == {
        "method": "GET", "path": "/", "endpoint": "main.index", "status": 200, "user_id": user.id, "user": "yenntk",
        "request_id": "abc-123"}
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert first["remote_addr"] == "127.0.0.1" and first["time"].endswith("Z")
    assert (second["status"], second["endpoint"], second["user"]) == (404, "-", "yenntk")
    assert len(second["request_id"]) == 32  # made up when the proxy sends none


def test_anonymous_and_failed_requests_are_logged_too(request_log):
    app = app_on(UNREACHABLE[0])
    app.config["LOG_REQUESTS"] = True
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "7"
        session["sid"] = "s" * 43
    client.get("/")
    client.get("/healthz")
    lines = [r.fields for r in request_log.records if r.name == "app.requests"]
    assert [(line["path"], line["status"], line["user_id"], line["user"]) for line in lines] == [
        ("/", 503, 7, "-"), ("/healthz", 503, 7, "-")]


def test_request_logs_are_on_in_production_only_by_default():
    import config

    assert config.ProductionConfig.LOG_REQUESTS is True or config.os.environ.get("LOG_REQUESTS") == "0"
    assert config.TestConfig.LOG_REQUESTS is False or config.os.environ.get("LOG_REQUESTS") == "1"
