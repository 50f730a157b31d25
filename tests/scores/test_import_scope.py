"""Scope of a portal file without its manifest, values the database would refuse, Excel dates in Ky."""

import io
from datetime import date

import pytest
import sqlalchemy as sa

from app.scores.importer import SourceFile
from app.scores.models import ScoreRecord
from tests.scores.conftest import run_import
from tests.scores.test_import_bad_input import csv_file, trimmed, xlsx_bytes


def count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(ScoreRecord))


@pytest.mark.parametrize("folder", ["dvc-progress-tree", "formality-online-payment-tree"])
def test_a_file_that_cannot_tell_its_scope_needs_one(db, folder):
    source = SourceFile("tai-len.json", trimmed(folder))
    report = run_import([source], period="2026-Q3", create_units=True)
    assert not report.ok and count(db) == 0
    assert "toàn đơn vị hay theo một TTHC" in report.files[0].errors[0].message_vi


@pytest.mark.parametrize(("options", "formality_code"), [
    ({"scope": "all"}, ""),
    ({"formality": "2.000815"}, "2.000815"),
])
def test_the_person_importing_states_the_scope(db, options, formality_code):
    source = SourceFile("tai-len.json", trimmed("dvc-progress-tree"))
    report = run_import([source], period="2026-Q3", create_units=True, **options)
    assert report.ok, report.files[0].errors
    codes = set(db.session.scalars(sa.select(ScoreRecord.formality_code)))
    assert codes == {formality_code}


def test_a_portal_score_above_the_catalog_maximum_is_a_row_error(db):
    def lower(data):
        for unit in data["evaluation"]:
            for m in unit["metrics"]:
                if m["code"] == "DOSSIER_SYNC" and m.get("score") is not None:
                    m["score"] = 9
    report = run_import([SourceFile("minh-bach.json", trimmed("transparency", edit=lower))], period="2026-Q3",
                          create_units=True)
    assert not report.ok and count(db) == 0
    assert any("vượt điểm tối đa" in e.message_vi for e in report.files[0].errors)


def test_an_excel_date_in_ky_is_read_as_its_month(ninh_son, db):
    content = xlsx_bytes([["MaDonVi", "Ky", "MaChiSo", "TuSo", "MauSo"], ["NS", date(2026, 9, 1), "4", 90, 100]])
    report = run_import([SourceFile("diem.xlsx", content)])
    assert report.ok, report.files[0].errors
    rec = db.session.scalar(sa.select(ScoreRecord))
    assert (rec.period_kind, rec.period_start, str(rec.points)) == ("month", date(2026, 9, 1), "18.00")


def test_the_batch_records_its_period(ninh_son, db):
    from app.scores.models import ImportBatch

    run_import([csv_file("NS,2026-09,4,90,100,,")])
    batch = db.session.scalar(sa.select(ImportBatch))
    assert (batch.period_kind, batch.period_start) == ("month", date(2026, 9, 1))


def test_from_the_web_an_admin_imports_only_for_units_in_the_own_tree(demo, db, client, auth):
    auth.login("admin")  # admin of UBND huyện Ninh Sơn
    csv = b"MaDonVi,Ky,MaChiSo,TuSo,MauSo\nNS.LAMSON,2026-09,4,90,100\nNT.BA,2026-09,4,90,100\n"
    response = client.post("/scores/import", data={"files": [(io.BytesIO(csv), "diem.csv")]},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Đơn vị «UBND huyện Bác Ái» (NT.BA) nằm ngoài phạm vi quản lý của bạn" in html
    assert "Đơn vị nằm ngoài phạm vi quản lý của bạn</strong>: 1 trường hợp" in html
    assert count(db) == 0


def test_from_the_web_a_district_admin_cannot_create_another_province(demo, db):
    from app.auth.services import find_user
    from app.org.models import Unit

    units = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
    report = run_import([SourceFile("tai-len.json", trimmed("transparency"))], period="2026-Q3",
                          create_units=True, actor=find_user("admin"))
    assert not report.ok and "ngoài phạm vi quản lý" in report.files[0].errors[0].message_vi
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == units


def test_the_check_previews_new_and_changed_values(ninh_son, db):
    from decimal import Decimal

    run_import([csv_file("NS,2026-09,4,90,100,,")])
    report = run_import([csv_file("NS,2026-09,4,50,100,,", "NS,2026-09,3,6,6,,")], dry_run=True)
    preview = {(c.status, c.subject, c.old_points, c.new_points) for c in report.files[0].result.preview}
    assert preview == {("changed", "4. Tỷ lệ hồ sơ xử lý đúng hạn", Decimal("18.00"), Decimal("10.00")),
                       ("new", "3. Tỷ lệ hồ sơ đồng bộ lên Cổng dịch vụ công quốc gia", None, Decimal("6.00"))}
    assert count(db) == 1  # the check wrote nothing
