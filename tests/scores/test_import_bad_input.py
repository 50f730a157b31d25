"""Score import: bad files get a row-level Vietnamese report and change nothing; good CSV / XLSX rows upsert.

Small files only: real portal captures trimmed to a few units, hand-written CSV, XLSX built with openpyxl.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.org.models import Unit
from app.org.services import find_unit_by_code
from app.scores.importer import ImportReport, SourceFile
from app.scores.models import ImportBatch, ScoreRecord, ScoreRevision
from tests.conftest import SAMPLES
from tests.scores.conftest import run_import

HEADER = "MaDonVi,Ky,MaChiSo,TuSo,MauSo,TyLe,Diem"
GOOD_ROW = "NS,2026-09,4,90,100,,"  # row 2 of every bad CSV below: only row 3 is wrong


# ---------------------------------------------------------------- helpers


def trimmed(folder: str, name: str = "quarter-all.json", keep: int = 2,
            edit: Callable[[dict], None] | None = None) -> bytes:
    """A real capture cut to its province row and `keep` units, optionally edited."""
    obj = json.loads((SAMPLES / folder / name).read_text(encoding="utf-8"))
    data = obj["data"]
    key = "evaluation" if "evaluation" in data else "children"
    data[key] = data[key][:keep]
    if isinstance(data.get("pagination"), dict):
        data["pagination"]["total"] = keep
    if edit is not None:
        edit(data)
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def metric(unit: dict, code: str) -> dict:
    return next(m for m in unit["metrics"] if m["code"] == code)


def csv_file(*rows: str, header: str = HEADER, name: str = "diem.csv", sep: str = "\n") -> SourceFile:
    return SourceFile(name, sep.join((header, *rows, "")).encode("utf-8"))


def xlsx_bytes(rows: list[list], sheets: int = 1) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for i in range(1, sheets):
        book.create_sheet(f"Trang {i + 1}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (ScoreRecord, ScoreRevision, ImportBatch, Unit)}


def errors_of(report: ImportReport) -> list:
    return [e for f in report.files for e in f.errors]


def assert_reported(report: ImportReport, row, column, fragment: str) -> None:
    """The report names the row (and column) and says what is wrong, in Vietnamese."""
    found = errors_of(report)
    assert any(e.row == row and e.field == column and fragment in e.message_vi for e in found), (
        f"no error at row {row}, column {column} with «{fragment}» in " +
        "; ".join(f"[{e.row}, {e.field}] {e.message_vi}" for e in found))


def record_of(db, unit_code: str, indicator_code: str) -> ScoreRecord:
    return db.session.scalar(sa.select(ScoreRecord).where(
        ScoreRecord.unit_id == find_unit_by_code(unit_code).id, ScoreRecord.subject_key == f"I:{indicator_code}"))


# ---------------------------------------------------------------- bad portal JSON


def _half_of_a_real_sample() -> list[SourceFile]:
    content = (SAMPLES / "transparency" / "quarter-all.json").read_bytes()
    return [SourceFile("quarter-all.json", content[: len(content) // 2])]


def _unknown_metric(data: dict) -> None:
    data["evaluation"][1]["metrics"][0]["code"] = "TY_LE_BIA"


def _ratio_150(data: dict) -> None:
    metric(data["evaluation"][0], "ORIGINAL_RESULT_AVAILABLE")["ratio"] = 150


def _numerator_over_denominator(data: dict) -> None:
    m = metric(data["evaluation"][1], "SO_HOA_GIAY_TO_GIAI_QUYET")
    m["numerator"] = m["denominator"] + 5


def _digitized(edit=None) -> Callable[[], list[SourceFile]]:
    return lambda: [SourceFile("quarter-all.json", trimmed("dossier-digitized", edit=edit))]


BAD_JSON = [
    pytest.param(_half_of_a_real_sample, {"period": "2026-Q3"}, None, None, "bị cắt cụt (dòng",
                 id="truncated-json"),
    pytest.param(lambda: [SourceFile("anh.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")], {"period": "2026-Q3"},
                 None, None, "không phải văn bản UTF-8", id="binary-bytes"),
    pytest.param(lambda: [SourceFile("trang.json", "<html><body>Đăng nhập</body></html>".encode())],
                 {"period": "2026-Q3"}, None, None, "không phải JSON hợp lệ", id="html-page"),
    pytest.param(lambda: [SourceFile("loi.json", json.dumps({"code": "ERROR", "message": "Phiên làm việc hết hạn",
                                                             "data": None}).encode())],
                 {"period": "2026-Q3"}, None, "code", "Cổng trả về lỗi (mã “ERROR”): Phiên làm việc hết hạn",
                 id="portal-error-response"),
    pytest.param(_digitized(_unknown_metric), {"period": "2026-Q3"}, 2, "metrics.code",
                 "Mã chỉ số “TY_LE_BIA” không có trong danh mục 766", id="unknown-metric-code"),
    pytest.param(_digitized(_ratio_150), {"period": "2026-Q3"}, 1, "ORIGINAL_RESULT_AVAILABLE.ratio",
                 "Tỷ lệ 150,00% của ORIGINAL_RESULT_AVAILABLE nằm ngoài khoảng 0–100%", id="ratio-150"),
    pytest.param(_digitized(_numerator_over_denominator), {"period": "2026-Q3"}, 2,
                 "SO_HOA_GIAY_TO_GIAI_QUYET.numerator", "lớn hơn mẫu số", id="numerator-over-denominator"),
    pytest.param(_digitized(), {"period": "2026-Q3", "create_units": False}, 1, "departmentCode",
                 "Không có đơn vị «Văn phòng UBND Tỉnh - Tỉnh Phú Thọ» (mã H44.01", id="unknown-unit"),
    pytest.param(_digitized(), {"period": "2026-13"}, None, "--period", "tháng phải từ 01 đến 12",
                 id="period-month-13"),
    pytest.param(_digitized(), {"period": "2026-Q5"}, None, "--period", "“2026-Q5” không hợp lệ",
                 id="period-quarter-5"),
    pytest.param(_digitized(), {"period": "abc"}, None, "--period", "“abc” không hợp lệ", id="period-abc"),
    pytest.param(_digitized(), {}, None, "period", "Không xác định được kỳ", id="no-manifest-no-period"),
    pytest.param(lambda: [SourceFile("quarter-formality.json", trimmed("transparency", "quarter-formality.json"))],
                 {"period": "2026-Q3"}, None, "formality", "không rõ mã TTHC", id="procedure-file-without-code"),
]


@pytest.mark.parametrize(("make_files", "options", "row", "column", "message"), BAD_JSON)
def test_a_bad_portal_file_is_reported_and_nothing_is_written(ninh_son, db, make_files, options, row, column, message):
    before = counts(db)
    report = run_import(make_files(), **{"create_units": True, **options})
    assert report.ok is False
    assert_reported(report, row, column, message)
    assert report.total("new") == 0
    assert counts(db) == before


def test_without_create_units_every_unknown_unit_is_named_by_row_and_code(demo, db):
    """The Ninh Sơn demo is loaded but no Phú Thọ unit: each unit of the file is reported, nothing is written."""
    content = trimmed("dossier-digitized", keep=3)
    data = json.loads(content)["data"]
    expected = [(i, u["departmentCode"]) for i, u in enumerate([data["overview"], *data["evaluation"]])]
    before = counts(db)
    report = run_import([SourceFile("quarter-all.json", content)], period="2026-Q3")
    assert report.ok is False
    assert [(e.row, e.value) for e in errors_of(report)] == expected
    assert all(e.code == "unknown_unit" and e.field == "departmentCode" for e in errors_of(report))
    (summary,) = report.summaries()
    assert (summary.count, summary.distinct, summary.files) == (4, 4, 1)
    assert "--create-units" in summary.hint
    assert counts(db) == before


# ---------------------------------------------------------------- bad CSV / XLSX


BAD_TABLES = [
    pytest.param(csv_file("NS,2026-09,90,100", header="MaDonVi,Ky,TuSo,MauSo"), 1, "MaChiSo",
                 "Thiếu cột bắt buộc: MaChiSo", id="missing-column"),
    pytest.param(csv_file(GOOD_ROW, "XX.99,2026-09,3,45,50,,"), 3, "MaDonVi", "Không có đơn vị mã «XX.99»",
                 id="unknown-unit"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-09,99,45,50,,"), 3, "MaChiSo", "Không có chỉ số «99»",
                 id="unknown-indicator"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-13,3,45,50,,"), 3, "Ky", "tháng phải từ 01 đến 12", id="month-13"),
    pytest.param(csv_file(GOOD_ROW, "NS,Q3/26,3,45,50,,"), 3, "Ky", "“Q3/26” không hợp lệ", id="bad-period"),
    pytest.param(csv_file(GOOD_ROW, "NS,,3,45,50,,"), 3, "Ky", "Cột Ky không được để trống", id="empty-period"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-09,3,120,100,,"), 3, "TuSo", "Tử số (120) lớn hơn mẫu số (100)",
                 id="numerator-over-denominator"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-09,3,,,150,"), 3, "TyLe", "Tỷ lệ phải trong khoảng 0–100",
                 id="ratio-150"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-09,3,abc,50,,"), 3, "TuSo", "«abc» không phải là số",
                 id="non-numeric-numerator"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-09,3,-1,50,,"), 3, "TuSo", "TuSo không được âm", id="negative"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-09,3,,,,5"), 3, "TyLe", "Cần TyLe, hoặc cả TuSo và MauSo",
                 id="no-ratio-nor-counts"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-09,3,45,50,,7"), 3, "Diem", "Điểm 7,00 vượt điểm tối đa 6,00",
                 id="points-over-max"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-9,PROGRESS_ON_TIME,80,100,,"), 3, "MaChiSo",
                 "Dòng trùng đơn vị, chỉ số và kỳ", id="duplicate-row"),
    pytest.param(SourceFile("diem.csv", f"{HEADER}\nNS.HOASON,2026-09,3,45,50,,\n".encode("utf-16-le")), None, None,
                 "Tệp CSV phải mã hóa UTF-8", id="utf16-bytes-without-bom"),
    pytest.param(SourceFile("diem.csv", f"{HEADER}\nNS.HOASON,2026-09,3,45,50,,\n".encode("utf-16")), 2, "MaDonVi",
                 "Không có đơn vị mã «NS.HOASON»", id="utf16-with-bom-is-read-row-by-row"),
    pytest.param(csv_file(), None, None, "Tệp chỉ có hàng tiêu đề, không có dòng số liệu nào.", id="header-only"),
    pytest.param(csv_file(GOOD_ROW, "NS,2026-09,3,,,2.752,"), 3, "TyLe", "«2.752» không rõ là hai nghìn bảy trăm",
                 id="ambiguous-ratio"),
    pytest.param(csv_file(GOOD_ROW, 'NS,2026-09,3,"12,5",50,,'), 3, "TuSo", "«12,5» phải là số nguyên",
                 id="fractional-count"),
    pytest.param(SourceFile("diem.csv", f"{HEADER}\nNS.LAMSON,2026-09,3,45,50,,\nLâm Sơn\n".encode("cp1258")), None, None,
                 "Tệp CSV phải mã hóa UTF-8", id="windows-1258-bytes"),
    pytest.param(SourceFile("diem.xlsx", xlsx_bytes([HEADER.split(","), ["NS", "2026-09", "4", "=45*2", 100]])), 2,
                 "D", "Ô D2 chứa công thức «=45*2»", id="xlsx-formula"),
    pytest.param(SourceFile("diem.xlsx", xlsx_bytes([HEADER.split(","), GOOD_ROW.split(",")], sheets=2)), None,
                 None, "Tệp có 2 trang tính", id="xlsx-two-sheets"),
    pytest.param(SourceFile("diem.xlsx", xlsx_bytes([HEADER.split(","), GOOD_ROW.split(",")])[:900]), None, None,
                 "Tệp XLSX hỏng", id="xlsx-damaged"),
    pytest.param(SourceFile("diem.xlsx", GOOD_ROW.encode()), None, None, "Tệp XLSX hỏng", id="xlsx-not-excel"),
    pytest.param(SourceFile("diem.xlsx", xlsx_bytes([["MaDonVi", "Ky"], ["NS", 2026]])), 1, "MaChiSo",
                 "Thiếu cột bắt buộc: MaChiSo", id="xlsx-missing-column"),
]


@pytest.mark.parametrize(("source", "row", "column", "message"), BAD_TABLES)
def test_a_bad_table_row_is_reported_by_row_and_column_and_nothing_is_written(ninh_son, db, source, row, column,
                                                                               message):
    before = counts(db)
    report = run_import([source])
    assert report.ok is False
    assert_reported(report, row, column, message)
    assert counts(db) == before


def test_a_duplicate_names_both_rows(ninh_son):
    report = run_import([csv_file(GOOD_ROW, "NS,2026-09,PROGRESS_ON_TIME,80,100,,")])
    assert sorted(e.row for e in errors_of(report)) == [2, 3]


def test_every_bad_row_is_reported_not_only_the_first(ninh_son):
    report = run_import([csv_file(GOOD_ROW, "XX,2026-09,3,45,50,,", "NS,2026-13,3,45,50,,", "NS,2026-09,3,x,50,,")])
    found = {(e.row, e.field) for e in errors_of(report)}
    assert {(3, "MaDonVi"), (4, "Ky"), (5, "TuSo")} <= found
    assert {row for row, _ in found} == {3, 4, 5}


# ---------------------------------------------------------------- good files


def _xlsx(header: str, *rows: str) -> SourceFile:
    return SourceFile("diem.xlsx", xlsx_bytes([header.split(",")] + [r.split(",") for r in rows]))


GOOD = [
    pytest.param(csv_file("NS,2026-09,4,90,100", "NS,2026-09,DOSSIER_SYNC,45,50", header="MaDonVi,Ky,MaChiSo,TuSo,MauSo"),
                 id="csv-plain-headers"),
    pytest.param(csv_file("NS,2026-09,4,90,100", "NS,2026-09,DOSSIER_SYNC,45,50",
                          header="Mã đơn vị,Kỳ,Mã chỉ số,Tử số,Mẫu số"), id="csv-vietnamese-headers"),
    pytest.param(SourceFile("diem.csv", "\ufeff MÃ ĐƠN VỊ ;KỲ; mã  chỉ   số ;TỬ SỐ;mẫu_số\r\nNS;2026-09;4;90;100\r\n"
                                        "NS;2026-09;dossier_sync;45;50\r\n".encode()),
                 id="csv-bom-semicolons-upper-case-spaces"),
    pytest.param(_xlsx("Mã Đơn Vị,Kỳ,Mã Chỉ Số,Tử Số,Mẫu Số", "NS,2026-09,4,90,100", "NS,2026-09,DOSSIER_SYNC,45,50"),
                 id="xlsx-vietnamese-headers"),
    pytest.param(SourceFile("diem.csv", "Mã đơn vị\tKỳ\tMã chỉ số\tTử số\tMẫu số\r\nNS\tTháng 9/2026\t4\t9.000\t"
                                        "10.000\r\nNS\tT9/2026\tDOSSIER_SYNC\t45\t50\r\n".encode("utf-16")),
                 id="csv-utf16-tabs-vietnamese-periods-dot-thousands"),
]


@pytest.mark.parametrize("source", GOOD)
def test_a_good_table_imports_with_catalog_points_and_twice_changes_nothing(demo, db, source):
    report = run_import([source])
    assert report.ok, errors_of(report)
    assert (report.total("new"), report.total("changed")) == (2, 0)
    progress, sync = record_of(db, "NS", "PROGRESS_ON_TIME"), record_of(db, "NS", "DOSSIER_SYNC")
    # indicator 4: 20 points linear → 90/100 = 18; indicator 3: 6 points linear → 45/50 = 5.40
    assert (progress.ratio, progress.points, progress.rule_points, progress.max_points) == (
        Decimal("90.00"), Decimal("18.00"), Decimal("18.00"), Decimal("20.00"))
    assert (sync.ratio, sync.points, sync.max_points, sync.is_mismatch) == (
        Decimal("90.00"), Decimal("5.40"), Decimal("6.00"), False)
    assert (progress.period_kind, str(progress.period_start), progress.formality_code) == ("month", "2026-09-01", "")

    before = counts(db)
    again = run_import([SourceFile(source.name, source.content)])
    assert again.ok and again.nothing_new and again.total("unchanged") == 2
    assert counts(db) == before


@pytest.mark.parametrize(("given", "points", "mismatch"), [
    ("10", "10.00", True),        # far from the rule's 18: kept, flagged
    ("17,98", "17.98", True),     # 0.02 off (Vietnamese decimal comma)
    ("18.01", "18.01", False),    # within 0.01
    ("18", "18.00", False),
    ("", "18.00", False),         # no Diem: the rule's points
])
def test_given_points_are_kept_and_a_disagreement_with_the_rule_is_flagged(ninh_son, db, given, points, mismatch):
    report = run_import([csv_file(f'NS,2026-09,4,90,100,,"{given}"')])
    assert report.ok, errors_of(report)
    record = record_of(db, "NS", "PROGRESS_ON_TIME")
    assert (record.points, record.rule_points, record.is_mismatch) == (Decimal(points), Decimal("18.00"), mismatch)
    assert bool(report.files[0].result.mismatches) is mismatch
    if mismatch:
        assert "theo danh mục 18.00" in report.files[0].result.mismatches[0]


def test_a_changed_value_keeps_the_old_one_as_a_revision(ninh_son, db):
    run_import([csv_file(GOOD_ROW)])
    first = record_of(db, "NS", "PROGRESS_ON_TIME")
    first_batch = first.batch_id

    report = run_import([csv_file("NS,2026-09,4,80,100,,")])
    assert (report.total("new"), report.total("changed")) == (0, 1)
    db.session.expire_all()
    record = record_of(db, "NS", "PROGRESS_ON_TIME")
    assert (record.numerator, record.points) == (Decimal("80.00"), Decimal("16.00"))
    (old,) = record.revisions
    assert (old.numerator, old.denominator, old.points) == (Decimal("90.00"), Decimal("100.00"), Decimal("18.00"))
    assert old.batch_id == first_batch and old.replaced_by_batch_id == record.batch_id != first_batch


def test_one_bad_file_among_good_ones_writes_nothing_at_all(ninh_son, db):
    before = counts(db)
    good_json = SourceFile("quarter-all.json", trimmed("dossier-digitized"))
    report = run_import([good_json, csv_file(GOOD_ROW), csv_file("NS,2026-09,3,120,100,,", name="sai.csv")],
                          period="2026-Q3", create_units=True)
    assert report.ok is False
    assert [bool(f.errors) for f in report.files] == [False, False, True]
    assert report.created_units  # the units would have been made ...
    assert counts(db) == before  # ... but nothing is kept, not even them


def test_a_dry_run_reports_what_would_change_and_writes_nothing(ninh_son, db):
    run_import([csv_file(GOOD_ROW)])
    before = counts(db)
    snapshot = {r.id: r.values() for r in db.session.scalars(sa.select(ScoreRecord))}

    report = run_import([csv_file("NS,2026-09,4,80,100,,", "NS,2026-09,3,45,50,,"),
                           SourceFile("quarter-all.json", trimmed("dossier-digitized"))],
                          period="2026-Q3", create_units=True, dry_run=True)
    assert report.ok and report.dry_run and not report.nothing_new
    assert (report.files[0].result.new, report.files[0].result.changed) == (1, 1)
    assert report.files[1].result.new == report.files[1].rows > 0
    assert len(report.created_units) == 3  # province + 2 units, would be created
    db.session.expire_all()
    assert counts(db) == before
    assert {r.id: r.values() for r in db.session.scalars(sa.select(ScoreRecord))} == snapshot


def _percent_xlsx() -> bytes:
    """As a Vietnamese office saves it: the ratio typed as 85,6% (the cell holds 0,856 with a percent format)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Kỳ", "Mã chỉ số", "Tỷ lệ"])
    sheet.append(["NS", "Quý 3/2026", "DOSSIER_SYNC", 0.856])
    sheet["D2"].number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("source", "expected"), [
    (lambda: SourceFile("ty-le.xlsx", _percent_xlsx()),
     {"ratio": Decimal("85.6"), "points": Decimal("5.14"), "numerator": None}),
    (lambda: csv_file("NS,T9/2026,4,2.752,\"3.000\",,"),
     {"ratio": Decimal("91.73"), "points": Decimal("18.35"), "numerator": Decimal(2752)}),
])
def test_what_a_vietnamese_reader_sees_is_imported_and_a_reimport_changes_nothing(ninh_son, db, source, expected):
    report = run_import([source()])
    assert report.ok, [e.message_vi for e in errors_of(report)]
    rec = db.session.scalar(sa.select(ScoreRecord))
    assert {k: getattr(rec, k) for k in expected} == expected
    before = counts(db)
    again = run_import([source()])
    assert again.ok and again.nothing_new and again.total("unchanged") == 1
    assert counts(db) == before  # no revision, no batch


