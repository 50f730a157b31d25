"""`flask scores import` and the admin upload page (check first, then confirm exactly what was checked)."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app.scores.models import ImportBatch, ScoreRecord

HEADER = "MaDonVi,Ky,MaChiSo,TuSo,MauSo"
GOOD = f"{HEADER}\nNS,2026-09,4,90,100\nNS,2026-09,DOSSIER_SYNC,45,50\n"
BAD = f"{HEADER}\nNS,2026-09,4,120,100\nNS,2026-09,DOSSIER_SYNC,45,50\n"  # row 2: numerator over denominator
CONFIRM = re.compile(r'action="/scores/import/([0-9a-f]{32})/confirm"')


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _written(db) -> tuple[int, int]:
    return _count(db, ScoreRecord), _count(db, ImportBatch)


@pytest.fixture
def ninh_son(make_unit, make_user):
    """A lighter stand-in for the demo where only NS and an admin matter: NS with an admin `quantri`."""
    unit = make_unit("NS", "UBND huyện Ninh Sơn", kind="district")
    make_user("quantri", unit, role="admin")
    return unit


@pytest.fixture
def csv_path(tmp_path):
    def write(text: str, name: str = "diem.csv") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


# ---------------------------------------------------------------- CLI


def test_cli_imports_a_good_file_and_prints_a_summary(ninh_son, db, runner, csv_path):
    result = runner.invoke(args=["scores", "import", csv_path(GOOD)])
    assert result.exit_code == 0, result.output
    assert "diem.csv [CSV, kỳ 2026-09]: 2 dòng — mới 2, thay đổi 0, không đổi 0" in result.output
    assert "Đã ghi: 2 giá trị mới, 0 giá trị thay đổi" in result.output
    assert _written(db) == (2, 1)


def test_cli_refuses_a_bad_file_naming_the_row_and_writes_nothing(ninh_son, db, runner, csv_path):
    result = runner.invoke(args=["scores", "import", csv_path(GOOD, "tot.csv"), csv_path(BAD, "sai.csv")])
    assert result.exit_code != 0
    assert "sai.csv [CSV, kỳ 2026-09]: 1 lỗi" in result.output
    assert "✗ dòng 2, cột TuSo, giá trị «120»: Tử số (120) lớn hơn mẫu số (100)." in result.output
    assert "không ghi dữ liệu nào" in result.output
    assert _written(db) == (0, 0)


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2026-13"], "tháng phải từ 01 đến 12"),
    (["--period", "abc"], "“abc” không hợp lệ"),
    ([], "Không xác định được kỳ"),
])
def test_cli_names_a_bad_or_missing_period_of_a_portal_file(db, runner, tmp_path, args, message):
    path = tmp_path / "quarter-all.json"
    path.write_text('{"code": "OK", "data": {"parent": null, "children": [{"departmentId": "x", "totalReceived": 1, '
                    '"totalOnTime": 1, "score": 20, "maxScore": 20}]}}', encoding="utf-8")
    result = runner.invoke(args=["scores", "import", "--create-units", *args, str(path)])
    assert result.exit_code != 0
    assert message in result.output
    assert _written(db) == (0, 0)


def test_cli_dry_run_says_so_and_writes_nothing(ninh_son, db, runner, csv_path):
    result = runner.invoke(args=["scores", "import", "--dry-run", csv_path(GOOD)])
    assert result.exit_code == 0, result.output
    assert "Sẽ ghi: 2 giá trị mới" in result.output
    assert "(chạy thử: chưa ghi gì)" in result.output
    assert _written(db) == (0, 0)


def test_cli_second_run_says_nothing_new(ninh_son, db, runner, csv_path):
    path = csv_path(GOOD)
    assert runner.invoke(args=["scores", "import", path]).exit_code == 0
    result = runner.invoke(args=["scores", "import", path])
    assert result.exit_code == 0, result.output
    assert "mới 0, thay đổi 0, không đổi 2" in result.output
    assert "Không có gì mới" in result.output
    assert _written(db) == (2, 1)


def test_cli_with_no_importable_file_says_so(db, runner, tmp_path):
    (tmp_path / "ghi-chu.txt").write_text("không phải số liệu", encoding="utf-8")
    result = runner.invoke(args=["scores", "import", str(tmp_path)])
    assert result.exit_code != 0
    assert "Không tìm thấy tệp .json, .csv hoặc .xlsx nào." in result.output


# ---------------------------------------------------------------- upload page


@pytest.fixture
def staging(app, tmp_path, monkeypatch):
    """Checked uploads wait under the instance folder: keep them in this test's own folder."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    return tmp_path / "instance" / "imports"


