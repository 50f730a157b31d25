"""Browser fixtures: the real app served on 127.0.0.1 (a fresh migrated database with the Ninh Sơn demo, its demo
signing keys in a temporary folder) and Debian's Chromium driven by Playwright, headless, with every request off
127.0.0.1 blocked and recorded. Chromium or Playwright missing fails the tests with the command to install them."""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.serving import WSGIRequestHandler

from app import create_app
from app.extensions import db as _db
from config import TestConfig
from tests.conftest import PASSWORD, _postgres_url

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "app" / "static" / "screenshots"
WIDTHS = (1280, 390)


@dataclass
class LiveServer:
    app: object
    url: str
    offsite: list[str] = field(default_factory=list)  # requests the browser tried to send off 127.0.0.1


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request would drown the test output
        pass


@pytest.fixture(scope="module")
def live_database(tmp_path_factory):
    """A database of its own (never the suite's shared one, which other tests empty): a fresh SQLite file, or a
    fresh PostgreSQL schema when TEST_DATABASE_URL is set."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'live.db'}"
        return
    schema = f"b_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(_postgres_url(base, "public"))
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield _postgres_url(base, schema)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="module")
def live_server(live_database, tmp_path_factory):
    """The real app, migrated, with the demo as of now (the server reads the clock), on a free port."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app.core.time import now_utc
    from app.demo import data
    from app.demo.keys import ensure_demo_keys
    from app.demo.services import load_demo

    keys = tmp_path_factory.mktemp("browser-keys")
    config = type("BrowserTestConfig", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": live_database,
        "SIGNING_DIR": str(keys),
        "WTF_CSRF_ENABLED": True,  # the browser posts the real forms, tokens included
        "TESTING": False,
    })
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_demo(PASSWORD, now=now_utc(), with_scores=True)
        _db.session.commit()
        chair = next(o for o in data.OFFICERS if o[4] == "chair")
        ensure_demo_keys(keys, chair=(chair[0], chair[1]), unit=data.DISTRICT[:2], now=now_utc())
        _db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless; never a downloaded browser build."""
    assert os.access(CHROMIUM, os.X_OK), (
        f"Không tìm thấy Chromium ở {CHROMIUM}: cài bằng `apt-get install -y chromium` (gói Debian, có trong "
        ".ci/system-packages); các kiểm thử trên trình duyệt không tải trình duyệt về.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - `make test` installs '.[dev]'
        pytest.fail("Thiếu gói Python playwright: chạy `make test` (cài '.[dev]'); không chạy `playwright install`.")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                           "--disable-component-update", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) at 1280 px whose requests may only go to the live server."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale="vi-VN",
                                  base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(60_000)  # generous: signing renders a PDF, and CI machines can be loaded

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            live_server.offsite.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    problems: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda exc: problems.append(f"JavaScript: {exc}"))
    pg.on("response", lambda r: r.status >= 500 and problems.append(f"HTTP {r.status}: {r.url}"))
    yield pg
    context.close()
    assert not live_server.offsite, f"the browser tried to leave 127.0.0.1: {live_server.offsite}"
    assert not problems, problems


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Through the real sign-in form."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> None:
    """With UPDATE_SCREENSHOTS=1: the first screen of the page at 1280 px and 390 px (900 px high) into app/static/screenshots/<name>-<width>.png."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))  # the first screen, as a user lands
    page.set_viewport_size(size)