@pytest.mark.parametrize("row", ["NS,2026-09,4,0,0,,", "NS,2026-09,PAYMENT_DOSSIERS,0,0,,"])
def test_zero_over_zero_on_indicators_4_and_10_scores_0_as_the_portal_does(ninh_son, db, row):
    assert run_import([csv_file(row)]).ok
    rec = db.session.scalar(sa.select(ScoreRecord))
    assert (rec.ratio, rec.points) == (Decimal(0), Decimal(0))


def test_a_dry_run_counts_exactly_what_the_import_writes(ninh_son, db):
    """Two files with the same rows: the second changes nothing; the dry run says so too."""
    files = lambda: [csv_file(GOOD_ROW, "NS,2026-09,3,45,50,,", name="a.csv"),  # noqa: E731
                     csv_file(GOOD_ROW, "NS,2026-09,3,45,50,,", name="b.csv")]
    dry = run_import(files(), dry_run=True)
    assert counts(db)["ScoreRecord"] == 0
    real = run_import(files())
    assert [(f.result.new, f.result.changed, f.result.unchanged) for f in dry.files] == [
        (f.result.new, f.result.changed, f.result.unchanged) for f in real.files] == [(2, 0, 0), (0, 0, 2)]
    assert counts(db)["ScoreRecord"] == 2