def _upload(client, text: str, name: str = "diem.csv", **form):
    data = {"files": (io.BytesIO(text.encode("utf-8")), name), **form}
    return client.post("/scores/import", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ["officer", "head", "chair"])
def test_only_admins_may_open_the_upload_page(ninh_son, db, auth, make_user, staging, role, method):
    make_user(f"nguoi.{role}", ninh_son, role=role)
    auth.login(f"nguoi.{role}")
    response = auth.client.get("/scores/import") if method == "get" else _upload(auth.client, GOOD)
    assert response.status_code == 403
    assert _written(db) == (0, 0)


def test_the_demo_officer_gets_403(demo, db, auth, staging):
    auth.login("vanna")
    assert _upload(auth.client, GOOD).status_code == 403
    assert _written(db) == (0, 0)


def test_signed_out_visitors_are_sent_to_the_login_page(db, client, staging):
    response = client.get("/scores/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_checks_a_good_file_then_confirms_it(demo, db, auth, staging):
    auth.login("admin")
    checked = _upload(auth.client, GOOD)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "Không có lỗi. Sẽ ghi 2 giá trị mới" in html
    assert "Xem trước giá trị sẽ ghi" in html and "4. Tỷ lệ hồ sơ xử lý đúng hạn" in html
    token = CONFIRM.search(html).group(1)
    assert "Bước 2: Nhập 1 tệp đã kiểm tra" in html
    assert _written(db) == (0, 0)  # checking writes nothing
    assert (staging / token).is_dir()

    confirmed = auth.client.post(f"/scores/import/{token}/confirm", data={"period": "", "formality": ""})
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith("/scores/import")
    assert _written(db) == (2, 1)
    assert {r.subject_key for r in db.session.scalars(sa.select(ScoreRecord))} == {
        "I:PROGRESS_ON_TIME", "I:DOSSIER_SYNC"}
    assert not (staging / token).exists()  # a token is good for one import only
    again = auth.client.post(f"/scores/import/{token}/confirm", follow_redirects=True)
    assert "Phiên kiểm tra đã hết hạn hoặc đã được nhập" in again.get_data(as_text=True)
    assert _written(db) == (2, 1)


def test_admin_uploading_a_bad_file_gets_the_row_table_and_nothing_is_written(demo, db, auth, staging):
    auth.login("admin")
    response = _upload(auth.client, BAD, name="sai.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Có lỗi: không ghi dữ liệu nào" in html
    assert "Lỗi theo dòng (1)" in html
    assert re.search(r'<td data-label="Tệp">sai\.csv</td><td data-label="Dòng" class="num">2</td>'
                     r'<td data-label="Cột">TuSo</td><td data-label="Giá trị">120</td>', html)
    assert "Tử số (120) lớn hơn mẫu số (100)." in html
    assert not CONFIRM.search(html)  # no way to confirm a bad check
    assert _written(db) == (0, 0)
    assert not staging.exists() or not any(staging.iterdir())  # the refused upload is not kept


@pytest.mark.parametrize(("name", "status"), [
    ("diem.txt", 422),   # not a score file type
    ("diem.csv", 200),
])
def test_the_upload_page_accepts_only_score_file_types(ninh_son, db, auth, staging, name, status):
    auth.login("quantri")
    assert _upload(auth.client, GOOD, name=name).status_code == status
    assert _written(db) == (0, 0)


@pytest.mark.parametrize("token", ["..x", "..%5Cx", "g" * 32, "A" * 32, "0" * 31, "0" * 33])
def test_a_tampered_token_is_refused(ninh_son, db, auth, staging, token):
    auth.login("quantri")
    assert auth.client.post(f"/scores/import/{token}/confirm").status_code == 400
    assert _written(db) == (0, 0)


def test_a_token_with_a_slash_never_reaches_the_confirm_view(ninh_son, db, auth, staging):
    auth.login("quantri")
    for path in ("/scores/import/../x/confirm", "/scores/import/..%2Fx/confirm"):
        assert auth.client.post(path).status_code in (400, 404)
    assert _written(db) == (0, 0)


def _portal_upload(client, *, period: str):
    from tests.scores.test_import_bad_input import trimmed

    content = trimmed("dvc-progress-tree", keep=1)
    data = {"files": (io.BytesIO(content), "tien-do.json"), "period": period, "scope": "all", "create_units": "1"}
    return client.post("/scores/import", data=data, content_type="multipart/form-data")


def test_the_confirm_step_imports_exactly_what_was_checked(db, auth, staging, make_unit, make_user):
    """A confirm POST carrying another period (or other options) changes nothing: what was checked is imported."""
    root = make_unit("H44", "UBND tỉnh Phú Thọ", kind="province")
    make_user("quantri.tinh", root, role="admin")
    auth.login("quantri.tinh")
    checked = _portal_upload(auth.client, period="2026-Q3")
    assert checked.status_code == 200, checked.get_data(as_text=True)
    token = CONFIRM.search(checked.get_data(as_text=True)).group(1)
    response = auth.client.post(f"/scores/import/{token}/confirm",
                                data={"period": "2023-02", "scope": "formality", "formality": "1.000001"})
    assert response.status_code == 302
    starts = {(r.period_kind, str(r.period_start), r.formality_code) for r in db.session.scalars(sa.select(ScoreRecord))}
    assert starts == {("quarter", "2026-07-01", "")}


def test_only_the_admin_who_checked_may_confirm(demo, db, auth, staging, make_user):
    from app.org.services import find_unit_by_code

    make_user("quantri.ns2", find_unit_by_code("NS"), role="admin")
    auth.login("admin")
    token = CONFIRM.search(_upload(auth.client, GOOD).get_data(as_text=True)).group(1)
    auth.logout()
    auth.login("quantri.ns2")
    response = auth.client.post(f"/scores/import/{token}/confirm", follow_redirects=True)
    assert "Phiên kiểm tra đã hết hạn hoặc đã được nhập" in response.get_data(as_text=True)
    assert _written(db) == (0, 0)


def test_a_staged_file_changed_on_the_server_is_not_imported(demo, db, auth, staging):
    auth.login("admin")
    token = CONFIRM.search(_upload(auth.client, GOOD).get_data(as_text=True)).group(1)
    staged = next(p for p in (staging / token).iterdir() if p.name.endswith(".csv"))
    staged.write_text(GOOD.replace("90,100", "10,100"), encoding="utf-8")
    response = auth.client.post(f"/scores/import/{token}/confirm", follow_redirects=True)
    assert "bị thay đổi trên máy chủ" in response.get_data(as_text=True)
    assert _written(db) == (0, 0)


def test_a_deeply_nested_json_upload_is_a_clear_message_and_leaves_no_file(ninh_son, db, auth, staging):
    auth.login("quantri")
    response = _upload(auth.client, "[" * 100_000 + "]" * 100_000, name="long-nhau.json")
    assert response.status_code == 422
    assert "lồng nhau quá sâu" in response.get_data(as_text=True)
    assert not staging.exists() or not any(staging.iterdir())
    assert _written(db) == (0, 0)


def test_the_cli_summarises_a_problem_repeated_over_many_files(db, runner):
    """The README's example on a fresh database: one summary with its count and advice, not 164 × 33 lines."""
    from tests.conftest import SAMPLES

    result = runner.invoke(args=["scores", "import", str(SAMPLES), "--dry-run"])
    assert result.exit_code == 1
    assert "✗ Đơn vị chưa có trong hệ thống: 164 trường hợp, 5412 lỗi trong 33 tệp" in result.output
    assert result.output.count("--create-units") == 1
    assert len(result.output) < 12_000, len(result.output)


def test_a_header_only_csv_is_an_error(ninh_son, db, runner, csv_path):
    result = runner.invoke(args=["scores", "import", csv_path(HEADER + "\n")])
    assert result.exit_code == 1
    assert "không có dòng số liệu nào" in result.output
