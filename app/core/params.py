"""Reading request parameters safely."""

from __future__ import annotations

from flask import abort, request

MAX_ID = 2**31 - 1


def arg_id(name: str) -> int | None:
    """A database id from the query string; None when absent, 404 when it is not one (never a database error)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        abort(404)
    return int(raw)
