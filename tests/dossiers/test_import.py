"""Dossier import (formats.md «Dossiers»): CSV / XLSX files checked row by row, upserted all or nothing, idempotent,
dry runs that count exactly, a 50,000-row file in bounded memory; the command line and the upload page."""

from __future__ import annotations

import gc
import io
import re
import tracemalloc
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core.time import VN_TZ
from app.dossiers import importer, services
from app.dossiers.importer import DossierFile, import_dossier_files
from app.dossiers.models import Dossier

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)
HEADER = ("MaHoSo,MaTTHC,TenTTHC,MaDonViXuLy,MaDonViTiepNhan,CanBoXuLy,KenhThucHien,NgayTiepNhan,NgayHenTra,"
          "NgayKetThucXuLy,NgayTraKetQua,TrangThai,SoLanBoSung,NgayXinLoi,NgayHenTraMoi,ThanhToanTrucTuyen,SoHoa,"
          "KetQuaDienTu,DanhGia")
ROWS = [
    "NS.TP-261001-0001,1.001234,Chứng thực bản sao,NS.TP,NS.MC,hatlt,1,01/10/2026 08:00,05/10/2026 16:30,"
    "05/10/2026 09:00,05/10/2026 10:00,Đã trả kết quả,0,,,1,1,1,5",
    "NS.TP-261002-0002,1.001234,Chứng thực bản sao,NS.TP,,,2,2026-10-02T08:00:00+07:00,2026-10-09,,,Đang xử lý,1,"
    "08/10/2026 10:00,12/10/2026,0,0,0,",
    "NS.MYSON-261003-0001,2.000815,Đăng ký khai sinh,NS.MYSON,,,3,03/10/2026 14:05,06/10/2026,,,processing,,,,,,,",
]


def csv_file(*rows: str, header: str = HEADER, name: str = "hoso.csv") -> DossierFile:
    return DossierFile(name, content="\n".join((header, *rows, "")).encode("utf-8"))


