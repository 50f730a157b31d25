"""Pure parser of one scoring response of the national portal (Cổng DVCQG), saved as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.core.formatting import vn_number
from app.core.text import nfc
from app.indicators.catalog_data import (
    GROUPS_BY_CODE,
    INDICATORS_BY_CODE,
    INDICATORS_BY_PORTAL_CODE,
    INFO_ONLY_CODES,
    PORTAL_TOTAL_GROUP,
    TREE_INDICATORS,
)
from app.indicators.scoring import ratio_of, to_decimal
from app.scores.periods import parse_period, period_in_response

EPSILON = Decimal("0.01")
SCOPES = ("all", "formality")
IDENTITY_KEYS = {"departmentId", "departmentName", "departmentCode", "departmentLevel", "departmentType", "level"}
SCORE, MAX_SCORE = ("score", "totalScore"), ("maxScore", "totalMaxScore")  # child / parent spelling
SCORE_KEYS = {"ratio", "score", "maxScore", "totalScore", "totalMaxScore", "scoreDelta"}
UNIT_EXTRAS = ("stt", "agencyLevel", "totalPetitions", "classifiedPetitions", "totalDossiers", "averageScore")
# Tree folders: the catalog indicators whose ratio comes from a unit's count fields.
TREE_RULES = {group: [INDICATORS_BY_CODE[c] for c in codes] for group, codes in TREE_INDICATORS.items()}
COUNTS_OPTIONAL = {"provide-online-tree"}  # only its province (parent) row carries the counts


@dataclass
class PortalScoreRow:
    """One unit × indicator (or unit group total when indicator_code is None) as the portal published it."""

    unit_code: str | None
    portal_id: str | None
    unit_name: str | None
    unit_level: str | None
    unit_type: str | None
    indicator_code: str | None
    group_code: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    ratio: Decimal | None = None
    score: Decimal | None = None
    max_score: Decimal | None = None
    data_quality: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    row: int | None = None
    is_overview: bool = False


@dataclass
class ParseError:
    """A problem in the file: row (1-based unit index, 0 = overview/province row, None = whole file).

    `code` names problems that repeat across rows and files (e.g. "unknown_unit") so a report can summarise them.
    """

    row: int | None
    field: str | None
    value: Any
    message_vi: str
    code: str | None = None


@dataclass
class ParsedPortalFile:
    """Result of parsing one portal response; import it only when ok."""

    portal_group: str | None = None
    period: str | None = None
    scope: str = "all"
    scope_source: str = "default"
    rows: list[PortalScoreRow] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unit_count: int = 0

    @property
    def ok(self) -> bool:
        """True when the file has no errors."""
        return not self.errors

    @property
    def valid_rows(self) -> list[PortalScoreRow]:
        """All rows when the file is clean, else none (a file is imported whole or not at all)."""
        return list(self.rows) if self.ok else []

    def fail(self, fld: str | None, value: Any, message: str) -> None:
        """Record a whole-file error."""
        self.errors.append(ParseError(None, fld, value, message))


class _Unit:
    """Collects one unit's rows and errors."""

    def __init__(self, raw: dict, index: int, is_overview: bool) -> None:
        self.raw, self.index, self.is_overview = raw, index, is_overview
        self.errors: list[ParseError] = []
        self.rows: list[PortalScoreRow] = []
        self.ident = {
            "unit_code": self.text("departmentCode"),
            "portal_id": self.text("departmentId"),
            "unit_name": self.text("departmentName"),
            "unit_level": self.text("departmentLevel") or self.text("level"),
            "unit_type": self.text("departmentType"),
        }
        if not self.ident["unit_code"] and not self.ident["portal_id"]:
            self.error("departmentId", None,
                       "Đơn vị không có mã đơn vị (departmentCode) lẫn mã trên cổng (departmentId).")

    def error(self, fld: str | None, value: Any, message: str) -> None:
        problem = ParseError(self.index, fld, value, message)
        if problem not in self.errors:
            self.errors.append(problem)

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is not None and not isinstance(value, str | int):
            self.error(key, value, f"Trường {key} phải là chuỗi ký tự.")
            return None
        if value is None:
            return None
        return str(value).strip() or None

    def num(self, source: dict, key: str, fallback: str | None = None, *, label: str | None = None
            ) -> Decimal | None:
        if key not in source and fallback:
            key = fallback
        value = source.get(key)
        try:
            result = to_decimal(value)
        except ValueError:
            self.error(label or key, value, f"Giá trị “{value}” của trường {label or key} không phải là số.")
            return None
        if result is not None and result < 0:
            self.error(label or key, value, f"Giá trị {value} của trường {label or key} không được âm.")
        return result

    def check(self, label: str, num: Decimal | None, den: Decimal | None, ratio: Decimal | None,
              score: Decimal | None = None, max_score: Decimal | None = None) -> None:
        if ratio is not None and not (-EPSILON <= ratio <= 100 + EPSILON):
            self.error(f"{label}.ratio", ratio, f"Tỷ lệ {vn_number(ratio)}% của {label} nằm ngoài khoảng 0–100%.")
        if num is not None and den is not None and 0 <= den < num:
            self.error(f"{label}.numerator", num, f"Tử số {vn_number(num, 0)} của {label} lớn hơn mẫu số {vn_number(den, 0)}.")
        if score is not None and max_score is not None and score > max_score + EPSILON:
            self.error(f"{label}.score", score, f"Điểm {vn_number(score)} của {label} vượt điểm tối đa {vn_number(max_score)}.")

    def add(self, indicator_code: str | None, group_code: str, **values: Any) -> None:
        self.rows.append(PortalScoreRow(**self.ident, indicator_code=indicator_code, group_code=group_code,
                                        row=self.index, is_overview=self.is_overview, **values))

    def extras(self, keys: tuple[str, ...]) -> dict[str, Any]:
        return {key: self.raw[key] for key in keys if key in self.raw}


