"""`/api/v1/dossiers`: the one-door system pushes dossiers with its unit's token (Bearer only), idempotently, all or
nothing, never outside the token's tree; errors are Vietnamese problem+json."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.api.models import ApiToken
from app.api.services import issue_token, revoke_token
from app.auth.services import find_user
from app.dossiers.models import Dossier
from app.org.services import find_unit_by_code

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
URL = "/api/v1/dossiers"


def record(code="NS.TP-261002-0002", **changes) -> dict:
    """A good open dossier of NS.TP, with some fields changed (None removes one)."""
    base = {"MaHoSo": code, "MaTTHC": "1.001234", "TenTTHC": "Chứng thực bản sao", "MaDonViXuLy": "NS.TP",
            "CanBoXuLy": "hatlt", "KenhThucHien": 2, "NgayTiepNhan": "2026-10-02T08:00:00+07:00",
            "NgayHenTra": "2026-10-09T16:30:00+07:00", "TrangThai": "Đang xử lý", "SoLanBoSung": 0,
            "ThanhToanTrucTuyen": True, "SoHoa": 1, "DanhGia": None}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture
def token(demo, db):
    """The plaintext of a token of the district NS (issued by its admin)."""
    _, plaintext = issue_token(find_unit_by_code("NS"), name="Một cửa huyện", actor=find_user("admin"), now=NOW)
    db.session.commit()
    return plaintext


def post(client, body, token=None, raw: bytes | None = None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Dossier))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["type"].startswith("urn:chiso766:problem:")
    assert body["title"] and body["detail"]
    return body


# ---------------------------------------------------------------- upsert


def test_one_dossier_is_created_then_unchanged_then_updated(token, client, db):
    first = post(client, record(), token)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.get_json() == {"tao_moi": 1, "cap_nhat": 0, "khong_doi": 0,
                                "ho_so": [{"MaHoSo": "NS.TP-261002-0002", "ket_qua": "tao_moi"}]}
    again = post(client, record(), token)
    assert again.get_json()["ho_so"] == [{"MaHoSo": "NS.TP-261002-0002", "ket_qua": "khong_doi"}]
    closed = post(client, [record(TrangThai="Đã trả kết quả", NgayTraKetQua="2026-10-08T10:00:00+07:00"),
                           record("NS.MYSON-1", MaDonViXuLy="NS.MYSON", CanBoXuLy=None)], token)
    assert closed.get_json() == {"tao_moi": 1, "cap_nhat": 1, "khong_doi": 0,
                                 "ho_so": [{"MaHoSo": "NS.TP-261002-0002", "ket_qua": "cap_nhat"},
                                           {"MaHoSo": "NS.MYSON-1", "ket_qua": "tao_moi"}]}
    db.session.expire_all()
    dossier = db.session.scalar(sa.select(Dossier).where(Dossier.code == "NS.TP-261002-0002"))
    assert (dossier.status, dossier.is_open, dossier.channel, dossier.paid_online, dossier.digitized) == (
        "returned", False, 2, True, True)
    assert dossier.ended_at == datetime(2026, 10, 8, 3, 0, tzinfo=UTC)
    assert dossier.handling_officer.username == "hatlt"
    assert db.session.scalar(sa.select(ApiToken)).last_used_at is not None


def test_field_names_are_matched_like_file_headers(token, client, db):
    body = {"mã hồ sơ": "H1", "MATTHC": "1.001234", "ma_don_vi_xu_ly": "NS.TP", "Ngày tiếp nhận": "02/10/2026 08:00",
            "NgayHenTra": "2026-10-09", "TrangThai": "new", "TruongKhac": "bỏ qua"}
    assert post(client, body, token).get_json()["tao_moi"] == 1


# ---------------------------------------------------------------- authentication


@pytest.mark.parametrize("header", [None, "Basic YWRtaW46eA==", "Bearer", "Bearer c766_khongdung", "c766_x"])
def test_without_a_valid_bearer_token_the_answer_is_401(token, client, db, header):
    headers = {"Authorization": header} if header else {}
    response = client.post(URL, json=record(), headers=headers)
    body = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "mã truy cập" in body["detail"].lower()
    assert count(db) == 0


def test_a_revoked_token_gets_401(token, client, db):
    revoke_token(db.session.scalar(sa.select(ApiToken)), actor=find_user("admin"), now=NOW)
    db.session.commit()
    response = post(client, record(), token)
    assert_problem(response, 401)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert count(db) == 0


def test_a_signed_in_session_is_never_accepted(token, client, db, auth):
    auth.login("admin")
    assert_problem(auth.client.post(URL, json=record()), 401)
    assert_problem(auth.client.get(f"{URL}/x"), 401)
    assert count(db) == 0


# ---------------------------------------------------------------- refusals


def test_a_unit_outside_the_tokens_tree_is_403_naming_the_record_and_nothing_is_written(token, client, db):
    response = post(client, [record(), record("TN-1", MaDonViXuLy="NT.TN", CanBoXuLy=None)], token)
    body = assert_problem(response, 403)
    assert "«TN-1»" in body["detail"]
    assert body["loi"] == [{"vi_tri": 1, "MaHoSo": "TN-1", "truong": "MaDonViXuLy",
                            "thong_bao": "Đơn vị «NT.TN» nằm ngoài phạm vi được phép (chỉ nhận hồ sơ của các đơn vị "
                                         "thuộc phạm vi quản lý)."}]
    assert count(db) == 0


def test_a_token_of_a_unit_below_covers_only_its_own_tree(demo, db, client):
    _, plaintext = issue_token(find_unit_by_code("NS.TP"), name="Tư pháp", actor=find_user("admin"), now=NOW)
    db.session.commit()
    assert post(client, record(), plaintext).status_code == 200
    assert_problem(post(client, record("MS-1", MaDonViXuLy="NS.MYSON", CanBoXuLy=None), plaintext), 403)
    assert_problem(post(client, record("TP-2", MaDonViTiepNhan="NS.MC"), plaintext), 403)  # received elsewhere


def test_a_bad_record_is_422_naming_its_field_and_nothing_is_written(token, client, db):
    response = post(client, [record("OK-1"), record(NgayHenTra="2026-10-01", DanhGia=9)], token)
    body = assert_problem(response, 422)
    assert body["loi"] == [
        {"vi_tri": 1, "MaHoSo": "NS.TP-261002-0002", "truong": "DanhGia", "thong_bao": "DanhGia «9» phải từ 1 đến 5."},
        {"vi_tri": 1, "MaHoSo": "NS.TP-261002-0002", "truong": "NgayHenTra",
         "thong_bao": "NgayHenTra «2026-10-01» trước NgayTiepNhan «2026-10-02T08:00:00+07:00»: ngày hẹn trả không "
                      "thể trước ngày tiếp nhận."}]
    assert body["so_loi"] == 2
    assert count(db) == 0
    assert db.session.scalar(sa.select(ApiToken)).last_used_at is not None  # the refused call is still its last use


@pytest.mark.parametrize(("body", "field", "message"), [
    ([record(), record()], "MaHoSo", "MaHoSo «NS.TP-261002-0002» trùng với vị trí 0."),
    ([record(TrangThai="Đã xử lý xong")], "NgayKetThucXuLy", "cần NgayKetThucXuLy hoặc NgayTraKetQua"),
    ([record(NgayTiepNhan=20261002)], "NgayTiepNhan", "là số, không phải ngày"),
    ([record(MaDonViXuLy="XX")], "MaDonViXuLy", "Không có đơn vị mã «XX»"),
    ([record(CanBoXuLy="khongco")], "CanBoXuLy", "Không có tài khoản cán bộ «khongco»"),
    ([record(MaTTHC=None)], "MaTTHC", "MaTTHC không được để trống."),
    ([record(SoHoa={"x": 1})], "SoHoa", "SoHoa phải là chuỗi, số hoặc true/false."),
    (["không phải đối tượng"], None, "Mỗi hồ sơ phải là một đối tượng JSON"),
])
def test_every_kind_of_bad_record_is_named(token, client, db, body, field, message):
    errors = assert_problem(post(client, body, token), 422)["loi"]
    assert any(e["truong"] == field and message in e["thong_bao"] for e in errors), errors
    assert count(db) == 0


@pytest.mark.parametrize(("raw", "status"), [
    (b"{khong phai json", 400),
    (b"", 400),
    (b"\xff\xfe\x00", 400),
    (b'"mot chuoi"', 400),
    (b"42", 400),
    (b"[]", 422),
])
def test_a_body_that_is_not_dossiers_is_refused(token, client, db, raw, status):
    assert_problem(post(client, None, token, raw=raw), status)
    assert count(db) == 0


def test_too_large_a_body_or_too_many_records_is_413(token, client, db):
    body = assert_problem(post(client, None, token, raw=b"[" + b" " * (2 * 1024 * 1024) + b"]"), 413)
    assert "2 MB" in body["detail"]
    many = [record(f"H{i}") for i in range(1_001)]
    assert "Tối đa 1.000 hồ sơ" in assert_problem(post(client, many, token), 413)["detail"]
    assert count(db) == 0


def test_a_thousand_records_are_taken_in_one_request(token, client, db):
    many = [record(f"H{i:04d}") for i in range(1_000)]
    response = post(client, many, token)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json()["tao_moi"] == 1_000 and count(db) == 1_000


# ---------------------------------------------------------------- read


def test_a_dossier_inside_the_tree_is_read_back_in_the_import_columns(token, client, db):
    post(client, record(NgayKetThucXuLy="2026-10-07 15:00", TrangThai="Đã xử lý xong"), token)
    response = client.get(f"{URL}/NS.TP-261002-0002", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("MaHoSo", "MaDonViXuLy", "MaDonViTiepNhan", "CanBoXuLy", "TrangThai",
                                 "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien", "ThanhToanTrucTuyen",
                                 "Nguon", "DangXuLy")} == {
        "MaHoSo": "NS.TP-261002-0002", "MaDonViXuLy": "NS.TP", "MaDonViTiepNhan": "NS.TP", "CanBoXuLy": "hatlt",
        "TrangThai": "Đã xử lý xong", "NgayTiepNhan": "2026-10-02T08:00:00+07:00",
        "NgayHenTra": "2026-10-09T16:30:00+07:00", "NgayKetThucXuLy": "2026-10-07T15:00:00+07:00",
        "KenhThucHien": 2, "ThanhToanTrucTuyen": 1, "Nguon": "mot-cua", "DangXuLy": False}
    assert post(client, {**body, "Nguon": "bỏ qua"}, token).get_json()["khong_doi"] == 1  # what is read posts back


def test_a_dossier_outside_the_tree_or_unknown_is_404(token, client, db):
    from app.dossiers.importer import DossierFile, import_dossier_files

    csv = ("MaHoSo,MaTTHC,MaDonViXuLy,NgayTiepNhan,NgayHenTra,TrangThai\n"
           "TN-1,1.001234,NT.TN,02/10/2026 08:00,09/10/2026,Đang xử lý\n")
    assert import_dossier_files([DossierFile("tn.csv", content=csv.encode())], now=NOW).ok
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for url in (f"{URL}/TN-1", f"{URL}/KHONGCO", f"{URL}/TN-1?source=mot-cua"):
        assert "trong phạm vi của mã truy cập" in assert_problem(client.get(url, headers=headers), 404)["detail"]
    post(client, record(), token)
    assert client.get(f"{URL}/NS.TP-261002-0002?source=khac", headers=headers).status_code == 404
    assert client.get(f"{URL}/NS.TP-261002-0002?source=mot-cua", headers=headers).status_code == 200


def test_an_expired_token_reads_nothing(demo, db, client, clock):
    _, plaintext = issue_token(find_unit_by_code("NS"), name="Tạm", actor=find_user("admin"), now=NOW,
                               expires_at=NOW + timedelta(minutes=1))
    db.session.commit()
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert_problem(client.get(f"{URL}/x", headers=headers), 404)  # still live: the dossier is just not there
    clock.move_to(NOW + timedelta(minutes=1))
    assert_problem(client.get(f"{URL}/x", headers=headers), 401)


# ---------------------------------------------------------------- two writers at once


@pytest.fixture
def racing_writer(db, monkeypatch):
    """The same new dossier appears between our check and our write, as when another system's import commits it
    then (on PostgreSQL; SQLite lets one writer at a time): the unique key refuses our INSERT."""
    from app.dossiers import services

    new_rows = services._new_rows

    def new_rows_then_race(stage, source):
        fresh = new_rows(stage, source)
        unit = find_unit_by_code("NS.TP").id
        db.session.execute(Dossier.__table__.insert().values(
            source=source, code="NS.TP-261002-0002", procedure_code="1.001234", procedure_name="",
            handling_unit_id=unit, receiving_unit_id=unit, channel=1, received_at=NOW, due_at=NOW, status="new",
            is_open=True, supplement_count=0, created_at=NOW, updated_at=NOW))
        return fresh

    monkeypatch.setattr(services, "_new_rows", new_rows_then_race)


def test_a_clash_with_a_concurrent_writer_is_409_with_a_message(token, client, db, racing_writer):
    body = assert_problem(post(client, record(), token), 409)
    assert "Một lần nhập khác vừa ghi cùng những hồ sơ này" in body["detail"]
    assert count(db) == 0


def test_the_command_line_says_so_too(demo, db, runner, tmp_path, racing_writer):
    path = tmp_path / "hoso.csv"
    path.write_text("MaHoSo,MaTTHC,MaDonViXuLy,NgayTiepNhan,NgayHenTra,TrangThai\n"
                    "NS.TP-261002-0002,1.001234,NS.TP,02/10/2026 08:00,09/10/2026,Đang xử lý\n", encoding="utf-8")
    result = runner.invoke(args=["dossiers", "import", str(path)])
    assert result.exit_code == 1
    assert "Một lần nhập khác vừa ghi cùng những hồ sơ này nên lần nhập này không ghi gì." in result.output
    assert count(db) == 0
