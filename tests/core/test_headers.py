"""Security headers on every response; HSTS only in production; signed-in pages are never cached; no page needs
inline style or script (the CSP forbids them); production refuses unsafe cookie settings."""

import re
import secrets

import pytest

from app import create_app
from app.core.headers import CSP
from config import ProductionConfig

BASE = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/app.css", "/khong-co-trang-nay"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()
    for name, value in BASE.items():
        assert response.headers[name] == value
    assert "frame-ancestors 'none'" in CSP and "'unsafe-inline'" not in CSP
    assert "Permissions-Policy" in response.headers
    assert "Strict-Transport-Security" not in response.headers  # development and tests: plain HTTP
    if path != "/healthz":  # the health check is never cached (a monitor must see the state now)
        assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/profile", "/alerts/", "/documents/", "/scores/overview", "/admin/users",
                                  "/units", "/assignments/", "/indicators", "/dossiers/stats"])
def test_signed_in_pages_are_not_cached_and_have_no_inline_style_or_script(demo, client, auth, path):
    auth.login("admin")
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert not re.search(r"\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=", page), path


def test_hsts_in_production():
    app = create_app(type("P", (ProductionConfig,), {"SECRET_KEY": secrets.token_hex(32),
                                                     "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("SESSION_COOKIE_SECURE", False, "SESSION_COOKIE_SECURE đang tắt"),
    ("SESSION_COOKIE_HTTPONLY", False, "SESSION_COOKIE_HTTPONLY đang tắt"),
    ("SESSION_COOKIE_SAMESITE", None, "SESSION_COOKIE_SAMESITE là None"),
    ("REMEMBER_COOKIE_SECURE", False, "REMEMBER_COOKIE_SECURE đang tắt"),
])
def test_production_refuses_unsafe_cookies(setting, value, named):
    config = type("P", (ProductionConfig,), {"SECRET_KEY": secrets.token_hex(32), "SQLALCHEMY_DATABASE_URI": "sqlite://",
                                             setting: value})
    with pytest.raises(RuntimeError, match=named):
        create_app(config)