def _portal_group_of(code: Any) -> str | None:
    if not isinstance(code, str):
        return None
    if code in INFO_ONLY_CODES:
        return INFO_ONLY_CODES[code]["portal_group"]
    ind = INDICATORS_BY_PORTAL_CODE.get(code)
    return GROUPS_BY_CODE[ind["group"]]["portal_group"] if ind else None


def _metrics_of(unit: Any) -> list[dict]:
    metrics = unit.get("metrics") if isinstance(unit, dict) else None
    return [m for m in metrics if isinstance(m, dict)] if isinstance(metrics, list) else []


def _detect(data: dict) -> tuple[str | None, set[str], dict | None, list]:
    """Return (kind, portal groups seen, root unit, unit list) from the response's shape and metric codes."""
    if isinstance(data.get("evaluation"), list) and isinstance(data.get("overview"), dict | None):
        units, root = data["evaluation"], data.get("overview")
        groups = {_portal_group_of(m.get("code")) for u in [root, *units] for m in _metrics_of(u)}
        return "metric", {g for g in groups if g}, root, units
    if isinstance(data.get("children"), list) and isinstance(data.get("parent"), dict | None):
        units, root = data["children"], data.get("parent")
        keys = set(root or {}).union(*(set(u) for u in units if isinstance(u, dict)))
        for group, rules in TREE_RULES.items():
            if keys & {rule["portal_counts"]["denominator"] for rule in rules}:
                return "tree", {group}, root, units
        if units and all(isinstance(u, dict) and u.get("totalMaxScore") == 12 for u in units):
            return "tree", {"provide-online-tree"}, root, units
        return "tree", set(), root, units
    return None, set(), None, []


def _detect_scope(group: str, root: dict | None, units: list) -> str | None:
    """Scope shown by the data itself ("all" / "formality"), None when the data cannot tell."""
    if group == "transparency" and root:
        province_wide = [m for m in _metrics_of(root) if m.get("code") != "DOSSIER_SYNC"]
        if province_wide:
            return "formality" if all(m.get("ratio") is None for m in province_wide) else "all"
    if group == "dossier-digitized":
        codes = [m.get("code") for u in [root, *units] for m in _metrics_of(u)]
        return "all" if "CITIZEN_DATA_CONNECTED_FORMALITY" in codes else "formality"
    if group == "provide-online-tree" and root and isinstance(root.get("onlineServiceTotal"), int):
        return "formality" if root["onlineServiceTotal"] <= 1 else "all"
    return None


