"""Portal JSON parser: the real-data check against every saved capture, and bad input."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from app.indicators.catalog_data import INDICATORS_BY_CODE, INFO_ONLY_CODES
from app.indicators.scoring import indicator_points, points
from app.scores.periods import parse_period
from app.scores.portal import ParsedPortalFile, parse_portal_file
from tests.conftest import SAMPLES

TOLERANCE = Decimal("0.01")
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)


def _captures() -> list[dict]:
    manifest = SAMPLES / "manifest.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["captures"] if manifest.exists() else []


CAPTURES = _captures()
SCORE_CAPTURES = [c for c in CAPTURES if not c["file"].startswith("formalities/")]


def _period_of(capture: dict) -> str:
    payload = capture["payload"]
    if "fromDate" in payload:  # handling-satisfaction uses a date range
        start, end = payload["fromDate"], payload["toDate"]
        if start[5:] == "01-01" and end[5:] == "12-31":
            return start[:4]
        if start[5:7] == end[5:7]:
            return start[:7]
        return f"{start[:4]}-Q{(int(start[5:7]) - 1) // 3 + 1}"
    if payload["timeType"] == "year":
        return str(payload["year"])
    if payload["timeType"] == "quarter":
        return f"{payload['year']}-Q{payload['quarter']}"
    return f"{payload['year']}-{payload['month']:02d}"


def _parse_capture(capture: dict) -> ParsedPortalFile:
    content = (SAMPLES / capture["file"]).read_bytes()
    return parse_portal_file(content, period=_period_of(capture), scope=capture["scope"])


def test_samples_present() -> None:
    assert SAMPLES.is_dir(), f"thiếu thư mục mẫu {SAMPLES}"
    assert len(CAPTURES) == 37
    assert len(SCORE_CAPTURES) == 33
    for capture in CAPTURES:
        content = (SAMPLES / capture["file"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == capture["sha256"], capture["file"]  # copied unchanged


def check_capture(capture: dict) -> tuple[dict[str, int], list[str]]:
    """Recompute every unit's points from the catalog; return (counts, mismatch messages)."""
    parsed = _parse_capture(capture)
    name = capture["file"]
    assert parsed.ok, f"{name}: {parsed.errors[:3]}"
    assert parsed.portal_group == name.split("/")[0]
    assert parsed.scope == capture["scope"]
    assert parsed.period == _period_of(capture)
    by_unit: dict[int, list] = defaultdict(list)
    for row in parsed.rows:
        by_unit[row.row].append(row)
    counts = {"units": 0, "indicators": 0, "totals": 0, "exact": 0}
    misses: list[str] = []
    for rows in by_unit.values():
        counts["units"] += 1
        unit = f"{rows[0].unit_name} ({rows[0].unit_code or rows[0].portal_id})"
        totals = [r for r in rows if r.indicator_code is None]
        indicators = [r for r in rows if r.indicator_code is not None]
        assert len(totals) == 1, f"{name}: {unit} has {len(totals)} total rows"
        computed_sum = Decimal(0)
        for row in indicators:
            ind = INDICATORS_BY_CODE[row.indicator_code]
            got = indicator_points(row.numerator, row.denominator, row.ratio, ind["max_points"],
                                   ind["threshold"], zero_denominator=ind["zero_denominator"])
            computed_sum += got or 0
            counts["indicators"] += 1
            if row.max_score is not None and row.max_score != ind["max_points"]:
                misses.append(f"{name} / {unit} / {row.indicator_code}: maxScore {row.max_score} ≠ catalog")
            if row.extra.get("derived"):
                continue  # the portal publishes no per-indicator score for tree counts
            # The published 2-decimal ratio alone is within 0.01; the exact fraction reproduces the score.
            via_ratio = points(row.ratio, ind["max_points"], ind["threshold"], denominator=row.denominator,
                               zero_denominator=ind["zero_denominator"])
            if via_ratio is not None and row.score is not None and abs(via_ratio - row.score) > TOLERANCE:
                misses.append(f"{name} / {unit} / {row.indicator_code}: ratio {row.ratio} → {via_ratio}, "
                              f"portal {row.score}")
            counts["exact"] += got == row.score
            if (got is None) != (row.score is None) or (got is not None and abs(got - row.score) > TOLERANCE):
                misses.append(f"{name} / {unit} / {row.indicator_code}: ratio {row.ratio} → {got}, "
                              f"portal {row.score}")
        if not indicators:
            continue  # provide-online-tree units carry only their total
        counts["totals"] += 1
        portal_total = totals[0].score or Decimal(0)
        if abs(computed_sum - portal_total) > TOLERANCE:
            misses.append(f"{name} / {unit} / total {totals[0].group_code}: computed {computed_sum}, "
                          f"portal {portal_total}")
    return counts, misses


