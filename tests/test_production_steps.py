"""The README's "Production deployment" commands, run as written: migrate a fresh database, `flask setup`, serve
with two gunicorn workers in production mode, then sign in as the new admin over HTTP.

Runs on a temporary SQLite file, or on a new PostgreSQL database when TEST_DATABASE_URL is set (both passes of
`make test`); it never skips.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parents[1]
ADMIN_PASSWORD = "mat-khau-quan-tri-766"
# The block's two install lines create .venv and install the app into it. `make test` has already installed the
# app into this checkout's .venv (pip install -e '.[dev]'), which the block's `. .venv/bin/activate` then uses;
# re-running them would rebuild the environment the suite itself runs in and need the network. So exactly these
# two lines are left out (the test fails if they change or disappear); every other line runs as written.
INSTALL_LINES = ("python3 -m venv .venv", ".venv/bin/pip install .")
# Settings the block must get from this test, never from the environment the suite happens to run in.
CLEARED = ("DATABASE_URL", "SECRET_KEY", "SETUP_ADMIN_PASSWORD", "PORT", "SESSION_COOKIE_SECURE", "VIRTUAL_ENV",
           "DEMO_PASSWORD", "SCORE_BANDS", "RED_DROP_POINTS")


def production_steps() -> tuple[list[str], str]:
    """The README block's commands without the install lines, and the gunicorn line (the last one) apart."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- production-steps -->\s*```(?:bash|sh)\n(.*?)```\s*<!-- /production-steps -->", readme,
                      re.S)
    assert found, "README.md has no <!-- production-steps --> ... <!-- /production-steps --> block"
    commands = [line for line in found.group(1).replace("\\\n", " ").splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    for line in INSTALL_LINES:
        assert line in commands, f"the production steps no longer install with {line!r}"
    commands = [line for line in commands if line not in INSTALL_LINES]
    assert commands[-1].startswith("gunicorn "), "the production steps end by serving with gunicorn"
    assert not any(line.startswith("gunicorn ") for line in commands[:-1])
    return commands[:-1], commands[-1]


@pytest.fixture
def production_database(tmp_path):
    """A new, empty database: a dedicated PostgreSQL database (dropped afterwards), else a SQLite file."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'chiso766.db'}"
        return
    url = sa.make_url(base).set(drivername="postgresql+psycopg")
    name = f"chiso766_prodtest_{secrets.token_hex(5)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, form: dict | None = None, cookies: dict | None = None):
    """One HTTP request; cookies are sent by hand (production cookies are Secure, a client would keep them back)."""
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8")
    finally:
        conn.close()


def set_cookies(headers) -> dict[str, tuple[str, set[str]]]:
    """name → (value, lower-case attributes) of every Set-Cookie header."""
    out = {}
    for header in headers.get_all("Set-Cookie") or []:
        first, *attributes = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        out[name] = (value, {a.lower() for a in attributes})
    return out


def test_readme_production_steps_serve_and_sign_in(production_database, tmp_path):
    steps, serve = production_steps()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in CLEARED and not k.startswith(("FLASK_", "GUNICORN"))}
    env.update(DATABASE_URL=production_database, SECRET_KEY=secrets.token_hex(32), SETUP_ADMIN_PASSWORD=ADMIN_PASSWORD,
               PORT=str(port))
    script = "\n".join(["set -euo pipefail", *steps, f"exec {serve}"])
    log_path = tmp_path / "production-steps.log"
    log = log_path.open("w")
    server = subprocess.Popen(["bash", "-c", script], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"the production steps stopped (exit {server.returncode}):\n{log_path.read_text()}")
            try:
                status, _, body = request(port, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /healthz:\n{log_path.read_text()}")
            time.sleep(0.2)
        assert '"database":"ok"' in body.replace(" ", "")
        output = log_path.read_text()
        assert "Đã tạo đơn vị gốc H44 — UBND tỉnh Phú Thọ (Tỉnh)." in output
        assert "Đã tạo tài khoản quản trị admin (Quản trị hệ thống)." in output

        # Sign-in form: the CSRF token sits in the form and in the session cookie.
        status, headers, page = request(port, "GET", "/login")
        assert status == 200
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        session, attributes = set_cookies(headers)["session"]
        assert "secure" in attributes and "httponly" in attributes

        form = {"csrf_token": token, "username": "admin", "password": "sai-mat-khau"}
        status, _, _ = request(port, "POST", "/login", form=form, cookies={"session": session})
        assert status == 401  # a wrong password is refused: the successful sign-in below proves something

        form["password"] = ADMIN_PASSWORD
        status, headers, _ = request(port, "POST", "/login", form=form, cookies={"session": session})
        assert status == 302 and headers["Location"] in ("/", f"http://127.0.0.1:{port}/")
        cookies = set_cookies(headers)
        session, attributes = cookies["session"]
        assert {"secure", "httponly", "samesite=lax"} <= attributes
        assert "remember_token" not in cookies  # no remember-me: sessions end on the server (idle, absolute timeouts)

        status, headers, page = request(port, "GET", "/", cookies={"session": session})
        assert status == 200 and "Quản trị hệ thống" in page
        assert headers["Strict-Transport-Security"].startswith("max-age=") and headers["Cache-Control"] == "no-store"
        session = set_cookies(headers).get("session", (session,))[0]  # the page's new CSRF token is in the session
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _, _ = request(port, "POST", "/logout", form={"csrf_token": token}, cookies={"session": session})
        assert status == 302
        status, _, _ = request(port, "GET", "/admin/units", cookies={"session": session})
        assert status == 302  # the cookie as it was before sign-out no longer works
        # One JSON line per request on gunicorn's stdout (app/core/logs.py), none from gunicorn's own access log.
        requests = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith('{"time"')]
        assert any(r["path"] == "/" and r["status"] == 200 and r["user"] == "admin" for r in requests), requests
        assert any(r["path"] == "/login" and r["status"] == 401 and r["user"] == "-" for r in requests)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # the session started above: gunicorn's master and its workers
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()
