"""Random rows thrown at every importer (score CSV / XLSX, portal JSON, dossier CSV / XLSX, the dossier API): each
either imports or reports errors naming a row or the file; none raises, and none half-writes (a refused import
leaves the row counts as they were)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

VIETNAMESE = ["Nguyễn Thị Kim Yến", "Chứng thực bản sao", "Đang xử lý", "Đã trả kết quả", "Tư pháp", "ỷ", "Ư"]
texts = st.one_of(
    st.sampled_from(VIETNAMESE),
    st.sampled_from(VIETNAMESE).map(lambda t: unicodedata.normalize("NFD", t)),
    st.text(max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=5),  # control characters
)
numbers = st.one_of(st.integers(min_value=-10**20, max_value=10**20).map(str), st.floats(allow_nan=True).map(str),
                    st.sampled_from(["1.234", "1,5", "85,6%", "-0", "1e308", "", " ", "∞"]))
dates = st.one_of(st.sampled_from(["01/10/2026 08:00", "2026-10-02T08:00:00+07:00", "31/02/2026", "2026-13-01",
                                   "10/1/26", "0000-00-00", "1/1/1", "99999-01-01", "hôm qua", ""]),
                  st.datetimes().map(lambda d: d.isoformat()))
cells = st.one_of(texts, numbers, dates, st.just(""))


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _all_errors_say_where(errors) -> None:
    for e in errors:
        message = getattr(e, "message_vi", None) or getattr(e, "message", "")
        assert message and isinstance(message, str)


# ---------------------------------------------------------------- scores

SCORE_HEADER = ["MaDonVi", "Ky", "MaChiSo", "TuSo", "MauSo", "TyLe", "Diem"]
score_rows = st.lists(st.tuples(st.one_of(st.sampled_from(["NS", "NS.TP", "NS.MYSON"]), texts),
                                st.one_of(st.sampled_from(["2026-09", "2026-Q3", "2026"]), dates, texts),
                                st.one_of(st.sampled_from(["4", "5", "PROGRESS_ON_TIME", "16b"]), texts),
                                numbers, numbers, numbers, numbers).map(list), min_size=0, max_size=8)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_score_files_import_or_report_never_crash_never_half_write(demo, db, file_format):
    from app.scores.importer import import_files
    from app.scores.models import ImportBatch, ScoreRecord
    from app.scores.sources import SourceFile

    make = _csv if file_format == "csv" else _xlsx

    @FUZZ
    @given(rows=score_rows)
    def check(rows):
        before = (_count(db, ScoreRecord), _count(db, ImportBatch))
        report = import_files([SourceFile(f"diem.{file_format}", make(SCORE_HEADER, rows))], max_rows=1000)
        errors = [e for f in report.files for e in f.errors]
        if report.ok:
            assert _count(db, ScoreRecord) == before[0] + report.total("new")
        else:
            assert errors
            _all_errors_say_where(errors)
            assert (_count(db, ScoreRecord), _count(db, ImportBatch)) == before
        db.session.rollback()

    check()


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts),
                           lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(st.sampled_from(
                                                       ["code", "data", "parent", "children", "departmentId",
                                                        "departmentName", "departmentCode", "score", "maxScore",
                                                        "totalReceived", "totalOnTime", "metrics"]) | texts,
                                                       inner, max_size=5)), max_leaves=20)


def test_portal_json_imports_or_reports_never_crashes(demo, db):
    from app.scores.importer import import_files
    from app.scores.models import ScoreRecord
    from app.scores.sources import SourceFile

    @FUZZ
    @given(body=json_values)
    def check(body):
        before = _count(db, ScoreRecord)
        content = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        report = import_files([SourceFile("cong.json", content)], period="2026-09", scope="all")
        if not report.ok:
            _all_errors_say_where([e for f in report.files for e in f.errors])
            assert _count(db, ScoreRecord) == before
        db.session.rollback()

    check()


# ---------------------------------------------------------------- dossiers

DOSSIER_HEADER = ["MaHoSo", "MaTTHC", "TenTTHC", "MaDonViXuLy", "CanBoXuLy", "KenhThucHien", "NgayTiepNhan",
                  "NgayHenTra", "NgayKetThucXuLy", "TrangThai", "SoLanBoSung", "DanhGia"]
dossier_rows = st.lists(st.tuples(
    st.one_of(st.sampled_from(["NS.TP-1", "NS.TP-2", "NS.MYSON-1"]), texts), st.one_of(st.just("1.001234"), texts),
    texts, st.one_of(st.sampled_from(["NS.TP", "NS.MYSON", "NT.TN"]), texts), st.one_of(st.just("hatlt"), texts),
    st.one_of(st.sampled_from(["1", "2", "3"]), numbers), dates, dates, dates,
    st.one_of(st.sampled_from(["Đang xử lý", "Đã trả kết quả", "processing"]), texts), numbers,
    numbers).map(list), min_size=0, max_size=8)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_dossier_files_import_or_report_never_crash_never_half_write(demo, db, file_format):
    from app.auth.services import find_user
    from app.dossiers.importer import DossierFile, import_dossier_files
    from app.dossiers.models import Dossier

    make = _csv if file_format == "csv" else _xlsx
    admin = find_user("admin")

    @FUZZ
    @given(rows=dossier_rows)
    def check(rows):
        before = _count(db, Dossier)
        report = import_dossier_files([DossierFile(f"hoso.{file_format}", content=make(DOSSIER_HEADER, rows))],
                                      now=NOW, actor=admin, max_rows=1000)
        if report.ok:
            assert _count(db, Dossier) == before + report.total("new")
        else:
            _all_errors_say_where([e for f in report.files for e in f.errors])
        db.session.rollback()  # what every entry point does with a refused import
        assert _count(db, Dossier) == before

    check()


def test_the_dossier_api_answers_or_refuses_never_500_never_half_writes(demo, db, client):
    from app.api.services import issue_token
    from app.auth.services import find_user
    from app.dossiers.models import Dossier
    from app.org.services import find_unit_by_code

    _, token = issue_token(find_unit_by_code("NS"), name="Một cửa", actor=find_user("admin"), now=NOW)
    db.session.commit()
    records = st.lists(st.one_of(st.builds(lambda row: dict(zip(DOSSIER_HEADER, row, strict=True)),
                                           dossier_rows.filter(bool).map(lambda rows: rows[0])), json_values),
                       min_size=0, max_size=4)

    @FUZZ
    @given(body=records)
    def check(body):
        before = _count(db, Dossier)
        response = client.post("/api/v1/dossiers", data=json.dumps(body, ensure_ascii=False).encode("utf-8",
                                                                                                  "surrogatepass"),
                               content_type="application/json", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 400, 403, 413, 422), response.get_data(as_text=True)[:500]
        assert response.is_json
        if response.status_code != 200:
            assert response.get_json().get("detail")
            assert _count(db, Dossier) == before
        else:
            db.session.execute(sa.delete(Dossier))  # keep the next example's start the same
            db.session.commit()

    check()