def _parse_metric_unit(unit: _Unit, portal_group: str) -> None:
    info: dict[str, dict] = {}
    metrics = unit.raw.get("metrics")
    if not isinstance(metrics, list):
        unit.error("metrics", metrics, "Đơn vị không có danh sách chỉ số (metrics).")
        metrics = []
    for metric in metrics:
        raw_code = metric.get("code") if isinstance(metric, dict) else metric
        code = raw_code if isinstance(raw_code, str) else None
        if code in INFO_ONLY_CODES:
            info[code] = {k: metric.get(k) for k in ("numerator", "denominator", "ratio")}
            continue
        ind = INDICATORS_BY_PORTAL_CODE.get(code) if isinstance(code, str) else None
        if ind is None or _portal_group_of(code) != portal_group:
            unit.error("metrics.code", raw_code,
                       f"Mã chỉ số “{raw_code}” không có trong danh mục 766 của nhóm {portal_group}.")
            continue
        vals = {k: unit.num(metric, k, label=f"{code}.{k}") for k in ("numerator", "denominator", "ratio", "score")}
        max_score = unit.num(metric, "maxScore", label=f"{code}.maxScore")
        unit.check(code, vals["numerator"], vals["denominator"], vals["ratio"], vals["score"], max_score)
        quality = None
        if metric.get("dataQualityStatus") or metric.get("dataQualityMessage"):
            quality = {"status": metric.get("dataQualityStatus"), "message": metric.get("dataQualityMessage")}
        unit.add(ind["code"], ind["group"], max_score=max_score, data_quality=quality, **vals)
    extra = unit.extras(UNIT_EXTRAS)
    if info:
        extra["info"] = info
    _add_total(unit, portal_group, extra)


def _add_total(unit: _Unit, portal_group: str, extra: dict) -> None:
    score, max_score = unit.num(unit.raw, *SCORE), unit.num(unit.raw, *MAX_SCORE)
    ratio = unit.num(unit.raw, "ratio")
    unit.check("tổng điểm nhóm", None, None, ratio, score, max_score)
    unit.add(None, PORTAL_TOTAL_GROUP[portal_group], ratio=ratio, score=score, max_score=max_score,
             extra=extra)


def _parse_tree_unit(unit: _Unit, portal_group: str) -> None:
    raw_counts = {k: v for k, v in unit.raw.items() if k not in IDENTITY_KEYS | SCORE_KEYS}
    for ind in TREE_RULES[portal_group]:
        num_keys, den_key = ind["portal_counts"]["numerator"], ind["portal_counts"]["denominator"]
        missing = [k for k in (*num_keys, den_key) if k not in unit.raw]
        if missing:
            if portal_group not in COUNTS_OPTIONAL:
                unit.error(missing[0], None, f"Thiếu trường {missing[0]} để tính chỉ số {ind['code']}.")
            continue
        parts = [unit.num(unit.raw, k) for k in num_keys]
        num = None if any(p is None for p in parts) else sum(parts, Decimal(0))
        den = unit.num(unit.raw, den_key)
        extra: dict[str, Any] = {k: unit.raw[k] for k in (*num_keys, den_key)}
        if portal_group == "dvc-progress-tree":  # the one tree that publishes its indicator's own score
            values = {"ratio": unit.num(unit.raw, "ratio"), "score": unit.num(unit.raw, *SCORE),
                      "max_score": unit.num(unit.raw, *MAX_SCORE)}
            extra = dict(raw_counts)
        else:
            values = {"ratio": Decimal(0) if den == 0 and num is not None else ratio_of(num, den)}
            extra["derived"] = True
        unit.check(ind["code"], num, den, values["ratio"], values.get("score"), values.get("max_score"))
        unit.add(ind["code"], ind["group"], numerator=num, denominator=den, extra=extra, **values)
    _add_total(unit, portal_group, {**unit.extras(UNIT_EXTRAS), **raw_counts})


