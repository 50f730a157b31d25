"""Reading request parameters safely."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import abort, request

MAX_ID = 2**31 - 1


def safe_next(target: str | None) -> str | None:
    """A `next` address to follow after an action (sign-in, acknowledging an alert...): a path of this site, else
    None. Refused: another scheme or host ("https://x", "//x", a backslash), whitespace, and control characters even
    percent-encoded (browsers drop a tab or newline, so "/<tab>/x.com" would become "//x.com")."""
    if not target or len(target) > 2000:
        return None
    if any(ch.isspace() for ch in target):
        return None
    for text in (target, unquote(target)):
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text) or "\\" in text:
            return None
        if not text.startswith("/") or text.startswith("//"):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def arg_id(name: str) -> int | None:
    """A database id from the query string; None when absent, 404 when it is not one (never a database error)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        abort(404)
    return int(raw)
