"""The read API (`/api/v1/units…`, `/catalog`, `/plans…`, `/alerts`): GET only, JSON only, for a personal access
token (Bearer c766p_…) or the signed-in web session, with the caller's web rights (app.api.reads). Answers carry a
weak ETag (If-None-Match → 304); errors are problem+json; each caller is limited to API_RATE_LIMIT requests a minute.
Also the OpenAPI document and its reference page (public: they hold no data). Routes on the `api` blueprint."""

from __future__ import annotations

import hashlib
import json
import re
from functools import wraps

from flask import Response, current_app, g, render_template, request
from flask_login import current_user

from app.api import openapi, reads
from app.api.auth_views import REALM, problem, unauthorized
from app.api.views import TITLES, bp
from app.core.errors import Forbidden, NotFound
from app.core.time import now_utc, to_vn
from app.extensions import db

TITLES = {**TITLES, 304: "Không đổi", 429: "Quá nhiều yêu cầu"}
_ETAG = r'\s*(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"\s*'
IF_NONE_MATCH = re.compile(rf"\s*\*\s*|{_ETAG}(?:,{_ETAG})*")


def _fail(error: reads.ApiError):
    return problem(error.status, error.slug, TITLES.get(error.status, "Lỗi"), error.detail)


def _caller():
    """(user, rate-limit key) of the request, or a problem answer."""
    from app.api import personal

    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, credentials = header.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            return unauthorized("Tiêu đề Authorization phải có dạng: Bearer <mã truy cập cá nhân>.", invalid=True)
        if credentials.startswith("c766_"):
            return problem(403, "ma-cua-don-vi", TITLES[403], "Mã truy cập của đơn vị chỉ dùng để gửi và đọc hồ sơ "
                           "(/api/v1/dossiers). Để đọc dữ liệu, tạo mã truy cập cá nhân ở trang Tài khoản của tôi.")
        token = personal.authenticate(credentials, now=now_utc())
        if token is None:
            db.session.commit()  # a refused known token is audited
            return unauthorized("Mã truy cập không hợp lệ, đã bị thu hồi hoặc đã hết hạn.", invalid=True)
        return token.user, f"token:{token.id}"
    if getattr(current_user, "is_authenticated", False):
        return current_user._get_current_object(), f"user:{current_user.id}"
    return unauthorized("Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <mã truy cập cá nhân>, tạo ở trang "
                        "Tài khoản của tôi.", invalid=False)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def reader(view):
    """Authenticate, count against the rate limit, run the view (which returns a schema object), answer JSON with a
    weak ETag, or 304 when If-None-Match names it."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from app.api.ratelimit import hit

        caller = _caller()
        if isinstance(caller, Response):
            return caller
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None and not IF_NONE_MATCH.fullmatch(if_none_match):
            return problem(400, "if-none-match-khong-hop-le", TITLES[400], "Tiêu đề If-None-Match không hợp lệ: "
                           'gửi lại đúng ETag đã nhận (ví dụ W/"…"), hoặc bỏ tiêu đề này.')
        user, key = caller
        wait = hit(key, limit=current_app.config["API_RATE_LIMIT"], now=now_utc())
        if wait is not None:
            return problem(429, "qua-nhieu-yeu-cau", TITLES[429], f"Quá {current_app.config['API_RATE_LIMIT']} yêu "
                           f"cầu mỗi phút với mã truy cập này: thử lại sau {wait} giây.",
                           headers={"Retry-After": str(wait)})
        g.api_user = user
        try:
            result = view(user, *args, **kwargs)
        except reads.ApiError as error:
            return _fail(error)
        except NotFound as error:
            db.session.rollback()
            return problem(404, "khong-tim-thay", TITLES[404], error.message)
        except Forbidden as error:
            db.session.rollback()
            return problem(403, "khong-co-quyen", TITLES[403], error.message)
        body = json.dumps(result.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
        etag = 'W/"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
        if if_none_match is not None and _etag_matches(if_none_match, etag):
            return Response(status=304, headers=headers)
        return Response(body, status=200, mimetype="application/json", headers=headers)

    return wrapped


def _today():
    return to_vn(now_utc()).date()


def _limit():
    return reads.limit_of(request.args.get("limit"))


@bp.get("/units")
@reader
def read_units(user):
    return reads.units(user, limit=_limit(), cursor=request.args.get("cursor"))


@bp.get("/units/<int:unit_id>")
@reader
def read_unit(user, unit_id: int):
    return reads.unit(user, unit_id)


@bp.get("/catalog")
@reader
def read_catalog(user):
    return reads.catalog(on=reads.date_of(request.args.get("on"), today=_today()))


@bp.get("/plans")
@reader
def read_plans(user):
    return reads.plans(user, limit=_limit(), cursor=request.args.get("cursor"))


@bp.get("/plans/<int:plan_id>/assignments")
@reader
def read_assignments(user, plan_id: int):
    on = reads.date_of(request.args.get("on"), today=_today())
    return reads.assignments(user, plan_id, on=on, limit=_limit(), cursor=request.args.get("cursor"))


@bp.get("/units/<int:unit_id>/scorecard")
@reader
def read_scorecard(user, unit_id: int):
    return reads.scorecard(user, unit_id, request.args.get("period"), today=_today())


@bp.get("/units/<int:unit_id>/series")
@reader
def read_series(user, unit_id: int):
    return reads.series(user, unit_id, request.args.get("period"), today=_today())


@bp.get("/units/<int:unit_id>/ranks")
@reader
def read_ranks(user, unit_id: int):
    return reads.ranks(user, unit_id, request.args.get("period"), today=_today())


@bp.get("/units/<int:unit_id>/red")
@reader
def read_red(user, unit_id: int):
    return reads.red(user, unit_id, request.args.get("period"), today=_today())


@bp.get("/units/<int:unit_id>/dossier-stats")
@reader
def read_dossier_stats(user, unit_id: int):
    return reads.dossier_stats(user, unit_id, request.args.get("period"), now=now_utc(), today=_today(),
                               soon_days=current_app.config["DOSSIER_DUE_SOON_DAYS"])


@bp.get("/alerts")
@reader
def read_alerts(user):
    flag = request.args.get("include_resolved", "false").lower()
    if flag not in ("true", "false", "1", "0"):
        raise reads.ApiError(400, "tham-so-khong-hop-le", "include_resolved phải là true hoặc false.")
    return reads.alerts(user, include_resolved=flag in ("true", "1"), limit=_limit(), cursor=request.args.get("cursor"))


@bp.get("/openapi.json")
def openapi_document():
    return Response(json.dumps(openapi.document(), ensure_ascii=False), mimetype="application/json")


@bp.get("/docs")
def reference():
    """The reference page: every operation, its parameters and answer schemas, from the same document."""
    doc = openapi.document()
    return render_template("api/reference.html", doc=doc, operations=openapi.OPERATIONS, realm=REALM)
