"""The documents pages: the admin drafts and submits, the chair approves and signs from the web, the officer sees
and downloads the signed PDF; pdfsig and our check agree on the signature, and on a tampered copy."""

import io
import re

import sqlalchemy as sa

from app.reports import services, signing, verify
from app.reports.models import Document
from tests.reports.conftest import NOW, flat, pdf_fonts, pdf_text, pdfsig, tamper


def _post(client, path, **data):
    return client.post(path, data=data)


def _draft_report(client, auth, db, quarter="2026Q3"):
    auth.login("admin")
    ns = db.session.scalar(sa.text("SELECT id FROM unit WHERE code = 'NS'"))
    response = _post(client, "/documents/new", kind="report", unit_id=ns, quarter=quarter)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/documents/(\d+)", response.headers["Location"]).group(1))


def test_draft_submit_approve_sign_download_and_verify(quarters, db, client, auth, keys, clock, tmp_path):
    doc_id = _draft_report(client, auth, db)
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "Dự thảo" in page and "Trình Chủ tịch duyệt" in page and "Ký số" not in page
    preview = client.get(f"/documents/{doc_id}/preview").get_data(as_text=True)
    assert "BÁO CÁO" in preview and "Hệ thống một cửa đồng bộ chậm 12 ngày" in preview and "DỰ THẢO" in preview
    assert _post(client, f"/documents/{doc_id}/texts", intro="Thực hiện Quyết định 766.", assessment="Đạt khá.",
                 proposals="1. Đề nghị tỉnh hỗ trợ.", recipients="UBND tỉnh (b/c)\nLưu: VT, VP").status_code == 302
    assert _post(client, f"/documents/{doc_id}/submit", comment="Kính trình").status_code == 302
    refused = _post(client, f"/documents/{doc_id}/approve")  # the admin drafts, only the chair approves
    assert refused.status_code == 403 and "Chỉ Chủ tịch, Phó Chủ tịch của đơn vị được duyệt" in refused.get_data(
        as_text=True)
    auth.logout()

    auth.login("yenntk")
    assert client.get(f"/documents/{doc_id}").status_code == 404  # an officer sees no draft
    auth.logout()

    auth.login("hungdv")
    assert "Duyệt" in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert _post(client, f"/documents/{doc_id}/approve", comment="Đồng ý").status_code == 302
    response = _post(client, f"/documents/{doc_id}/sign")
    assert response.status_code == 302
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "Đã ký số và ban hành văn bản. Số: 01/BC-UBND." in page and "Đã ký ban hành" in page
    again = _post(client, f"/documents/{doc_id}/sign")
    assert again.status_code == 422 and "không ký lại" in again.get_data(as_text=True)
    auth.logout()

    auth.login("yenntk")
    listing = client.get("/documents/").get_data(as_text=True)
    assert "01/BC-UBND" in listing
    download = client.get(f"/documents/{doc_id}/pdf?download=1")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    doc = db.session.get(Document, doc_id)
    assert download.data == doc.pdf and doc.signer.username == "hungdv"

    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(download.data)
    text = flat(pdf_text(path))
    for expected in ("ỦY BAN NHÂN DÂN HUYỆN NINH SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Số: 01/BC-UBND", "Ninh Sơn, ngày 15 tháng 11 năm 2026", "BÁO CÁO", "CHỦ TỊCH", "Đoàn Văn Hùng",
                     "Nguyễn Thị Kim Yến", "Hệ thống một cửa đồng bộ chậm 12 ngày", "Đạt khá.", "Nơi nhận:",
                     "- Lưu: VT, VP.", "Ký bởi: Đoàn Văn Hùng", "Thời gian ký: 15/11/2026 10:00:00 (giờ Việt Nam)",
                     "UBND thị trấn Tân Sơn", "UBND xã Ma Nới"):
        assert expected in text, expected
    assert {name for name, _ in pdf_fonts(path)} <= {"VB-Serif", "VB-Serif-Bold", "VB-Serif-Italic",
                                                      "VB-Serif-Bold-Italic", "NotoSans-Regular-Identity-H"}
    assert pdfsig(path).count("Signature is Valid") == 2  # the chair's signature and the district's seal
    result = verify.verify_pdf(download.data, roots=signing.trust_roots(), now=NOW)
    assert result.ok and [s.signer for s in result.signatures] == ["Đoàn Văn Hùng", "UBND huyện Ninh Sơn"]
    assert result.signatures[0].signed_at.strftime("%d/%m/%Y %H:%M") == "15/11/2026 10:00"

    broken = tmp_path / "sua.pdf"
    broken.write_bytes(tamper(download.data))
    assert "Signature is Valid" not in pdfsig(broken)
    checked = verify.verify_pdf(broken.read_bytes(), roots=signing.trust_roots(), now=NOW)
    assert not checked.ok and "bị thay đổi sau khi ký" in checked.summary