@pytest.mark.parametrize("capture", SCORE_CAPTURES, ids=[c["file"] for c in SCORE_CAPTURES])
def test_real_data_reproduces_portal_scores(capture: dict) -> None:
    counts, misses = check_capture(capture)
    assert counts["units"] == 164  # the province overview row + 163 departments and communes
    assert counts["totals"] >= 1
    assert not misses, f"{len(misses)} mismatches:\n" + "\n".join(misses[:20])


def _unit_rows(parsed: ParsedPortalFile, name: str) -> dict[str | None, object]:
    return {r.indicator_code: r for r in parsed.rows if r.unit_name == name}


def test_known_values_from_samples() -> None:
    capture = next(c for c in SCORE_CAPTURES if c["file"] == "dossier-digitized/quarter-all.json")
    rows = _unit_rows(_parse_capture(capture), "Văn phòng UBND Tỉnh - Tỉnh Phú Thọ")
    assert rows["SO_HOA_GIAY_TO_GIAI_QUYET"].ratio == Decimal("4.35")
    assert rows["SO_HOA_GIAY_TO_GIAI_QUYET"].score == Decimal("0.17")
    assert rows["SO_HOA_GIAY_TO_GIAI_QUYET"].unit_code == "H44.01"
    assert rows[None].group_code == "IV" and rows[None].max_score == 22
    satisfaction = next(c for c in SCORE_CAPTURES if c["file"] == "handling-satisfaction/quarter-all.json")
    parsed = _parse_capture(satisfaction)
    rows = _unit_rows(parsed, "Văn phòng UBND Tỉnh - Tỉnh Phú Thọ")
    assert rows["DOSSIER_RECEIVING_SATISFACTION"].ratio == Decimal("96.89")
    assert rows["DOSSIER_RECEIVING_SATISFACTION"].score == 6
    petitions = rows["PETITION_PROCESSING_ON_TIME"]
    assert petitions.denominator == 0 and petitions.score == 6
    assert rows[None].unit_code is None and rows[None].portal_id  # no departmentCode in this group
    assert not any(r.indicator_code in INFO_ONLY_CODES for r in parsed.rows)
    assert set(rows[None].extra["info"]) == set(INFO_ONLY_CODES)


def test_tree_rows() -> None:
    progress = next(c for c in SCORE_CAPTURES if c["file"] == "dvc-progress-tree/quarter-all.json")
    row = _unit_rows(_parse_capture(progress), "Văn phòng UBND Tỉnh - Tỉnh Phú Thọ")["PROGRESS_ON_TIME"]
    assert (row.numerator, row.denominator, row.score, row.group_code) == (156, 161, Decimal("19.38"), "II")
    payment = next(c for c in SCORE_CAPTURES if c["file"] == "formality-online-payment-tree/month-all.json")
    province = [r for r in _parse_capture(payment).rows if r.is_overview]
    assert [r.indicator_code for r in province] == [
        "PAYMENT_FORMALITY_TRANSACTIONS", "PAYMENT_FORMALITY_INTEGRATED", "PAYMENT_DOSSIERS", None]
    assert province[0].unit_code == "H44" and province[-1].score == Decimal("6.25")
    online = next(c for c in SCORE_CAPTURES if c["file"] == "provide-online-tree/quarter-all.json")
    parsed = _parse_capture(online)
    province = {r.indicator_code: r for r in parsed.rows if r.is_overview}
    assert set(province) == {"ONLINE_PROVIDED", "ONLINE_WITH_DOSSIERS", "ONLINE_SUBMITTED", None}
    assert province["ONLINE_PROVIDED"].numerator == 52 and province["ONLINE_PROVIDED"].denominator == 89
    assert all(r.indicator_code is None and r.group_code == "III.1" for r in parsed.rows if not r.is_overview)