def at(text: str) -> datetime:
    """'2026-10-01 08:00' in Vietnam time, as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ).astimezone(UTC)


def stored(db) -> dict[str, Dossier]:
    db.session.expire_all()
    return {d.code: d for d in db.session.scalars(sa.select(Dossier))}


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))


def run(*files: DossierFile, now=NOW, commit=True, **kw):
    from app.extensions import db

    report = import_dossier_files(list(files), now=now, **kw)
    if commit and report.ok and not kw.get("dry_run"):
        db.session.commit()
    else:
        db.session.rollback()
    return report


def errors_of(report) -> list:
    return [e for f in report.files for e in f.errors]


def counts(report) -> tuple[int, int, int]:
    return report.total("new"), report.total("changed"), report.total("unchanged")


# ---------------------------------------------------------------- good files


def test_a_good_csv_imports_every_column(demo, db):
    from app.auth.services import find_user
    from app.org.services import find_unit_by_code

    report = run(csv_file(*ROWS))
    assert report.ok, [e.message for e in errors_of(report)]
    assert counts(report) == (3, 0, 0)
    rows = stored(db)
    first = rows["NS.TP-261001-0001"]
    assert (first.procedure_code, first.procedure_name) == ("1.001234", "Chứng thực bản sao")
    assert first.handling_unit == find_unit_by_code("NS.TP") and first.receiving_unit == find_unit_by_code("NS.MC")
    assert first.handling_officer == find_user("hatlt")
    assert (first.channel, first.status, first.is_open, first.supplement_count, first.rating) == (1, "returned", False,
                                                                                                 0, 5)
    assert (first.received_at, first.due_at) == (at("2026-10-01 08:00"), at("2026-10-05 16:30"))
    assert (first.finished_at, first.returned_at) == (at("2026-10-05 09:00"), at("2026-10-05 10:00"))
    assert first.ended_at == first.finished_at  # the portal's end time: finished, else returned
    assert (first.paid_online, first.digitized, first.e_result) == (True, True, True)
    assert (first.created_at, first.updated_at, first.source) == (NOW, NOW, "mot-cua")

    second = rows["NS.TP-261002-0002"]
    assert second.receiving_unit == second.handling_unit  # MaDonViTiepNhan defaults to MaDonViXuLy
    assert (second.channel, second.status, second.is_open, second.ended_at) == (2, "processing", True, None)
    assert second.received_at == at("2026-10-02 08:00")
    assert second.due_at == at("2026-10-09 23:59:59")  # a due date alone: due that whole day
    assert (second.apology_at, second.new_due_at) == (at("2026-10-08 10:00"), at("2026-10-12 23:59:59"))
    assert (second.paid_online, second.digitized, second.e_result, second.rating) == (False, False, False, None)

    third = rows["NS.MYSON-261003-0001"]
    assert (third.status, third.channel, third.supplement_count, third.paid_online) == ("processing", 3, 0, None)


def test_a_reimport_changes_nothing(demo, db):
    run(csv_file(*ROWS))
    again = run(csv_file(*ROWS), now=LATER)
    assert again.ok and counts(again) == (0, 0, 3)
    assert again.nothing_new
    assert {d.updated_at for d in stored(db).values()} == {NOW}


def test_a_changed_row_updates_only_that_dossier(demo, db):
    run(csv_file(*ROWS))
    changed = ROWS[1].replace("Đang xử lý", "Tạm dừng")
    report = run(csv_file(ROWS[0], changed, ROWS[2]), now=LATER)
    assert counts(report) == (0, 1, 2)
    rows = stored(db)
    assert (rows["NS.TP-261002-0002"].status, rows["NS.TP-261002-0002"].updated_at) == ("paused", LATER)
    assert rows["NS.TP-261002-0002"].created_at == NOW
    assert {rows[c].updated_at for c in ("NS.TP-261001-0001", "NS.MYSON-261003-0001")} == {NOW}


def test_a_dossier_that_closes_gets_its_end(demo, db):
    run(csv_file(*ROWS))
    closed = ROWS[1].replace(",,,Đang xử lý", ",07/10/2026 15:00,,Đã xử lý xong")
    report = run(csv_file(closed), now=LATER)
    assert counts(report) == (0, 1, 0)
    dossier = stored(db)["NS.TP-261002-0002"]
    assert (dossier.status, dossier.is_open, dossier.ended_at) == ("done", False, at("2026-10-07 15:00"))


def test_an_other_source_keeps_its_own_codes(demo, db):
    run(csv_file(*ROWS))
    report = run(csv_file(ROWS[0]), source="igate")
    assert counts(report) == (1, 0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).where(Dossier.code == "NS.TP-261001-0001")) == 2


@pytest.mark.parametrize(("header", "row"), [
    pytest.param("Mã hồ sơ;Mã TTHC;Mã đơn vị xử lý;Ngày tiếp nhận;Ngày hẹn trả;Trạng thái;Ngày trả kết quả",
                 "H1;1.001234;NS.TP;01/10/2026 08:00;05/10/2026;đã trả kết quả;05/10/2026 10:00",
                 id="vietnamese-headers-semicolons-lower-case-status"),
    pytest.param("MAHOSO\tMATTHC\tMADONVIXULY\tNGAYTIEPNHAN\tNGAYHENTRA\tTRANGTHAI\tNGAYKETTHUCXULY",
                 "H1\t1.001234\tNS.TP\t1/10/2026 8:00\t2026-10-05 16:30\tDA XU LY XONG\t2026-10-05T02:00:00Z",
                 id="upper-case-tabs-without-diacritics-utc"),
    pytest.param("MaHoSo,MaTTHC,MaDonViXuLy,NgayTiepNhan,NgayHenTra,TrangThai,NgayKetThucXuLy,GhiChu",
                 "H1,1.001234,ns.tp,08:00 01/10/2026,05.10.2026,done,14h05 04/10/2026,cột thêm",
                 id="time-first-dotted-dates-extra-column"),
])
def test_headers_dates_and_statuses_as_offices_write_them(demo, db, header, row):
    report = run(csv_file(row, header=header))
    assert report.ok, [e.message for e in errors_of(report)]
    assert counts(report) == (1, 0, 0)
    dossier = stored(db)["H1"]
    assert dossier.received_at == at("2026-10-01 08:00")
    assert not dossier.is_open and dossier.ended_at is not None


def test_utf16_and_bom_files_are_read(demo, db):
    content = "\n".join((HEADER.replace(",", "\t"), ROWS[2].replace(",", "\t"))).encode("utf-16")
    assert counts(run(DossierFile("hoso.csv", content=content))) == (1, 0, 0)
    bom = ("\ufeff" + "\n".join((HEADER, ROWS[1]))).encode("utf-8")
    assert counts(run(DossierFile("hoso.csv", content=bom))) == (1, 0, 0)


# ---------------------------------------------------------------- bad rows

GOOD = ROWS[1]


def row(**changes) -> str:
    """The good open dossier ROWS[1] with some columns changed."""
    cells = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    cells.update(changes)
    return ",".join(cells[c] for c in HEADER.split(","))


BAD_ROWS = [
    pytest.param(row(NgayHenTra="01/10/2026"), "NgayHenTra", "01/10/2026",
                 "NgayHenTra «01/10/2026» trước NgayTiepNhan «2026-10-02T08:00:00+07:00»", id="due-before-received"),
    pytest.param(row(TrangThai="Đã xử lý xong", NgayKetThucXuLy="01/10/2026 09:00"), "NgayKetThucXuLy",
                 "01/10/2026 09:00", "NgayKetThucXuLy «01/10/2026 09:00» trước NgayTiepNhan", id="finished-before-received"),
    pytest.param(row(TrangThai="Đã trả kết quả", NgayTraKetQua="2026-09-30"), "NgayTraKetQua", "2026-09-30",
                 "NgayTraKetQua «2026-09-30» trước NgayTiepNhan", id="returned-before-received"),
    pytest.param(row(TrangThai="Đã xử lý xong"), "NgayKetThucXuLy", None,
                 "Trạng thái «Đã xử lý xong» là hồ sơ đã kết thúc: cần NgayKetThucXuLy hoặc NgayTraKetQua",
                 id="done-without-end"),
    pytest.param(row(TrangThai="Từ chối"), "NgayKetThucXuLy", None, "Trạng thái «Từ chối» là hồ sơ đã kết thúc",
                 id="rejected-without-end"),
    pytest.param(row(TrangThai="withdrawn"), "NgayKetThucXuLy", None, "«Công dân rút hồ sơ» là hồ sơ đã kết thúc",
                 id="withdrawn-code-without-end"),
    pytest.param(row(NgayKetThucXuLy="05/10/2026 09:00"), "NgayKetThucXuLy", "05/10/2026 09:00",
                 "Trạng thái «Đang xử lý» là hồ sơ chưa kết thúc nhưng có NgayKetThucXuLy «05/10/2026 09:00»",
                 id="open-with-finish-date"),
    pytest.param(row(TrangThai="Yêu cầu bổ sung", NgayTraKetQua="05/10/2026"), "NgayTraKetQua", "05/10/2026",
                 "là hồ sơ chưa kết thúc nhưng có NgayTraKetQua «05/10/2026»", id="open-with-return-date"),
    pytest.param(row(MaDonViXuLy="NS.KHONGCO"), "MaDonViXuLy", "NS.KHONGCO", "Không có đơn vị mã «NS.KHONGCO»",
                 id="unknown-handling-unit"),
    pytest.param(row(MaDonViTiepNhan="XX"), "MaDonViTiepNhan", "XX", "Không có đơn vị mã «XX» (MaDonViTiepNhan)",
                 id="unknown-receiving-unit"),
    pytest.param(row(CanBoXuLy="khongco"), "CanBoXuLy", "khongco", "Không có tài khoản cán bộ «khongco»",
                 id="unknown-officer"),
    pytest.param(row(TrangThai="Đang chờ"), "TrangThai", "Đang chờ", "Không có trạng thái «Đang chờ»",
                 id="unknown-status"),
    pytest.param(row(NgayTiepNhan="31/02/2026"), "NgayTiepNhan", "31/02/2026",
                 "NgayTiepNhan: «31/02/2026» không đúng: tháng 2/2026 không có ngày 31.",
                 id="no-such-day"),
    pytest.param(row(NgayTiepNhan="10/13/2026"), "NgayTiepNhan", "10/13/2026", "không có tháng 13 (ngày viết theo "
                 "thứ tự ngày/tháng/năm", id="month-13-us-order"),
    pytest.param(row(NgayHenTra="hôm qua"), "NgayHenTra", "hôm qua", "«hôm qua» không phải ngày giờ: viết 30/09/2026",
                 id="not-a-date"),
    pytest.param(row(NgayTiepNhan="02/10/2026 25:00"), "NgayTiepNhan", "02/10/2026 25:00", "giờ phải từ 00:00 đến 23:59",
                 id="hour-25"),
    pytest.param(row(NgayHenTraMoi="08/10/2026"), "NgayHenTraMoi", "08/10/2026",
                 "NgayHenTraMoi «08/10/2026» trước NgayHenTra «2026-10-09»", id="new-due-before-due"),
    pytest.param(row(MaHoSo=""), "MaHoSo", None, "MaHoSo không được để trống", id="no-code"),
    pytest.param(row(MaTTHC=" "), "MaTTHC", None, "MaTTHC không được để trống", id="no-procedure"),
    pytest.param(row(NgayTiepNhan=""), "NgayTiepNhan", None, "NgayTiepNhan không được để trống", id="no-received"),
    pytest.param(row(MaHoSo="H" * 81), "MaHoSo", "H" * 59 + "…", "MaHoSo dài 81 ký tự, tối đa 80",
                 id="code-too-long"),
    pytest.param(row(KenhThucHien="4"), "KenhThucHien", "4", "KenhThucHien ghi 1 (trực tiếp), 2 (trực tuyến)",
                 id="channel-4"),
    pytest.param(row(DanhGia="6"), "DanhGia", "6", "DanhGia «6» phải từ 1 đến 5", id="rating-6"),
    pytest.param(row(SoHoa="có lẽ"), "SoHoa", "có lẽ", "ghi 1 (có) hoặc 0 (không)", id="flag-maybe"),
    pytest.param(row(SoLanBoSung="-1"), "SoLanBoSung", "-1", "SoLanBoSung không được âm", id="supplements-negative"),
    pytest.param(row(SoLanBoSung="1.5"), "SoLanBoSung", "1.5", "không phải số nguyên", id="supplements-fraction"),
]


@pytest.mark.parametrize(("bad", "column", "value", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_with_row_column_and_value_and_nothing_is_written(demo, db, bad, column, value,
                                                                                  message):
    report = run(csv_file(ROWS[0], bad, ROWS[2]))
    assert report.ok is False
    found = [e for e in errors_of(report) if e.column == column]
    assert found, [(e.row, e.column, e.message) for e in errors_of(report)]
    assert (found[0].row, found[0].value) == (3, value)
    assert message in found[0].message, found[0].message
    assert count(db) == 0


def test_an_inactive_officer_is_refused(demo, db):
    from app.auth.services import deactivate, find_user

    deactivate(find_user("hatlt"), now=NOW)
    db.session.commit()
    report = run(csv_file(ROWS[0]))
    (error,) = errors_of(report)
    assert (error.row, error.column, error.value, error.code) == (2, "CanBoXuLy", "hatlt", "inactive_officer")
    assert "đã bị khóa" in error.message
    assert count(db) == 0


def test_a_duplicate_code_names_both_rows(demo, db):
    report = run(csv_file(ROWS[0], ROWS[1], ROWS[0].replace("Đã trả kết quả", "Đã xử lý xong")))
    dups = sorted((e.row, e.column, e.message) for e in errors_of(report))
    assert dups == [(2, "MaHoSo", "MaHoSo «NS.TP-261001-0001» trùng với dòng 4."),
                    (4, "MaHoSo", "MaHoSo «NS.TP-261001-0001» trùng với dòng 2.")]
    assert count(db) == 0


def test_every_bad_row_is_reported_not_only_the_first(demo, db):
    report = run(csv_file(ROWS[0], row(NgayHenTra="x"), row(MaHoSo="B2", MaDonViXuLy="XX"), row(MaHoSo="B3",
                                                                                                TrangThai="?")))
    assert {(e.row, e.column) for e in errors_of(report)} == {(3, "NgayHenTra"), (4, "MaDonViXuLy"), (5, "TrangThai")}


@pytest.mark.parametrize(("file", "row_no", "column", "message"), [
    pytest.param(csv_file(ROWS[0], header=HEADER.replace("NgayHenTra,", "")), 1, "NgayHenTra",
                 "Thiếu cột bắt buộc: NgayHenTra", id="missing-column"),
    pytest.param(csv_file(), None, None, "Tệp chỉ có hàng tiêu đề", id="header-only"),
    pytest.param(DossierFile("hoso.csv", content=b""), None, None, "Tệp CSV trống", id="empty"),
    pytest.param(DossierFile("hoso.csv", content="\n".join((HEADER, "Lâm Sơn")).encode("cp1258")), None,
                 None, "ký tự lỗi đầu tiên ở dòng 2", id="windows-1258"),
    pytest.param(DossierFile("hoso.txt", content=b"x"), None, None, "Chỉ nhận tệp .csv hoặc .xlsx", id="not-a-table"),
    pytest.param(DossierFile("hoso.xlsx", content=b"PK\x03\x04 damaged"), None, None, "Tệp XLSX hỏng", id="bad-xlsx"),
])
def test_a_bad_file_is_refused_whole(demo, db, file, row_no, column, message):
    report = run(file)
    (error,) = errors_of(report)
    assert (error.row, error.column) == (row_no, column)
    assert message in error.message
    assert count(db) == 0


def test_a_unit_outside_the_admins_tree_is_refused(demo, db):
    from app.auth.services import find_user

    outside = row(MaHoSo="TN-1", MaDonViXuLy="NT.TN")
    report = run(csv_file(ROWS[0], outside), actor=find_user("admin"))
    (error,) = errors_of(report)
    assert (error.row, error.column, error.value, error.code) == (3, "MaDonViXuLy", "NT.TN", "outside_tree")
    assert count(db) == 0
    assert run(csv_file(ROWS[0], outside), actor=find_user("quantri")).ok  # the province admin's tree holds it


def test_only_an_admin_may_import(demo, db):
    from app.auth.services import find_user
    from app.core.errors import DomainError

    with pytest.raises(DomainError, match="Chỉ quản trị"):
        import_dossier_files([csv_file(*ROWS)], now=NOW, actor=find_user("hungdv"))


def test_a_repeated_problem_is_summarised_per_value(demo, db):
    rows = [row(MaHoSo=f"X{i}", MaDonViXuLy="NS.MOI" if i % 2 else "NS.CU") for i in range(7)]
    report = run(csv_file(*rows))
    (summary,) = report.summaries()
    assert (summary.code, summary.count, summary.distinct, summary.files) == ("unknown_unit", 7, 2, 1)
    assert summary.examples == ["«NS.CU»: 4 dòng (dòng 2, 4, 6, 8) — hoso.csv",
                                "«NS.MOI»: 3 dòng (dòng 3, 5, 7) — hoso.csv"]
    assert report.files[0].listed_errors() == []  # not repeated row by row


def test_row_errors_are_kept_within_a_bound(demo, db, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROW_ERRORS", 10)
    report = run(csv_file(*(row(MaHoSo=f"X{i}", NgayHenTra="x") for i in range(25))))
    f = report.files[0]
    assert (f.errors.count, len(f.listed_errors()), f.unlisted) == (25, 10, 15)


def test_a_kind_of_error_repeated_past_ten_rows_is_shown_ten_times_then_counted(demo, db):
    report = run(csv_file(*(row(MaHoSo=f"X{i}", NgayHenTra="01/10/2026") for i in range(13)), row(MaHoSo="Y",
                                                                                                    DanhGia="0")))
    shown, repeated = report.files[0].shown_errors()
    assert [(e.row, e.column) for e in shown] == [(r, "NgayHenTra") for r in range(2, 12)] + [(15, "DanhGia")]
    assert [str(m) for m in repeated] == ["… và 3 dòng khác cùng loại lỗi ở cột NgayHenTra (dòng 12, 13, 14)"]


def test_one_bad_file_among_good_ones_writes_nothing(demo, db):
    report = run(csv_file(*ROWS, name="tot.csv"), csv_file(row(NgayHenTra="x"), name="sai.csv"))
    assert not report.ok and count(db) == 0


# ---------------------------------------------------------------- dry run


def test_a_dry_run_writes_nothing_and_counts_exactly_what_the_import_writes(demo, db):
    run(csv_file(ROWS[0]))
    files = [csv_file(ROWS[0][:-1] + "4", ROWS[1], ROWS[2])]
    dry = run(*files, dry_run=True, now=LATER)
    assert dry.ok and dry.dry_run
    assert count(db) == 1 and stored(db)["NS.TP-261001-0001"].rating == 5
    real = run(*files, now=LATER)
    assert counts(dry) == counts(real) == (2, 1, 0)
    assert count(db) == 3


# ---------------------------------------------------------------- XLSX


def xlsx_file(rows: list[list], formats: dict[str, str] | None = None) -> DossierFile:
    book = Workbook()
    sheet = book.active
    for r in [HEADER.split(","), *rows]:
        sheet.append(r)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return DossierFile("hoso.xlsx", content=out.getvalue())


def test_xlsx_with_vietnamese_date_text_and_excel_date_cells(demo, db):
    first = ["X1", "1.001234", "", "NS.TP", None, None, 2, "01/10/2026 08:00", datetime(2026, 10, 5, 16, 30), None,
             None, "Đang xử lý", 0, None, None, 1, 0, None, 4]
    second = ["X2", 1.001234, None, "NS.TP", None, None, 1.0, datetime(2026, 10, 2, 8, 0), datetime(2026, 10, 9),
              "09/10/2026 10:00", None, "Đã xử lý xong", None, None, None, None, None, None, None]
    report = run(xlsx_file([first, second], {"I2": "dd/mm/yyyy hh:mm", "H3": "dd/mm/yyyy hh:mm", "I3": "dd/mm/yyyy"}))
    assert report.ok, [e.message for e in errors_of(report)]
    rows = stored(db)
    assert (rows["X1"].received_at, rows["X1"].due_at) == (at("2026-10-01 08:00"), at("2026-10-05 16:30"))
    assert (rows["X1"].channel, rows["X1"].paid_online, rows["X1"].digitized, rows["X1"].rating) == (2, True, False, 4)
    assert rows["X2"].procedure_code == "1.001234"
    assert rows["X2"].received_at == at("2026-10-02 08:00")
    assert rows["X2"].due_at == at("2026-10-09 23:59:59")  # a date cell without a time: due that whole day
    assert rows["X2"].ended_at == at("2026-10-09 10:00")
    again = run(xlsx_file([first, second], {"I2": "dd/mm/yyyy hh:mm", "H3": "dd/mm/yyyy hh:mm", "I3": "dd/mm/yyyy"}))
    assert counts(again) == (0, 0, 2)


def test_an_xlsx_formula_is_refused_naming_the_cell(demo, db):
    cells = ["X1", "1.001234", "", "NS.TP", None, None, 1, "01/10/2026 08:00", "=H2+3", None, None, "Đang xử lý"]
    (error,) = errors_of(run(xlsx_file([cells])))
    assert (error.row, error.column, error.value) == (2, "NgayHenTra", "=H2+3")
    assert "Ô I2 chứa công thức «=H2+3»" in error.message
    assert count(db) == 0


def test_a_number_where_a_date_belongs_is_explained(demo, db):
    cells = ["X1", "1.001234", "", "NS.TP", None, None, 1, 46296, "05/10/2026", None, None, "Đang xử lý"]
    (error,) = errors_of(run(xlsx_file([cells])))
    assert (error.row, error.column, error.value) == (2, "NgayTiepNhan", "46296")
    assert "là số, không phải ngày" in error.message


# ---------------------------------------------------------------- a big file


def big_csv(path, rows: int) -> DossierFile:
    """A file of `rows` good dossiers of NS.TP, half of them returned."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(rows):
            day, minute = 1 + i % 28, i % 600
            received = f"{day}/10/2026 {7 + minute // 60}:{minute % 60:02d}"
            end = f"{day}/10/2026 17:30,{day}/10/2026 17:30,Đã trả kết quả" if i % 2 else ",,Đang xử lý"
            out.write(f"H{i:06d},1.00{i % 100:04d},,NS.TP,,,1,{received},{day}/10/2026 17:00,{end},0,,,,,,\n")
    return DossierFile(path.name, path=str(path))


