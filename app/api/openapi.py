"""The OpenAPI 3.1 document of the read API: the path table below, the component schemas generated from the pydantic
models of app.api.schemas (JSON Schema 2020-12, which OpenAPI 3.1 uses as is). The reference page renders it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pydantic.json_schema import models_json_schema

from app.api import schemas

PROBLEM = "application/problem+json"
ERRORS = {
    "400": "Tham số sai dạng (kỳ, ngày, cursor, If-None-Match).",
    "401": "Thiếu mã truy cập, hoặc mã không hợp lệ, đã thu hồi hay hết hạn.",
    "403": "Mã truy cập của đơn vị (chỉ dùng cho /dossiers) hoặc không có quyền.",
    "404": "Không có đơn vị, kế hoạch hay số liệu này trong phạm vi của người gọi.",
    "422": "Giá trị ngoài khoảng cho phép (limit) hoặc kỳ chưa kết thúc.",
    "429": "Quá số yêu cầu mỗi phút của mã (xem Retry-After).",
}
PARAMETERS = {
    "unit_id": {"name": "unit_id", "in": "path", "required": True, "description": "Mã số (id) đơn vị.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
    "plan_id": {"name": "plan_id", "in": "path", "required": True, "description": "Mã số (id) kế hoạch.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
    "period": {"name": "period", "in": "query", "required": True,
               "description": "Kỳ đánh giá đã kết thúc: 2026-Q3 (quý), 2026-08 (tháng) hoặc 2026 (năm).",
               "schema": {"type": "string", "pattern": "^20[0-9]{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"},
               "example": "2026-Q3"},
    "on": {"name": "on", "in": "query", "required": False, "description": "Ngày (YYYY-MM-DD); mặc định: hôm nay.",
           "schema": {"type": "string", "format": "date"}},
    "limit": {"name": "limit", "in": "query", "required": False, "description": "Số mục mỗi trang (1–200, mặc định 50).",
              "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
    "cursor": {"name": "cursor", "in": "query", "required": False,
               "description": "next_cursor của trang trước.", "schema": {"type": "string"}},
    "include_resolved": {"name": "include_resolved", "in": "query", "required": False,
                         "description": "true: cả cảnh báo đã xử lý xong.",
                         "schema": {"type": "boolean", "default": False}},
    "If-None-Match": {"name": "If-None-Match", "in": "header", "required": False,
                      "description": "ETag của lần đọc trước: 304 khi dữ liệu không đổi.", "schema": {"type": "string"}},
}


@dataclass(frozen=True)
class Operation:
    path: str
    endpoint: str
    summary: str
    model: type
    params: tuple[str, ...] = ()


OPERATIONS = (
    Operation("/units", "api.read_units", "Các đơn vị trong cây người gọi được xem", schemas.UnitPage,
              ("limit", "cursor")),
    Operation("/units/{unit_id}", "api.read_unit", "Một đơn vị", schemas.Unit, ("unit_id",)),
    Operation("/catalog", "api.read_catalog", "Danh mục chỉ số với quy tắc của phiên bản áp dụng vào ngày ?on=",
              schemas.Catalog, ("on",)),
    Operation("/plans", "api.read_plans", "Các kế hoạch phân công người gọi được xem", schemas.PlanPage,
              ("limit", "cursor")),
    Operation("/plans/{plan_id}/assignments", "api.read_assignments", "Bảng phân công của kế hoạch vào ngày ?on=",
              schemas.AssignmentPage, ("plan_id", "on", "limit", "cursor")),
    Operation("/units/{unit_id}/scorecard", "api.read_scorecard", "Bảng điểm của đơn vị trong một kỳ",
              schemas.Scorecard, ("unit_id", "period")),
    Operation("/units/{unit_id}/series", "api.read_series", "Tổng điểm và thứ hạng qua các kỳ (đến kỳ ?period=)",
              schemas.Series, ("unit_id", "period")),
    Operation("/units/{unit_id}/ranks", "api.read_ranks", "Thứ hạng trong nhóm đơn vị cùng cấp", schemas.Ranks,
              ("unit_id", "period")),
    Operation("/units/{unit_id}/red", "api.read_red", "Chỉ số đỏ hoặc giảm mạnh và tình trạng giải trình",
              schemas.RedList, ("unit_id", "period")),
    Operation("/units/{unit_id}/dossier-stats", "api.read_dossier_stats", "Thống kê hồ sơ của đơn vị trong kỳ",
              schemas.DossierStats, ("unit_id", "period")),
    Operation("/alerts", "api.read_alerts", "Cảnh báo của người gọi", schemas.AlertPage,
              ("include_resolved", "limit", "cursor")),
)


def _operation(op: Operation) -> dict:
    name = op.model.__name__
    responses = {
        "200": {"description": "Thành công.",
                "headers": {"ETag": {"description": "ETag yếu của nội dung.", "schema": {"type": "string"}}},
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
        "304": {"description": "Không đổi từ lần đọc có ETag gửi ở If-None-Match."},
    }
    for code, text in ERRORS.items():
        responses[code] = {"description": text, "content": {PROBLEM: {"schema": {"$ref":
                                                                                "#/components/schemas/Problem"}}}}
    return {"operationId": op.endpoint.split(".", 1)[1], "summary": op.summary, "tags": ["Đọc dữ liệu"],
            "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in (*op.params, "If-None-Match")],
            "responses": responses}


@cache
def document(base: str = "/api/v1") -> dict:
    """The OpenAPI 3.1 document (the same for every caller: it holds no data)."""
    _, defs = models_json_schema([(m, "serialization") for m in schemas.MODELS],
                                 ref_template="#/components/schemas/{model}")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Chỉ số 766 — API đọc dữ liệu", "version": "1.0.0",
                 "description": "Dữ liệu như trên các trang web, theo đúng quyền của người gọi. Xác thực bằng mã "
                                "truy cập cá nhân (Authorization: Bearer c766p_…) tạo ở trang Tài khoản của tôi, "
                                "hoặc phiên đăng nhập web (chỉ GET)."},
        "servers": [{"url": base}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {op.path: {"get": _operation(op)} for op in OPERATIONS},
        "components": {
            "schemas": defs["$defs"],
            "parameters": PARAMETERS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Mã truy cập cá nhân c766p_…"},
                                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                                            "description": "Phiên đăng nhập web cùng nguồn (chỉ GET)."}},
        },
    }
