"""JSON API for other systems (`/api/v1`): token-authenticated, CSRF-exempt (no cookie is ever accepted here).

`POST /dossiers` upserts one dossier or a list of them (≤ 1,000, body ≤ 2 MB), all or nothing; `GET
/dossiers/<code>` reads one inside the token's tree. Each request commits once.
"""

from __future__ import annotations

import json

from flask import Blueprint, g, jsonify, request
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from app.api.auth_views import problem, token_required
from app.core.errors import DomainError
from app.core.text import nfc
from app.core.time import now_utc, to_vn
from app.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_BODY = 2 * 1024 * 1024
OUTCOMES = {"new": "tao_moi", "changed": "cap_nhat", "unchanged": "khong_doi"}
TITLES = {400: "Yêu cầu không hợp lệ", 401: "Chưa xác thực", 403: "Không có quyền", 404: "Không tìm thấy",
          405: "Phương thức không được hỗ trợ", 409: "Xung đột dữ liệu", 413: "Nội dung quá lớn",
          422: "Dữ liệu không hợp lệ", 500: "Lỗi máy chủ"}


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    code = error.code or 500
    return problem(code, f"http-{code}", TITLES.get(code, "Lỗi"), TITLES.get(code, "Lỗi") + ".")


@bp.errorhandler(IntegrityError)
def conflict(_error):
    from app.dossiers.services import CONCURRENT

    db.session.rollback()
    return problem(409, "xung-dot", TITLES[409], CONCURRENT)


@bp.errorhandler(OperationalError)
def busy(_error):
    """SQLite lets one writer at a time (and a database may be briefly unreachable): ask to send again."""
    db.session.rollback()
    return problem(503, "co-so-du-lieu-ban", "Tạm thời không ghi được", "Cơ sở dữ liệu đang bận hoặc tạm thời không "
                   "truy cập được: không ghi hồ sơ nào. Hãy gửi lại sau ít phút.", headers={"Retry-After": "30"})


def _too_large(detail: str):
    return problem(413, "qua-lon", TITLES[413], detail)


def _records():
    """The request's records (a list), or a problem answer."""
    if (request.content_length or 0) > MAX_BODY:
        return _too_large("Nội dung tối đa 2 MB mỗi yêu cầu: chia danh sách hồ sơ thành nhiều lần gửi.")
    request.max_content_length = MAX_BODY  # also for bodies sent without Content-Length
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return _too_large("Nội dung tối đa 2 MB mỗi yêu cầu: chia danh sách hồ sơ thành nhiều lần gửi.")
    try:
        body = nfc(json.loads(raw))  # Vietnamese text stored NFC whatever form the caller sent
    except (ValueError, RecursionError):
        return problem(400, "khong-phai-json", TITLES[400], "Nội dung không phải JSON hợp lệ (UTF-8): gửi một hồ sơ "
                                                            "{…} hoặc danh sách hồ sơ […].")
    records = [body] if isinstance(body, dict) else body
    if not isinstance(records, list):
        return problem(400, "sai-cau-truc", TITLES[400], "Nội dung phải là một hồ sơ {…} hoặc danh sách hồ sơ […].")
    if not records:
        return problem(422, "danh-sach-rong", TITLES[422], "Danh sách hồ sơ rỗng.", loi=[])
    if len(records) > 1_000:
        return _too_large(f"Tối đa 1.000 hồ sơ mỗi yêu cầu; yêu cầu này có {len(records)}.")
    return records


def _rollback_keeping_last_use() -> None:
    """Nothing of a refused request is written, except when its token was last used."""
    moment = g.api_token.last_used_at
    db.session.rollback()
    g.api_token.last_used_at = moment
    db.session.commit()


@bp.post("/dossiers")
@token_required
def upsert_dossiers():
    from app.api.services import upsert_records

    records = _records()
    if not isinstance(records, list):
        db.session.commit()  # the token's last use
        return records
    try:
        result = upsert_records(records, token=g.api_token, now=now_utc(), source=request.args.get("source"))
    except DomainError as exc:
        _rollback_keeping_last_use()
        return problem(400, "nguon-khong-hop-le", TITLES[400], exc.message)
    if not result.ok:
        _rollback_keeping_last_use()
        errors = [{"vi_tri": e.row, "MaHoSo": e.record, "truong": e.column, "thong_bao": e.message}
                  for e in result.errors]
        outside = [e for e in result.errors if e.code == "outside_tree"]
        if outside:
            names = sorted({f"«{e.record}»" for e in outside})
            codes = ", ".join(names[:5]) + (f" và {len(names) - 5} hồ sơ khác" if len(names) > 5 else "")
            return problem(403, "ngoai-pham-vi", TITLES[403], f"Hồ sơ {codes} thuộc đơn vị ngoài phạm vi của mã truy "
                                                              "cập: không ghi hồ sơ nào.", loi=errors)
        return problem(422, "ho-so-khong-hop-le", TITLES[422], f"{result.errors.count} lỗi: không ghi hồ sơ nào. "
                                                               "Sửa các trường được nêu rồi gửi lại.",
                       loi=errors, so_loi=result.errors.count)
    db.session.commit()
    return jsonify({"tao_moi": result.new, "cap_nhat": result.changed, "khong_doi": result.unchanged,
                    "ho_so": [{"MaHoSo": code, "ket_qua": OUTCOMES[kind]} for _row, code, kind in result.outcomes]})


@bp.get("/dossiers/<path:code>")
@token_required
def get_dossier(code: str):
    from app.api.services import find_dossier
    from app.dossiers.importer import dossier_values
    from app.dossiers.models import DEFAULT_SOURCE

    source = request.args.get("source") or DEFAULT_SOURCE
    dossier = find_dossier(g.api_token, nfc(code), source=source)
    db.session.commit()  # the token's last use
    if dossier is None:
        return problem(404, "khong-tim-thay", TITLES[404], f"Không có hồ sơ «{code}» (nguồn «{source}») trong phạm vi "
                                                           "của mã truy cập.")
    return jsonify({**dossier_values(dossier), "Nguon": dossier.source, "DangXuLy": dossier.is_open,
                    "CapNhatLuc": to_vn(dossier.updated_at).isoformat()})
