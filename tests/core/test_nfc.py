"""Vietnamese typed or saved decomposed (NFD, as macOS and some Windows tools write it) is stored composed (NFC) on
every path: forms, query strings, CSV / XLSX / portal JSON imports, the API, the command line; names match across
the two forms."""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core import tabular
from app.core.text import fold, nfc

NAME = "Phòng Tư pháp Ninh Sơn — Nguyễn Thị Kim Yến"
NFD = unicodedata.normalize("NFD", NAME)
PROCEDURE = "Chứng thực bản sao điện tử từ bản chính"
NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def test_the_two_forms_differ_before_and_match_after():
    assert NFD != NAME and not is_nfc(NFD)
    assert nfc(NFD) == NAME
    assert nfc({"a": [NFD, (NFD, 1)], NFD: None}) == {"a": [NAME, (NAME, 1)], NAME: None}
    assert fold(NFD.upper()) == fold(NAME)


def test_a_form_stores_nfc(demo, db, auth):
    from app.org.models import Unit
    from app.org.services import find_unit_by_code

    auth.login("admin")
    response = auth.client.post("/admin/units/new", data={"code": "NS.NFD", "name": NFD, "kind": "department",
                                                          "parent_id": find_unit_by_code("NS").id, "sort_order": 0})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Unit.name).where(Unit.code == "NS.NFD")) == NAME


def test_a_query_string_arrives_nfc(app):
    with app.test_request_context("/?q=" + NFD):
        from flask import request

        assert request.args["q"] == NAME


def test_the_command_line_stores_nfc(demo, db, runner):
    from app.org.models import Unit

    result = runner.invoke(args=["units", "create", "NS.CLI", "--name", NFD, "--kind", "department",
                                 "--parent", "NS"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Unit.name).where(Unit.code == "NS.CLI")) == NAME


def _dossier_header_and_row(name: str) -> tuple[list[str], list]:
    header = ["MaHoSo", "MaTTHC", "TenTTHC", "MaDonViXuLy", "NgayTiepNhan", "NgayHenTra", "TrangThai"]
    return header, ["NS.TP-NFD-1", "1.001234", name, "NS.TP", "01/10/2026 08:00", "05/10/2026 16:30",
                    unicodedata.normalize("NFD", "Đang xử lý")]


def _stored_procedure_name(db) -> str:
    from app.dossiers.models import Dossier

    db.session.expire_all()
    return db.session.scalar(sa.select(Dossier.procedure_name).where(Dossier.code == "NS.TP-NFD-1"))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_dossier_file_stores_nfc(demo, db, file_format):
    from app.dossiers.importer import DossierFile, import_dossier_files

    header, row = _dossier_header_and_row(unicodedata.normalize("NFD", PROCEDURE))
    if file_format == "csv":
        content = (",".join(header) + "\n" + ",".join(row) + "\n").encode("utf-8")
    else:
        book = Workbook()
        book.active.append(header)
        book.active.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    report = import_dossier_files([DossierFile(f"hoso.{file_format}", content=content)], now=NOW)
    assert report.ok, [e.message for f in report.files for e in f.errors]
    db.session.commit()
    assert _stored_procedure_name(db) == PROCEDURE


def test_the_api_stores_nfc(demo, db, client):
    from app.api.services import issue_token
    from app.auth.services import find_user
    from app.org.services import find_unit_by_code

    _, token = issue_token(find_unit_by_code("NS"), name="Một cửa", actor=find_user("admin"), now=NOW)
    db.session.commit()
    header, row = _dossier_header_and_row(unicodedata.normalize("NFD", PROCEDURE))
    record = dict(zip(header, row, strict=True))
    record.update(NgayTiepNhan="2026-10-01T08:00:00+07:00", NgayHenTra="2026-10-05T16:30:00+07:00")
    response = client.post("/api/v1/dossiers", data=json.dumps(record), content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    assert _stored_procedure_name(db) == PROCEDURE


def test_csv_and_xlsx_cells_come_out_nfc():
    rows = list(tabular.iter_csv(io.BytesIO(f"Tên\n{NFD}\n".encode())))
    assert rows == [(1, ["Tên"]), (2, [NAME])]
    book = Workbook()
    book.active.append([NFD])
    buffer = io.BytesIO()
    book.save(buffer)
    assert list(tabular.iter_xlsx(io.BytesIO(buffer.getvalue()))) == [(1, [NAME])]


def test_a_portal_file_with_nfd_names_matches_the_stored_unit(demo, db):
    """The portal names a commune decomposed: it is the same unit as ours, not a name mismatch."""
    from app.org.services import find_unit_by_code
    from app.scores.importer import import_files
    from app.scores.sources import SourceFile

    unit = find_unit_by_code("NS.MYSON")
    unit.portal_id = "myson-portal"
    db.session.commit()
    body = {"code": "OK", "data": {"parent": None, "children": [
        {"departmentId": "myson-portal", "departmentCode": "NS.MYSON",
         "departmentName": unicodedata.normalize("NFD", unit.name), "totalReceived": 10, "totalOnTime": 9,
         "score": 18, "maxScore": 20}]}}
    report = import_files([SourceFile("cong.json", json.dumps(body, ensure_ascii=False).encode())], period="2026-09",
                          scope="all", dry_run=True)
    db.session.rollback()
    codes = [e.code for f in report.files for e in f.errors]
    assert "name_mismatch" not in codes, [e.message_vi for f in report.files for e in f.errors]


def test_an_orm_object_written_with_nfd_is_flushed_nfc(demo, db):
    from app.org.services import find_unit_by_code

    unit = find_unit_by_code("NS.TP")
    unit.name = NFD
    db.session.flush()
    db.session.expire_all()
    assert find_unit_by_code("NS.TP").name == NAME
