"""Upload limits and the XLSX check (app/core/uploads.py): a zip bomb, a macro workbook, external links, an encrypted
file and files over the limits are refused before parsing, on the upload pages (the page with a Vietnamese message,
never a bare 413) and on the command line (naming the file and the limit). Time and memory: tests/bench."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core import tabular, uploads
from app.core.uploads import MB, Limits, file_refusal, xlsx_problem
from tests.dossiers.test_import import HEADER as DOSSIER_HEADER
from tests.dossiers.test_import import ROWS as DOSSIER_ROWS

HEADER = "MaDonVi,Ky,MaChiSo,TuSo,MauSo"


def workbook(rows=(("MaDonVi", "Ky"), ("NS", "2026-09"))) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_parts(base: bytes, parts: dict[str, bytes], *, types_extra: str = "") -> bytes:
    """A copy of workbook `base` with more parts (and something added to [Content_Types].xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml" and types_extra:
                data = data.replace(b"</Types>", types_extra.encode() + b"</Types>")
            dst.writestr(item, data)
        for name, data in parts.items():
            dst.writestr(name, data)
    return out.getvalue()


def zip_bomb(megabytes: int = 40) -> bytes:
    """A workbook whose sheet inflates to `megabytes` of XML from a few tens of kB (ratio ≈ 1000)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item))
        with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk = b"<row>" + b"<c><v>0</v></c>" * 1000 + b"</row>"
            for _ in range(megabytes * MB // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def lying_bomb() -> bytes:
    """A small workbook whose central directory declares a sheet of 4 GB (what zipfile would let it inflate to)."""
    data = bytearray(workbook())
    end = data.rfind(b"PK\x05\x06")
    start = int.from_bytes(data[end + 16:end + 20], "little")
    position = start
    while data[position:position + 4] == b"PK\x01\x02":
        name_len = int.from_bytes(data[position + 28:position + 30], "little")
        extra = int.from_bytes(data[position + 30:position + 32], "little")
        comment = int.from_bytes(data[position + 32:position + 34], "little")
        if data[position + 46:position + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            data[position + 24:position + 28] = (0xFFFFFFFE).to_bytes(4, "little")
        position += 46 + name_len + extra + comment
    return bytes(data)


# ---------------------------------------------------------------- the XLSX check


def test_an_ordinary_workbook_passes_and_is_read():
    content = workbook()
    assert xlsx_problem(io.BytesIO(content)) is None
    assert list(tabular.iter_xlsx(io.BytesIO(content))) == [(1, ["MaDonVi", "Ky"]), (2, ["NS", "2026-09"])]


@pytest.mark.parametrize(("content", "message"), [
    (zip_bomb(), "zip bomb"),
    (lying_bomb(), "khi giải nén lên tới"),
    (with_parts(workbook(), {"xl/vbaProject.bin": b"\x00" * 100}), "có macro"),
    (with_parts(workbook(), {}, types_extra='<Default Extension="bin" ContentType="application/vnd.ms-office.'
                                           'vbaProject"/>'), "có macro"),
    (with_parts(workbook(), {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}), "liên kết tới tệp khác"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "mật khẩu"),
    (b"MaDonVi,Ky\nNS,2026-09\n", "không phải Excel"),
    (with_parts(workbook(), {f"xl/media/image{i}.png": b"x" for i in range(2100)}), "phần bên trong"),
])
def test_a_dangerous_or_broken_xlsx_is_refused_before_parsing(content, message, monkeypatch):
    def never(*_a, **_k):
        raise AssertionError("openpyxl must not be reached")

    monkeypatch.setattr("openpyxl.load_workbook", never)
    assert message in xlsx_problem(io.BytesIO(content))
    with pytest.raises(tabular.TableError, match=message):
        list(tabular.iter_xlsx(io.BytesIO(content)))


def test_an_encrypted_zip_entry_is_refused():
    data = bytearray(workbook())
    position = data.find(b"PK\x01\x02")
    data[position + 8] |= 0x1  # the central directory's "encrypted" flag of the first entry
    assert "mã hóa" in xlsx_problem(io.BytesIO(bytes(data)))


# ---------------------------------------------------------------- sizes and rows


@pytest.mark.parametrize(("name", "size", "refused"), [
    ("a.csv", 20 * MB, False), ("a.csv", 20 * MB + 1, True), ("a.xlsx", 10 * MB + 1, True),
    ("cong.json", 8 * MB, False), ("cong.json", 8 * MB + 1, True), ("A.XLSX", 5 * MB, False),
])
def test_each_kind_of_file_has_its_size_limit(name, size, refused):
    message = file_refusal(name, size, Limits())
    assert (message is not None) == refused
    if refused:
        assert f"«{name}»" in message and "vượt giới hạn" in message


def test_limits_come_from_the_config(app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_CSV_MB", 0.5)
    monkeypatch.setitem(app.config, "UPLOAD_MAX_ROWS", 7)
    limits = Limits.from_config(app.config)
    assert (limits.csv_bytes, limits.max_rows) == (MB // 2, 7)
    assert "CSV 512 kB" in limits.summary() and "tối đa 7 dòng" in limits.summary()
    assert limits.widened(max_mb=100, max_rows=10**6).csv_bytes == 100 * MB


def test_a_table_with_more_rows_than_allowed_is_refused_with_its_row():
    content = ("a,b\n" + "x,1\n" * 11).encode()
    table = tabular.open_table(io.BytesIO(content), "csv", max_rows=10)
    with pytest.raises(tabular.TableError, match="hơn 10 dòng") as caught:
        list(table.rows())
    assert caught.value.value == 12


# ---------------------------------------------------------------- the upload pages


@pytest.fixture
def admin(demo, auth, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    auth.login("admin")
    return auth.client


def _post(client, url: str, files: list[tuple[bytes, str]]):
    data = {"files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(url, data=data, content_type="multipart/form-data")


def _records(db):
    from app.dossiers.models import Dossier
    from app.scores.models import ScoreRecord

    return [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (ScoreRecord, Dossier)]


@pytest.mark.parametrize("url", ["/scores/import", "/dossiers/import"])
def test_a_request_over_the_limit_gets_the_page_with_a_message_not_a_bare_413(admin, app, db, url, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    before = _records(db)
    response = _post(admin, url, [(b"x" * 100_000, "lon.csv")])
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "vượt 64 kB mỗi lần" in page and "<form" in page and "Giới hạn mỗi lần gửi" in page
    assert _records(db) == before


def test_with_csrf_on_the_refusal_still_renders_the_page(admin, app, db, monkeypatch):
    """The CSRF check reads the form first: the 413 it meets is answered with the import page too."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = _post(admin, "/scores/import", [(b"x" * 100_000, "lon.csv")])
    assert response.status_code == 413
    assert "Tổng dung lượng gửi lên vượt" in response.get_data(as_text=True)


def test_someone_who_may_not_import_gets_the_usual_413_page_not_the_import_page(demo, auth, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # the CSRF check meets the 413 before the view
    auth.login("yenntk")
    response = _post(auth.client, "/scores/import", [(b"x" * 5000, "lon.csv")])
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Tệp quá lớn" in page and "Giới hạn mỗi lần gửi" not in page


@pytest.mark.parametrize("url", ["/scores/import", "/dossiers/import"])
def test_a_file_over_its_kinds_limit_is_refused_naming_it(admin, app, db, url, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_CSV_MB", 0.05)
    response = _post(admin, url, [(f"{HEADER}\n".encode() + b"NS,2026-09,4,1,2\n" * 5000, "to.csv")])
    assert response.status_code == 422
    assert "Tệp «to.csv» (83 kB) vượt giới hạn 51 kB cho một tệp CSV" in response.get_data(as_text=True)


def test_too_many_files_are_refused(admin, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_FILES", 3)
    response = _post(admin, "/scores/import", [(b"{}", f"t{i}.json") for i in range(4)])
    assert response.status_code == 422
    assert "Tối đa 3 tệp mỗi lần (lần này 4 tệp)." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/scores/import", "/dossiers/import"])
def test_a_zip_bomb_uploaded_is_reported_and_nothing_is_written(admin, db, url):
    before = _records(db)
    response = _post(admin, url, [(zip_bomb(), "bom.xlsx")])
    assert response.status_code == 422
    assert "zip bomb" in response.get_data(as_text=True)
    assert _records(db) == before


@pytest.mark.parametrize(("url", "content"), [
    ("/scores/import", f"{HEADER}\n" + "NS,2026-09,4,1,2\n" * 3),
    ("/dossiers/import", "\n".join((DOSSIER_HEADER, *DOSSIER_ROWS, ""))),
])
def test_more_rows_than_allowed_are_refused_on_the_page(admin, app, db, url, content, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_ROWS", 2)
    before = _records(db)
    response = _post(admin, url, [(content.encode(), "nhieu.csv")])
    assert response.status_code == 422
    assert "Tệp có hơn 2 dòng số liệu" in response.get_data(as_text=True)
    assert _records(db) == before


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize("group", ["scores", "dossiers"])
def test_the_cli_refuses_a_file_over_the_limit_naming_it_and_the_limit(demo, db, runner, app, tmp_path, group,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_CSV_MB", 1)
    path = tmp_path / "lon.csv"
    with open(path, "wb") as handle:
        handle.write(f"{HEADER}\n".encode())
        handle.truncate(2 * MB)
    before = _records(db)
    result = runner.invoke(args=[group, "import", str(path)])
    assert result.exit_code != 0
    assert "Tệp «lon.csv» (2 MB) vượt giới hạn 1 MB cho một tệp CSV" in result.output
    assert "--max-mb" in result.output
    assert _records(db) == before


@pytest.mark.parametrize("group", ["scores", "dossiers"])
def test_the_cli_refuses_a_zip_bomb(demo, db, runner, tmp_path, group):
    path = tmp_path / "bom.xlsx"
    path.write_bytes(zip_bomb())
    result = runner.invoke(args=[group, "import", str(path)])
    assert result.exit_code != 0
    assert "zip bomb" in result.output


def test_the_cli_may_raise_the_row_limit_for_one_run(demo, db, runner, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_ROWS", 1)
    path = tmp_path / "diem.csv"
    path.write_text(f"{HEADER}\nNS,2026-09,4,90,100\nNS,2026-09,5,45,50\n", encoding="utf-8")
    refused = runner.invoke(args=["scores", "import", "--dry-run", str(path)])
    assert refused.exit_code != 0 and "Tệp có hơn 1 dòng số liệu" in refused.output
    allowed = runner.invoke(args=["scores", "import", "--dry-run", "--max-rows", "10", str(path)])
    assert allowed.exit_code == 0, allowed.output


def test_uploads_module_names_no_flask_at_import():
    assert uploads.Limits().max_files == 60
