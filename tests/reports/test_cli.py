"""`flask reports plan|quarterly|verify`: what the issue's "done when" asks, from the command line."""

import sqlalchemy as sa

from app.reports.models import Document
from tests.reports.conftest import flat, pdf_text, pdfsig, tamper

SEED_ROWS = [  # seed 002's table: group, responsible unit, cooperating units, performer
    ("Công khai, minh bạch", "Văn phòng HĐND và UBND huyện", "Các cơ quan chuyên môn và UBND các xã",
     "Nguyễn Anh Văn"),
    ("Tiến độ, kết quả giải quyết", "Văn phòng HĐND và UBND huyện", "Các cơ quan chuyên môn và UBND các xã",
     "Nguyễn Thị Kim Yến"),
    ("Cung cấp dịch vụ công trực tuyến", "Bộ phận Tiếp nhận và trả kết quả của huyện",
     "Các cơ quan chuyên môn và UBND các xã", "Thành viên Bộ phận Tiếp nhận và trả kết quả của huyện"),
    ("Thanh toán trực tuyến", "Bộ phận Tiếp nhận và trả kết quả của huyện", "Các cơ quan chuyên môn và UBND các xã",
     "Thành viên Bộ phận Tiếp nhận và trả kết quả của huyện"),
    ("Số hóa hồ sơ", "Bộ phận Tiếp nhận và trả kết quả của huyện", "Các cơ quan chuyên môn và UBND các xã",
     "Thành viên Bộ phận Tiếp nhận và trả kết quả của huyện"),
    ("Ứng dụng dữ liệu dân cư trong giải quyết thủ tục hành chính, cấp dịch vụ công", "Công an huyện",
     "Các phòng chuyên môn và UBND các xã", "Trương Việt Hùng"),
    ("Mức độ hài lòng", "Phòng Nội vụ", "Các phòng chuyên môn và UBND các xã", "Nguyễn Thành Công Hào"),
]


