"""Bearer-token authentication for the API views (a session cookie is never looked at) and their JSON problem answers.

Errors are `application/problem+json` (RFC 9457): type, title, status and a Vietnamese detail.
"""

from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request

from app.core.time import now_utc
from app.extensions import db

REALM = 'Bearer realm="chiso766"'


def problem(status: int, slug: str, title: str, detail: str, *, headers: dict | None = None, **extra):
    """A JSON error answer: {"type", "title", "status", "detail", ...extra}."""
    response = jsonify({"type": f"urn:chiso766:problem:{slug}", "title": title, "status": status, "detail": detail,
                        **extra})
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers.update(headers or {})
    return response


def unauthorized(detail: str, *, invalid: bool):
    challenge = f'{REALM}, error="invalid_token"' if invalid else REALM
    return problem(401, "chua-xac-thuc", "Chưa xác thực", detail, headers={"WWW-Authenticate": challenge})


def token_required(view):
    """Only a request with `Authorization: Bearer <token>` of a live token reaches the view (as `g.api_token`)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from app.api.services import authenticate_token

        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return unauthorized("Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <mã truy cập của đơn vị>.",
                                invalid=False)
        token = authenticate_token(credentials.strip(), now=now_utc())
        if token is None:
            db.session.commit()  # a refused known token is audited
            return unauthorized("Mã truy cập không hợp lệ, đã bị thu hồi hoặc đã hết hạn.", invalid=True)
        g.api_token = token
        return view(*args, **kwargs)

    return wrapped