def test_a_50000_row_file_imports_one_batch_at_a_time(demo, db, tmp_path, monkeypatch):
    """Nothing about seconds: the importer never holds more than one batch of rows (counted where rows are made
    and where they are written, and the live DossierInput objects checked at every write)."""
    big = big_csv(tmp_path / "lon.csv", 50_000)
    made, written, live = [0], [0], []
    parse = importer.parse_record

    def counted_parse(*args, **kwargs):
        item = parse(*args, **kwargs)
        made[0] += item is not None
        assert made[0] - written[0] <= services.BATCH_SIZE
        return item

    stage = services.stage_rows

    def counted_stage(table, dialect, batch):
        assert len(batch) <= services.BATCH_SIZE
        live.append(sum(1 for o in gc.get_objects() if type(o) is services.DossierInput))
        stage(table, dialect, batch)
        written[0] += len(batch)

    monkeypatch.setattr(importer, "parse_record", counted_parse)
    monkeypatch.setattr(services, "stage_rows", counted_stage)
    report = run(big)
    assert report.ok, [e.message for e in errors_of(report)][:5]
    assert counts(report) == (50_000, 0, 0) and count(db) == 50_000
    assert written[0] == made[0] == 50_000 and len(live) == 10
    assert max(live) <= 2  # each row is staged as plain values; no batch of objects stays alive


