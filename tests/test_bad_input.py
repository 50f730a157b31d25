"""Bad input never gives a 500: out-of-range ids, oversized requests, concurrent saves of one record."""

import io

import pytest

HUGE = 2**31  # one above what a PostgreSQL integer column holds
GETS = ["/units/{id}", "/officers/{id}", "/assignments/{id}/history", "/assignments/{id}/reassign",
        "/scores/units/{id}", "/scores/ranks/{id}", "/scores/owners/{id}", "/scores/red/{id}/1/2026-10",
        "/scores/red/1/{id}/2026-10", "/admin/units/{id}/edit", "/admin/users/{id}/edit", "/indicators/{id}",
        "/admin/catalog/rules/{id}", "/admin/catalog/indicators/{id}", "/assignments/?plan={id}",
        "/assignments/new?plan=1&indicator={id}", "/scores/entry?unit={id}", "/admin/units/new?parent={id}"]


@pytest.mark.parametrize("value", [HUGE, 10**30, 0])
@pytest.mark.parametrize("path", GETS)
def test_ids_out_of_range_are_404(demo, client, auth, path, value):
    auth.login("quantri")
    assert client.get(path.format(id=value)).status_code == 404


@pytest.mark.parametrize("path", ["/alerts/{id}/ack", "/scores/import/{id}/confirm"])
def test_posts_with_ids_out_of_range_are_404_or_400(demo, client, auth, path):
    auth.login("quantri")
    assert client.post(path.format(id=HUGE)).status_code in (400, 404)


def test_an_oversized_upload_is_refused_with_a_vietnamese_page(demo, app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    auth.login("admin")
    response = client.post("/scores/import", data={"files": (io.BytesIO(b"x" * 20_000), "lon.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Tổng dung lượng gửi lên vượt 10 kB mỗi lần" in response.get_data(as_text=True)  # the import page, not a bare 413


def test_the_upload_limit_is_configured(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 64 * 1024 * 1024


def test_an_import_row_with_an_unusable_unit_code_is_a_row_error(db):
    from app.scores.importer import SourceFile
    from tests.scores.conftest import run_import
    from tests.scores.test_import_bad_input import trimmed

    def edit(data):
        data["evaluation"][0]["departmentCode"] = "H44 07\n"

    report = run_import([SourceFile("x.json", trimmed("dossier-digitized", keep=1, edit=edit))], period="2026-Q3",
                        create_units=True)
    assert not report.ok
    assert any("không hợp lệ" in e.message_vi for f in report.files for e in f.errors)
