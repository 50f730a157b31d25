"""Structured request logs: one JSON line per request on stdout (time, method, path, endpoint, status, duration,
user, client address, request id), for gunicorn and whatever collects its output.

`init_app` wires it; the lines are written when `LOG_REQUESTS` is on (production, or LOG_REQUESTS=1). The user is
the one the request already loaded (remembered by `remember_user` in the user loader): logging never queries the
database, so a request that failed because the database is down is logged too.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request, session

LOGGER = "app.requests"
log = logging.getLogger(LOGGER)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class JsonFormatter(logging.Formatter):
    """The record's `fields` (a dict) as one JSON line; other records as {"time", "level", "logger", "message"}."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        if fields is None:
            fields = {"time": _iso(record.created), "level": record.levelname.lower(), "logger": record.name,
                      "message": record.getMessage()}
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def configure(stream=None) -> logging.Logger:
    """Give the request logger its own stdout handler once per process (create_app may run many times)."""
    if not any(getattr(h, "_chiso766", False) for h in log.handlers):
        handler = logging.StreamHandler(stream or sys.stdout)
        handler.setFormatter(JsonFormatter())
        handler._chiso766 = True
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # gunicorn's or the root logger's handlers would print each line a second time
    return log


def remember_user(_sender=None, user=None, **_signal) -> None:
    """Called by the user loader and on sign-in: the id and username of this request's user, for its log line."""
    if user is not None:
        g.log_user = (user.id, user.username)


def forget_user(*_args, **_signal) -> None:
    g.pop("log_user", None)


def init_app(app: Flask) -> None:
    from flask_login import user_logged_in, user_logged_out

    if app.config.get("LOG_REQUESTS"):
        configure()
    user_logged_in.connect(remember_user, app)
    user_logged_out.connect(forget_user, app)

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _log(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if app.config.get("LOG_REQUESTS"):
            log.info("request", extra={"fields": request_fields(response.status_code)})
        return response


def request_fields(status: int) -> dict:
    """The log line of the current request (no database access)."""
    started = g.get("request_started")
    user_id, username = g.get("log_user") or (session.get("_user_id") or None, None)
    return {
        "time": _iso(time.time()),
        "level": "info",
        "event": "request",
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint or "-",
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": int(user_id) if str(user_id or "").isdigit() else "-",
        "user": username or "-",
        "remote_addr": request.remote_addr or "-",
        "request_id": g.get("request_id") or "-",
    }