def _load(content: bytes | str, result: ParsedPortalFile) -> Any:
    def reject_constant(name: str) -> Any:
        raise ValueError(name)

    try:
        is_bytes = isinstance(content, bytes | bytearray)
        text = content.decode("utf-8-sig") if is_bytes else content.lstrip("\ufeff")
    except UnicodeDecodeError:
        result.fail(None, None, "Tệp không phải văn bản UTF-8 nên không đọc được.")
        return None
    if not text.strip():
        result.fail(None, None, "Tệp rỗng: không có dữ liệu JSON.")
        return None
    try:
        return nfc(json.loads(text, parse_constant=reject_constant))  # names saved in NFD match stored NFC
    except RecursionError:
        result.fail(None, None, "Tệp JSON lồng nhau quá sâu: không phải dữ liệu chấm điểm của cổng.")
    except json.JSONDecodeError as exc:
        result.fail(None, None, f"Tệp không phải JSON hợp lệ hoặc bị cắt cụt (dòng {exc.lineno}, "
                                f"cột {exc.colno}): hãy lưu lại tệp từ cổng.")
    except ValueError as exc:
        result.fail(None, str(exc), f"Tệp chứa giá trị không hợp lệ “{exc}”.")
    return None


def parse_portal_file(
    content: bytes | str, *, period: str | None = None, scope: str | None = None
) -> ParsedPortalFile:
    """Parse one saved portal scoring response; problems go to .errors, never raised."""
    result = ParsedPortalFile()
    if period is not None:
        try:
            result.period = parse_period(period).code
        except ValueError as exc:
            result.fail("period", period, str(exc))
    if scope is not None and scope not in SCOPES:
        result.fail("scope", scope, f"Phạm vi “{scope}” không hợp lệ: dùng all hoặc formality.")
    obj = _load(content, result)
    if obj is None:
        return result
    if not isinstance(obj, dict):
        result.fail(None, None, "Không nhận ra cấu trúc tệp: cần một đối tượng JSON của cổng.")
        return result
    if "code" in obj and obj.get("code") != "OK":
        message = obj.get("message") or "không có thông báo"
        result.fail("code", obj.get("code"), f"Cổng trả về lỗi (mã “{obj.get('code')}”): {message}.")
        return result
    data = obj.get("data", obj)
    kind, groups, root, units = _detect(data) if isinstance(data, dict) else (None, set(), None, [])
    if kind is None:
        result.fail("data", None, "Không nhận ra cấu trúc tệp: không phải dữ liệu chấm điểm 766 của cổng.")
        return result
    if len(groups) != 1:
        problem = f"trộn chỉ số của nhiều nhóm ({', '.join(sorted(groups))})" if groups else (
            "không có mã chỉ số hay trường số liệu nào thuộc danh mục 766")
        result.fail("data", None, f"Không xác định được nhóm chỉ số của tệp: {problem}.")
        return result
    group = result.portal_group = groups.pop()
    if period is None and (found := period_in_response(obj)):
        result.period = found.code
    detected = _detect_scope(group, root, units)
    if detected and scope in SCOPES and scope != detected:
        result.fail("scope", scope, f"Phạm vi khai báo “{scope}” không khớp dữ liệu trong tệp (“{detected}”).")
    if detected or scope in SCOPES:
        result.scope, result.scope_source = (detected, "data") if detected else (scope, "caller")
    pagination = data.get("pagination") if isinstance(data.get("pagination"), dict) else {}
    total = pagination.get("total")
    if isinstance(total, int) and total > len(units):
        result.warnings.append(f"Tệp chỉ có {len(units)}/{total} đơn vị (một trang của cổng): thiếu đơn vị.")
    seen: set[str] = set()
    entries = ([(root, 0, True)] if root else []) + [(u, i, False) for i, u in enumerate(units, start=1)]
    for raw, index, is_overview in entries:
        if not isinstance(raw, dict):
            result.errors.append(ParseError(index, None, None, "Dòng đơn vị không phải đối tượng JSON."))
            continue
        unit = _Unit(raw, index, is_overview)
        key = unit.ident["portal_id"] or unit.ident["unit_code"]
        if key and key in seen:
            unit.error("departmentId", key, f"Đơn vị “{key}” xuất hiện hai lần trong tệp.")
        seen.add(key or "")
        (_parse_metric_unit if kind == "metric" else _parse_tree_unit)(unit, group)
        result.errors.extend(unit.errors)
        if not unit.errors:
            result.rows.extend(unit.rows)
        result.unit_count += 1
    return result
