"""Security headers on every response: a Content-Security-Policy without inline script or style, no framing,
no MIME sniffing, a same-origin referrer; HSTS in production; pages for a signed-in user are never cached.

One exception per view, made here: `framable_by(origins)` lets a view be framed by the origins its callable names
(frame-ancestors in the CSP, and no X-Frame-Options to contradict it); nothing else may be framed."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, Response, current_app, request, session

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# An origin as a CSP source may name it: scheme, host, optional port (nothing that could end the directive).
ORIGIN_RE = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def framable_by(origins: Callable[[], str]):
    """Mark a view as framable by the space-separated origins `origins()` returns at request time (empty or none
    valid: 'none'). Put it directly under the route decorator."""

    def decorator(view):
        view.frame_ancestors = origins
        return view

    return decorator


def frame_ancestors(text: str) -> str:
    """The CSP frame-ancestors sources for a configured list: valid origins only, else 'none'."""
    valid = [o.rstrip("/") for o in (text or "").split() if ORIGIN_RE.fullmatch(o.rstrip("/"))]
    return " ".join(dict.fromkeys(valid)) or "'none'"


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    view = current_app.view_functions.get(request.endpoint or "")
    origins = getattr(view, "frame_ancestors", None)
    for name, value in HEADERS.items():
        if origins is not None and name == "X-Frame-Options":
            continue  # frame-ancestors decides (X-Frame-Options cannot name several origins)
        if origins is not None and name == "Content-Security-Policy":
            value = value.replace("frame-ancestors 'none'", f"frame-ancestors {frame_ancestors(origins())}")
        response.headers.setdefault(name, value)
    if current_app.config.get("PRODUCTION"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and "_user_id" in session:
        # Personal data: neither the browser nor a proxy keeps a copy (the back button after sign-out shows nothing).
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Pragma", "no-cache")
    return response