def test_the_upload_page_checks_a_signed_file_and_refuses_what_is_not_one(quarters, db, client, auth, keys, clock):
    from app.auth.services import find_user

    doc = services.create_draft(kind="plan", unit=find_user("hungdv").unit, period=services.parse_quarter("2026Q4"),
                                actor=find_user("admin"), today=NOW.date(), now=NOW)
    services.issue_now(doc, signer=find_user("hungdv"), now=NOW)
    db.session.commit()
    auth.login("yenntk")

    def upload(data: bytes, name="van-ban.pdf"):
        return client.post("/documents/verify", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    table = client.get("/assignments/").get_data(as_text=True)  # the plan in force is the signed quarterly plan
    assert "Số: 01/KH-UBND" in table and "Văn bản ký số: Kế hoạch số 01/KH-UBND ngày 15/11/2026" in table
    good = upload(doc.pdf).get_data(as_text=True)
    assert "HỢP LỆ" in good and "Đoàn Văn Hùng" in good and "15/11/2026 10:00:00 (giờ Việt Nam)" in good
    assert "Khớp nguyên bản lưu trữ" in good and "01/KH-UBND" in good
    bad = upload(tamper(doc.pdf)).get_data(as_text=True)
    assert "KHÔNG HỢP LỆ" in bad and "bị thay đổi sau khi ký" in bad and "Khớp nguyên bản" not in bad
    assert "Tệp không phải là PDF" in upload(b"PK\x03\x04 not a pdf", "x.docx").get_data(as_text=True)
    unsigned = services.draft_preview("plan", doc.unit, services.parse_quarter("2027Q1"), today=NOW.date())
    assert "không có chữ ký số" in upload(unsigned).get_data(as_text=True)
    assert "Chọn một tệp PDF" in client.post("/documents/verify", data={}).get_data(as_text=True)


def test_a_number_taken_at_the_same_moment_is_a_clear_message(demo, db, client, auth, keys, clock, monkeypatch):
    from app.auth.services import find_user

    chair, ns = find_user("hungdv"), find_user("hungdv").unit
    first = services.create_draft(kind="plan", unit=ns, period=services.parse_quarter("2026Q4"), actor=chair,
                                  today=NOW.date(), now=NOW)
    services.issue_now(first, signer=chair, now=NOW)
    second = services.create_draft(kind="plan", unit=ns, period=services.parse_quarter("2027Q1"), actor=chair,
                                   today=NOW.date(), now=NOW)
    services.submit(second, actor=chair, now=NOW)
    services.approve(second, actor=chair, now=NOW)
    db.session.commit()
    second_id = second.id
    monkeypatch.setattr(services, "next_number", lambda *a: 1)  # another signing got here first with the same max
    auth.login("hungdv")
    response = _post(client, f"/documents/{second_id}/sign")
    assert response.status_code == 422
    assert "Số văn bản vừa được cấp cho một văn bản khác" in response.get_data(as_text=True)
    db.session.expire_all()
    again = db.session.get(Document, second_id)
    assert (again.status, again.number, again.sha256) == ("approved", None, None)


def test_outsiders_see_nothing(quarters, db, client, auth, keys, clock, make_unit, make_user):
    doc_id = _draft_report(client, auth, db)
    auth.logout()
    make_user("ngoai", make_unit("NT.BA.X", "UBND xã Phước Bình", "commune", parent="NT.BA"), role="head")
    auth.login("ngoai")
    for path in (f"/documents/{doc_id}", f"/documents/{doc_id}/pdf", f"/documents/{doc_id}/preview"):
        assert client.get(path).status_code == 404
    assert _post(client, f"/documents/{doc_id}/submit").status_code == 404
    assert "Chưa có văn bản nào" in client.get("/documents/").get_data(as_text=True)