@pytest.mark.parametrize("folder", ["transparency", "dossier-digitized", "provide-online-tree"])
def test_formality_scope_detected_from_data(folder: str) -> None:
    content = (SAMPLES / folder / "quarter-formality.json").read_bytes()
    parsed = parse_portal_file(content)
    assert (parsed.scope, parsed.scope_source, parsed.period) == ("formality", "data", None)
    wrong = parse_portal_file(content, period="2026-Q3", scope="all")
    assert not wrong.ok and wrong.valid_rows == [] and VIETNAMESE.search(wrong.errors[0].message_vi)


def test_undetectable_scope_comes_from_caller() -> None:
    content = (SAMPLES / "dvc-progress-tree" / "month-formality.json").read_bytes()
    assert parse_portal_file(content).scope_source == "default"
    parsed = parse_portal_file(content, scope="formality", period="2026-08")
    assert (parsed.scope, parsed.scope_source, parsed.period) == ("formality", "caller", "2026-08")


def test_period_read_from_request_parameters_when_present() -> None:
    body = json.loads((SAMPLES / "transparency" / "month-all.json").read_text(encoding="utf-8"))
    body["payload"] = {"timeType": "quarter", "year": 2026, "quarter": 3}
    assert parse_portal_file(json.dumps(body)).period == "2026-Q3"
    assert parse_portal_file(json.dumps(body), period="2026-08").period == "2026-08"


def _metric_file(**metric_changes: object) -> str:
    metric = {"code": "DOSSIER_SYNC", "name": "x", "numerator": 5, "denominator": 10, "ratio": 50,
              "score": 3, "maxScore": 6, **metric_changes}
    unit = {"stt": 1, "departmentId": "u-1", "departmentName": "Xã A", "departmentLevel": "COMMUNE",
            "totalScore": 3, "totalMaxScore": 18, "ratio": 16.67, "metrics": [metric]}
    return json.dumps({"code": "OK", "message": "OK", "data": {"overview": None, "evaluation": [unit]}})


def _tree_file(**changes: object) -> str:
    child = {"departmentId": "u-1", "departmentCode": "H44.99", "departmentName": "Xã A", "level": "COMMUNE",
             "totalReceived": 10, "totalOnTime": 8, "totalOverdue": 2, "ratio": 80, "score": 16,
             "maxScore": 20, **changes}
    return json.dumps({"code": "OK", "data": {"parent": None, "children": [child]}})


def _truncated() -> bytes:
    return (SAMPLES / "transparency" / "month-all.json").read_bytes()[:700]