def test_memory_does_not_grow_with_the_file(demo, db, tmp_path, monkeypatch):
    """Six times the rows, about the same peak of traced memory (batches of 500 here, to keep the test quick)."""
    monkeypatch.setattr(services, "BATCH_SIZE", 500)
    peaks = []
    for rows in (1_000, 6_000):
        big = big_csv(tmp_path / f"{rows}.csv", rows)
        db.session.execute(sa.delete(Dossier))
        db.session.commit()
        tracemalloc.start()
        try:
            assert counts(run(big)) == (rows, 0, 0)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.5 + 512 * 1024, peaks


# ---------------------------------------------------------------- command line


@pytest.fixture
def csv_path(tmp_path):
    def write(*rows: str, name: str = "hoso.csv", header: str = HEADER) -> str:
        path = tmp_path / name
        path.write_text("\n".join((header, *rows, "")), encoding="utf-8")
        return str(path)

    return write


def test_cli_imports_then_says_nothing_changed(demo, db, runner, csv_path):
    path = csv_path(*ROWS)
    result = runner.invoke(args=["dossiers", "import", path])
    assert result.exit_code == 0, result.output
    assert "hoso.csv [CSV]: 3 dòng — mới 3, thay đổi 0, không đổi 0" in result.output
    assert "Đã ghi: 3 hồ sơ mới, 0 hồ sơ thay đổi, 0 không đổi (nguồn «mot-cua»)." in result.output
    assert count(db) == 3
    again = runner.invoke(args=["dossiers", "import", path])
    assert again.exit_code == 0, again.output
    assert "Không có gì thay đổi: 3 hồ sơ đã có đầy đủ, không ghi gì." in again.output


