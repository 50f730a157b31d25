"""The embed in a real browser: a page from an allowed origin (another port of 127.0.0.1) shows it in an iframe; a
page from any other origin gets the frame refused by the embed's frame-ancestors."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def host_page(embed_url: str):
    """A tiny server of another origin whose only page iframes the embed."""
    body = (f'<!doctype html><html><body><h1>Cổng thông tin tỉnh</h1>'
            f'<iframe id="e" src="{embed_url}" width="360" height="240" title="Chỉ số 766"></iframe>'
            f'</body></html>').encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def portals(live_server):
    """(allowed origin, other origin): two host pages; only the first is in PUBLIC_EMBED_ORIGINS."""
    embed = f"{live_server.url}/cong-khai/NS/nhung"
    allowed, allowed_url = host_page(embed)
    other, other_url = host_page(embed)
    live_server.app.config["PUBLIC_EMBED_ORIGINS"] = allowed_url
    yield allowed_url, other_url
    live_server.app.config["PUBLIC_EMBED_ORIGINS"] = ""
    for server in (allowed, other):
        server.shutdown()
        server.server_close()


def embedded_text(page) -> str:
    page.wait_for_load_state("load")
    frame = next((f for f in page.frames if f is not page.main_frame), None)
    assert frame is not None
    try:
        return frame.locator("body").inner_text(timeout=5_000)
    except Exception:  # a refused frame holds Chromium's error page, or nothing
        return ""


def test_embed_renders_from_an_allowed_origin_and_is_refused_from_others(page, portals):
    allowed_url, other_url = portals
    page.goto(allowed_url)
    text = embedded_text(page)
    assert "UBND huyện Ninh Sơn" in text and "/ 100" in text

    page.goto(other_url)  # the same host page, the same iframe: only the origin differs
    assert "UBND huyện Ninh Sơn" not in embedded_text(page)