def test_plan_signed_from_the_command_line_holds_the_heading_number_and_whole_table(demo, db, runner, keys, clock,
                                                                                     tmp_path):
    from app.indicators.models import Indicator

    out = tmp_path / "plan.pdf"
    result = runner.invoke(args=["reports", "plan", "--unit", "NS", "--quarter", "2026Q4", "--sign", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "đã ký số 01/KH-UBND, Đoàn Văn Hùng" in result.output
    text = flat(pdf_text(out))
    for expected in ("ỦY BAN NHÂN DÂN HUYỆN NINH SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Số: 01/KH-UBND", "Ninh Sơn, ngày 15 tháng 11 năm 2026",
                     "KẾ HOẠCH", "I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. TỔ CHỨC THỰC HIỆN", "Nơi nhận:",
                     "CHỦ TỊCH", "Đoàn Văn Hùng", "BẢNG PHÂN CÔNG NHIỆM VỤ CÁC CÁ NHÂN PHỤ TRÁCH CÁC CHỈ SỐ THÀNH PHẦN"):
        assert expected in text, expected
    for row in SEED_ROWS:  # each row whole, its cells in order
        assert " ".join(row) in text, row
    for ind in db.session.scalars(sa.select(Indicator).where(Indicator.number.is_not(None))):
        assert ind.name in text, ind.name  # every indicator of the table, 1 … 19 and 16b
    pages = pdf_text(out, layout=True).split("\f")
    assert pages[0].strip().splitlines()[0].split()[:3] == ["ỦY", "BAN", "NHÂN"]  # no number on page 1
    assert [p.strip().splitlines()[0].strip() for p in pages[1:] if p.strip()] == [
        str(n) for n in range(2, len([p for p in pages if p.strip()]) + 1)]  # centred numbers from page 2
    assert pdfsig(out).count("Signature is Valid") == 2

    verified = runner.invoke(args=["reports", "verify", str(out)])
    assert verified.exit_code == 0, verified.output
    assert "HỢP LỆ" in verified.output and "Đoàn Văn Hùng" in verified.output
    assert "Khớp văn bản lưu trữ: Kế hoạch số 01/KH-UBND" in verified.output

    broken = tmp_path / "plan-sua.pdf"
    broken.write_bytes(tamper(out.read_bytes()))
    failed = runner.invoke(args=["reports", "verify", str(broken)])
    assert failed.exit_code == 1 and "KHÔNG HỢP LỆ" in failed.output
    assert "Signature is Valid" not in pdfsig(broken)

    again = runner.invoke(args=["reports", "plan", "--unit", "NS", "--quarter", "2026Q4", "--sign", "-o",
                                str(tmp_path / "lai.pdf")])
    assert again.exit_code == 0 and "không ký lại" in again.output
    assert (tmp_path / "lai.pdf").read_bytes() == out.read_bytes()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1


def test_quarterly_reports_for_all_units_with_a_progress_bar(quarters, db, runner, keys, clock, tmp_path):
    result = runner.invoke(args=["reports", "quarterly", "--all-units", "--quarter", "2026Q3", "-o",
                                 str(tmp_path / "bao-cao")])
    assert result.exit_code == 0, result.output
    assert "Lập 4 văn bản" in result.output
    names = sorted(p.name for p in (tmp_path / "bao-cao").iterdir())
    assert names == ["bao-cao-NS-2026Q3.pdf", "bao-cao-NS.MANOI-2026Q3.pdf", "bao-cao-NS.TANSON-2026Q3.pdf",
                     "bao-cao-NT.BA-2026Q3.pdf"]
    assert "DỰ THẢO" in pdf_text(tmp_path / "bao-cao" / "bao-cao-NS-2026Q3.pdf")  # without --sign: drafts only
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_signing_all_units_reports_who_cannot_sign_and_fails(quarters, db, runner, keys, clock, tmp_path):
    result = runner.invoke(args=["reports", "quarterly", "--all-units", "--quarter", "2026Q3", "--sign", "-o",
                                 str(tmp_path)])
    assert result.exit_code == 1
    assert "NS: đã ký số 01/BC-UBND" in result.output
    assert "NT.BA: UBND huyện Bác Ái chưa có tài khoản Chủ tịch" in result.output
    assert "NS.TANSON: Chưa cấu hình khóa ký số cho Nguyễn Văn Bình" in result.output
    assert not (tmp_path / "bao-cao-NT.BA-2026Q3.pdf").exists()  # nothing unsigned is written as signed


def test_without_a_key_nothing_is_written(demo, db, runner, keys, clock, tmp_path, monkeypatch):
    monkeypatch.setitem(keys, "SIGNING_KEYS", {})
    out = tmp_path / "plan.pdf"
    result = runner.invoke(args=["reports", "plan", "--unit", "NS", "--quarter", "2026Q4", "--sign", "-o", str(out)])
    assert result.exit_code == 1 and "Chưa cấu hình khóa ký số cho Đoàn Văn Hùng" in result.output
    assert not out.exists()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_bad_command_lines_are_explained(demo, runner, tmp_path):
    cases = [
        (["reports", "plan", "--quarter", "2026Q4"], "Chọn đúng một trong --unit MÃ hoặc --all-units"),
        (["reports", "plan", "--unit", "NS", "--all-units", "--quarter", "2026Q4"], "Chọn đúng một"),
        (["reports", "plan", "--unit", "XX", "--quarter", "2026Q4"], "Không có đơn vị mã «XX»"),
        (["reports", "plan", "--unit", "NS", "--quarter", "2026-10"], "không phải một quý"),
        (["reports", "quarterly", "--unit", "NS", "--quarter", "2025Q1"], "Chưa có điểm quý I/2025"),
        (["reports", "verify", str(tmp_path / "khong-co.pdf")], "không tồn tại"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    not_pdf = tmp_path / "x.pdf"
    not_pdf.write_text("xin chào")
    result = runner.invoke(args=["reports", "verify", str(not_pdf)])
    assert result.exit_code == 1 and "Tệp không phải là PDF" in result.output