def test_cli_refuses_a_bad_file_naming_rows_and_writes_nothing(demo, db, runner, csv_path):
    good = csv_path(*ROWS, name="tot.csv")
    bad = csv_path(ROWS[0], row(NgayHenTra="01/10/2026"), row(MaHoSo="K", MaDonViXuLy="XX"), name="sai.csv")
    result = runner.invoke(args=["dossiers", "import", good, bad])
    assert result.exit_code == 1
    assert "tot.csv [CSV]: 3 dòng đã đọc (chưa ghi vì tệp khác có lỗi)" in result.output
    assert "sai.csv [CSV]: 2 lỗi" in result.output
    assert ("✗ dòng 3, cột NgayHenTra, giá trị «01/10/2026»: NgayHenTra «01/10/2026» trước NgayTiepNhan "
            "«2026-10-02T08:00:00+07:00»: ngày hẹn trả không thể trước ngày tiếp nhận.") in result.output
    assert "✗ Đơn vị chưa có trong hệ thống: 1 giá trị, 1 dòng trong 1 tệp." in result.output
    assert "«XX»: 1 dòng (dòng 4) — sai.csv" in result.output
    assert "không ghi dữ liệu nào" in result.output
    assert count(db) == 0


def test_cli_dry_run_walks_folders_and_writes_nothing(demo, db, runner, csv_path, tmp_path):
    csv_path(*ROWS[:2], name="a.csv")
    (tmp_path / "con").mkdir()
    (tmp_path / "con" / "b.csv").write_text("\n".join((HEADER, ROWS[2])), encoding="utf-8")
    (tmp_path / "ghi-chu.txt").write_text("bỏ qua", encoding="utf-8")
    result = runner.invoke(args=["dossiers", "import", "--dry-run", "--source", "igate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Sẽ ghi: 3 hồ sơ mới, 0 hồ sơ thay đổi, 0 không đổi (nguồn «igate»). (chạy thử: chưa ghi gì)" in result.output
    assert count(db) == 0


# ---------------------------------------------------------------- upload page

CONFIRM = re.compile(r'action="/dossiers/import/([0-9a-f]{32})/confirm"')


@pytest.fixture
def staging(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    return tmp_path / "instance" / "dossier-imports"


def upload(client, *rows: str, name: str = "hoso.csv", **form):
    content = "\n".join((HEADER, *rows, "")).encode("utf-8")
    return client.post("/dossiers/import", data={"files": (io.BytesIO(content), name), **form},
                       content_type="multipart/form-data")


def test_admin_checks_then_confirms_exactly_what_was_checked(demo, db, auth, staging):
    auth.login("admin")
    assert auth.client.get("/dossiers/import").status_code == 200
    checked = upload(auth.client, *ROWS)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200, html
    assert "Không có lỗi. Sẽ ghi 3 hồ sơ mới, 0 hồ sơ thay đổi, 0 không đổi" in html
    token = CONFIRM.search(html).group(1)
    assert count(db) == 0
    confirmed = auth.client.post(f"/dossiers/import/{token}/confirm", data={"source": "khac"})
    assert confirmed.status_code == 302
    assert count(db) == 3 and {d.source for d in stored(db).values()} == {"mot-cua"}  # the checked options only
    assert not (staging / token).exists()
    again = auth.client.post(f"/dossiers/import/{token}/confirm", follow_redirects=True)
    assert "Phiên kiểm tra đã hết hạn hoặc đã được nhập" in again.get_data(as_text=True)


def test_the_upload_page_reports_rows_and_keeps_nothing_of_a_bad_file(demo, db, auth, staging):
    auth.login("admin")
    response = upload(auth.client, ROWS[0], row(MaHoSo="TN-1", MaDonViXuLy="NT.TN"), row(NgayHenTra="x"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Có lỗi: không ghi dữ liệu nào" in html
    assert "Đơn vị nằm ngoài phạm vi quản lý của bạn" in html and "«NT.TN»: 1 dòng (dòng 3)" in html
    assert re.search(r'<td data-label="Dòng" class="num">4</td><td data-label="Cột">NgayHenTra</td>'
                     r'<td data-label="Giá trị">x</td>', html)
    assert not CONFIRM.search(html)
    assert count(db) == 0
    assert not staging.exists() or not any(staging.iterdir())


def test_a_changed_staged_file_is_not_imported(demo, db, auth, staging):
    auth.login("admin")
    token = CONFIRM.search(upload(auth.client, *ROWS).get_data(as_text=True)).group(1)
    staged = next(p for p in (staging / token).iterdir() if p.name.endswith(".csv"))
    staged.write_text("\n".join((HEADER, ROWS[0])), encoding="utf-8")
    response = auth.client.post(f"/dossiers/import/{token}/confirm", follow_redirects=True)
    assert "Tệp đã kiểm tra bị thay đổi trên máy chủ" in response.get_data(as_text=True)
    assert count(db) == 0


def test_another_admin_cannot_confirm_my_check(demo, db, auth, staging):
    auth.login("admin")
    token = CONFIRM.search(upload(auth.client, *ROWS).get_data(as_text=True)).group(1)
    auth.logout()
    auth.login("quantri")
    response = auth.client.post(f"/dossiers/import/{token}/confirm", follow_redirects=True)
    assert "Phiên kiểm tra đã hết hạn hoặc đã được nhập" in response.get_data(as_text=True)
    assert count(db) == 0


@pytest.mark.parametrize("username", ["vanna", "hungdv", "phuclv"])
def test_only_admins_may_upload(demo, db, auth, staging, username):
    auth.login(username)
    assert auth.client.get("/dossiers/import").status_code == 403
    assert upload(auth.client, *ROWS).status_code == 403
    assert count(db) == 0


@pytest.mark.parametrize("token", ["..x", "g" * 32, "0" * 31])
def test_a_tampered_token_is_refused(demo, auth, staging, token):
    auth.login("admin")
    assert auth.client.post(f"/dossiers/import/{token}/confirm").status_code in (400, 404)