BAD_INPUTS = {
    "truncated-json": _truncated,
    "not-json": lambda: b"<html><body>502 Bad Gateway</body></html>",
    "empty": lambda: b"",
    "not-utf8": lambda: "{\"code\": \"OK\", \"data\": \"Ph\u00fa\"}".encode("utf-16"),
    "code-not-ok": lambda: json.dumps({"code": "UNAUTHORIZED", "message": "Hết phiên", "data": None}),
    "unknown-shape": lambda: json.dumps({"code": "OK", "data": {"items": [{"a": 1}]}}),
    "json-list": lambda: "[1, 2, 3]",
    "unknown-metric-code": lambda: _metric_file().replace(
        '"metrics": [', '"metrics": [{"code": "NEW_METRIC_2027", "ratio": 1, "score": 1, "maxScore": 3}, ', 1),
    "only-unknown-metric-codes": lambda: _metric_file(code="NEW_METRIC_2027", maxScore=3),
    "ratio-150": lambda: _metric_file(ratio=150),
    "numerator-over-denominator": lambda: _metric_file(numerator=12, denominator=10),
    "non-numeric-ratio": lambda: _metric_file(ratio="năm mươi"),
    "boolean-score": lambda: _metric_file(score=True),
    "negative-denominator": lambda: _metric_file(denominator=-10),
    "nan-ratio": lambda: _metric_file().replace('"ratio": 50', '"ratio": NaN'),
    "score-over-max": lambda: _metric_file(score=7.5),
    "mixed-groups": lambda: _metric_file().replace(
        '"metrics": [', '"metrics": [{"code": "PETITION_PROCESSING_ON_TIME", "ratio": 1}, ', 1),
    "duplicate-unit": lambda: _metric_file().replace('"evaluation": [', '"evaluation": [' + json.dumps(
        json.loads(_metric_file())["data"]["evaluation"][0]) + ", ", 1),
    "tree-on-time-over-received": lambda: _tree_file(totalOnTime=11),
    "tree-non-numeric-count": lambda: _tree_file(totalReceived="mười"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_gives_vietnamese_errors(case: str) -> None:
    parsed = parse_portal_file(BAD_INPUTS[case]())
    assert parsed.errors, f"{case}: no error"
    assert not parsed.ok and parsed.valid_rows == []
    assert all(VIETNAMESE.search(e.message_vi) for e in parsed.errors), parsed.errors
    assert all(e.row is None or e.row >= 0 for e in parsed.errors)


def test_partial_page_gives_a_warning() -> None:
    body = json.loads((SAMPLES / "handling-satisfaction" / "month-all.json").read_text(encoding="utf-8"))
    body["data"]["evaluation"] = body["data"]["evaluation"][:10]
    parsed = parse_portal_file(json.dumps(body), period="2026-08")
    assert parsed.ok and parsed.unit_count == 11
    assert parsed.warnings and VIETNAMESE.search(parsed.warnings[0])


def test_good_minimal_files_parse() -> None:
    metric = parse_portal_file(_metric_file(), period="2026-Q3")
    assert metric.ok and metric.portal_group == "transparency" and metric.period == "2026-Q3"
    assert [r.indicator_code for r in metric.rows] == ["DOSSIER_SYNC", None]
    assert metric.rows[0].row == 1 and metric.rows[0].score == 3
    tree = parse_portal_file(_tree_file().encode("utf-8-sig"))
    assert tree.ok and tree.portal_group == "dvc-progress-tree"
    assert tree.rows[0].unit_code == "H44.99" and tree.rows[0].numerator == 8


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "2026-Q0", "Quý 5/2026", "26", "2026/08", "", "  ",
                                 "1899", "2026-00", "quý 3"])
def test_bad_period_strings(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_period(bad)
    assert VIETNAMESE.search(str(info.value))
    parsed = parse_portal_file(_metric_file(), period=bad)
    assert not parsed.ok and parsed.valid_rows == []
    assert parsed.errors[0].field == "period" and VIETNAMESE.search(parsed.errors[0].message_vi)


@pytest.mark.parametrize(("text", "kind", "start", "end", "label", "code"), [
    ("2026-Q3", "quarter", "2026-07-01", "2026-09-30", "Quý III/2026", "2026-Q3"),
    ("2026-q1", "quarter", "2026-01-01", "2026-03-31", "Quý I/2026", "2026-Q1"),
    ("2026-08", "month", "2026-08-01", "2026-08-31", "Tháng 08/2026", "2026-08"),
    ("2028-2", "month", "2028-02-01", "2028-02-29", "Tháng 02/2028", "2028-02"),
    (" 2026 ", "year", "2026-01-01", "2026-12-31", "Năm 2026", "2026"),
])
def test_parse_period(text: str, kind: str, start: str, end: str, label: str, code: str) -> None:
    period = parse_period(text)
    kind_got, start_got, end_got, label_got = period
    assert (kind_got, start_got.isoformat(), end_got.isoformat(), label_got) == (kind, start, end, label)
    assert period.code == code
