"""The operator's path on the command line: `flask setup` on an empty database, `flask units`, the refusal to run
on a database that is not migrated, click's own messages in Vietnamese, and the production settings check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth.models import User
from app.org.models import Unit
from config import DEV_SECRET_KEY, Config, ProductionConfig, TestConfig
from tests.conftest import PASSWORD, _postgres_url

REPO_ROOT = Path(__file__).resolve().parents[1]
SETUP = ["setup", "--unit-code", "H44", "--unit-name", "UBND tỉnh Phú Thọ", "--unit-kind", "province",
         "--admin", "admin", "--admin-name", "Quản trị hệ thống", "--admin-title", "Chuyên viên CNTT"]
# click's English, as it would appear in our commands' output without the translation.
ENGLISH = ("Usage:", "Error:", "Try '", "for help", "Missing", "Invalid value", "is not", "does not", "Options:",
           "Show this message", "Repeat for confirmation", "No such", "Aborted")


def assert_vietnamese(output: str) -> None:
    for english in ENGLISH:
        assert english not in output, f"{english!r} in: {output}"


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- flask setup -------------------------------------------------------------------------------------------


def test_setup_creates_root_unit_and_admin_who_can_sign_in(runner, auth, db):
    result = runner.invoke(args=SETUP, input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Mật khẩu quản trị" in result.output and "Nhập lại mật khẩu" in result.output
    assert "Đã tạo đơn vị gốc H44 — UBND tỉnh Phú Thọ (Tỉnh)" in result.output
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "H44"))
    assert unit.parent_id is None and unit.kind == "province" and unit.name == "UBND tỉnh Phú Thọ"
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    assert (admin.role, admin.unit_id, admin.full_name, admin.title) == (
        "admin", unit.id, "Quản trị hệ thống", "Chuyên viên CNTT")
    response = auth.login("admin", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert auth.client.get("/admin/units").status_code == 200


def test_setup_reads_the_password_from_the_environment(runner, db):
    result = runner.invoke(args=SETUP, env={"SETUP_ADMIN_PASSWORD": PASSWORD})

    assert result.exit_code == 0, result.output
    assert "Mật khẩu" not in result.output  # no prompt
    assert db.session.scalar(sa.select(User).where(User.username == "admin")).check_password(PASSWORD)


def test_setup_refuses_when_units_exist(runner, db, make_unit):
    make_unit("NS", kind="district")

    result = runner.invoke(args=SETUP, env={"SETUP_ADMIN_PASSWORD": PASSWORD})

    assert result.exit_code == 1
    assert "Cơ sở dữ liệu đã có đơn vị" in result.output and "flask units create" in result.output
    assert count(db, Unit) == 1 and count(db, User) == 0


def test_setup_is_one_transaction(runner, db):
    result = runner.invoke(args=SETUP, env={"SETUP_ADMIN_PASSWORD": "ngắn"})

    assert result.exit_code == 1
    assert "Mật khẩu phải có ít nhất 10 ký tự" in result.output
    assert count(db, Unit) == 0 and count(db, User) == 0  # the unit was rolled back with the refused admin


def test_setup_asks_twice_and_refuses_different_passwords(runner, db):
    result = runner.invoke(args=SETUP, input="matkhau-mot\nmatkhau-hai\n")

    assert result.exit_code == 1
    assert "Lỗi: hai lần nhập không khớp nhau." in result.output and "Đã hủy." in result.output
    assert_vietnamese(result.output)
    assert count(db, Unit) == 0


# --- flask units -------------------------------------------------------------------------------------------


def test_units_create_and_list_in_tree_order(runner, db):
    for args in (["H44", "--name", "UBND tỉnh Phú Thọ", "--kind", "province"],
                 ["H44.XA", "--name", "UBND xã Thanh Ba", "--kind", "commune", "--parent", "H44", "--order", "2"],
                 ["H44.VP", "--name", "Văn phòng UBND tỉnh", "--kind", "office", "--parent", "H44", "--order", "1"],
                 ["H44.VP.MC", "--name", "Bộ phận một cửa", "--kind", "one_stop", "--parent", "H44.VP"]):
        result = runner.invoke(args=["units", "create", *args])
        assert result.exit_code == 0, result.output
    assert "Đã tạo đơn vị H44.VP.MC — Bộ phận một cửa (Bộ phận một cửa), dưới H44.VP" in result.output
    child = db.session.scalar(sa.select(Unit).where(Unit.code == "H44.VP.MC"))
    assert child.parent.code == "H44.VP" and child.parent.parent.code == "H44"

    listing = runner.invoke(args=["units", "list"])

    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    assert [line.split()[0] for line in lines] == ["H44", "H44.VP", "H44.VP.MC", "H44.XA"]
    assert lines[0].split(None, 1)[1].split() == ["Tỉnh", "UBND", "tỉnh", "Phú", "Thọ"]
    assert lines[2].startswith("    H44.VP.MC") and "Bộ phận một cửa" in lines[2]
    assert "Xã, thị trấn" in lines[3]


def test_units_list_when_empty(runner):
    result = runner.invoke(args=["units", "list"])
    assert result.exit_code == 0 and "Chưa có đơn vị nào" in result.output and "flask setup" in result.output


def test_units_create_with_a_missing_parent(runner, db):
    result = runner.invoke(args=["units", "create", "X1", "--name", "Đơn vị X", "--kind", "other", "--parent", "KHONG"])

    assert result.exit_code == 1
    assert "Lỗi: Không có đơn vị cấp trên mã «KHONG»." in result.output
    assert count(db, Unit) == 0


def test_units_create_with_a_duplicate_code(runner, db, make_unit):
    make_unit("NS", name="UBND huyện Ninh Sơn", kind="district")

    result = runner.invoke(args=["units", "create", "NS", "--name", "Trùng mã", "--kind", "district"])

    assert result.exit_code == 1
    assert "Mã đơn vị «NS» đã được dùng cho «UBND huyện Ninh Sơn»." in result.output
    assert count(db, Unit) == 1


# --- click's own messages ------------------------------------------------------------------------------------


def test_missing_argument_in_vietnamese(runner):
    result = runner.invoke(args=["users", "create"])

    assert result.exit_code == 2
    # The test runner's program name is "app" (a shell says "flask").
    assert "Cách dùng: app users create [TÙY CHỌN] USERNAME" in result.output
    assert "Chạy «app users create --help» để xem hướng dẫn." in result.output
    assert "Lỗi: Thiếu đối số 'USERNAME'." in result.output
    assert_vietnamese(result.output)


def test_missing_option_in_vietnamese(runner):
    result = runner.invoke(args=["units", "create", "X1", "--kind", "other"])
    assert result.exit_code == 2 and "Lỗi: Thiếu tùy chọn '--name'." in result.output
    assert_vietnamese(result.output)


def test_bad_choice_in_vietnamese(runner, make_unit):
    make_unit("NS", kind="district")

    result = runner.invoke(args=["users", "create", "bob", "--name", "Bob", "--unit", "NS", "--role", "boss"])

    assert result.exit_code == 2
    assert "Giá trị không hợp lệ cho '--role': «boss» không phải là một trong các giá trị 'officer'" in result.output
    assert_vietnamese(result.output)


def test_password_mismatch_in_vietnamese(runner, db, make_unit):
    make_unit("NS", kind="district")

    result = runner.invoke(args=["users", "create", "bob", "--name", "Bob", "--unit", "NS"], input="a\nb\n")

    assert result.exit_code == 1
    assert "Lỗi: hai lần nhập không khớp nhau." in result.output
    assert_vietnamese(result.output)
    assert count(db, User) == 0


def test_other_usage_errors_in_vietnamese(runner, tmp_path):
    cases = {
        ("units", "create", "X1", "--name", "X", "--kind", "other", "--order", "hai"):
            "«hai» không phải là số nguyên hợp lệ.",
        ("scores", "import", str(tmp_path / "khong-co.json")): f"Đường dẫn «{tmp_path / 'khong-co.json'}» không tồn tại.",
        ("users", "creat"): "Lỗi: Không có lệnh «creat».",
        ("users", "list", "--tat-ca"): "Lỗi: Không có tùy chọn --tat-ca.",
        ("units", "create", "X1", "--nam", "X"): "Có phải ý bạn là --name?",
        ("users", "list", "thua"): "Lỗi: Thừa đối số (thua).",
    }
    for args, message in cases.items():
        result = runner.invoke(args=list(args))
        assert result.exit_code == 2, result.output
        assert message in result.output, result.output
        assert_vietnamese(result.output)


def test_help_in_vietnamese(runner):
    result = runner.invoke(args=["setup", "--help"])

    assert result.exit_code == 0
    assert "Cách dùng: app setup [TÙY CHỌN]" in result.output
    assert "Tùy chọn:" in result.output and "Hiện hướng dẫn này rồi thoát." in result.output
    text = " ".join(result.output.split())  # help text is wrapped to the terminal's width
    assert "[bắt buộc]" in text and "mặc định: province" in text
    assert "biến môi trường: SETUP_ADMIN_PASSWORD" in text
    assert "--database-check" not in result.output
    assert_vietnamese(result.output)
    group = runner.invoke(args=["units", "--help"])
    assert "Cách dùng: app units [TÙY CHỌN] LỆNH [ĐỐI SỐ]..." in group.output and "Lệnh:" in group.output


def test_the_database_check_cannot_be_given_on_the_command_line(runner):
    result = runner.invoke(args=["units", "list", "--database-check"])
    assert result.exit_code == 2 and "Không có tùy chọn --database-check." in result.output


# --- a database that is not migrated --------------------------------------------------------------------------


def _fresh_app(url: str):
    return create_app(type("Fresh", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def test_missing_sqlite_file_is_reported_and_not_created(tmp_path):
    path = tmp_path / "chua-co.db"
    app = _fresh_app(f"sqlite:///{path}")

    for args in (["users", "list"], ["units", "create", "X", "--name", "X", "--kind", "other"], ["seed-demo"],
                 ["catalog", "show"], ["scores", "scan-red"], ["setup", "--unit-code", "X", "--unit-name", "X"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert "Cơ sở dữ liệu chưa được khởi tạo (chưa chạy migration). Chạy: flask db upgrade" in result.output
        assert "Mật khẩu" not in result.output  # refused before any prompt
    assert not path.exists()
    assert app.test_cli_runner().invoke(args=["users", "list", "--help"]).exit_code == 0  # help needs no database


def test_flask_command_on_a_missing_sqlite_file(tmp_path):
    """The real `flask` entry point: exit code 1, one Vietnamese line, no traceback, no file."""
    path = tmp_path / "chua-co.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_") and k not in ("SECRET_KEY",)}
    env.update(FLASK_APP="wsgi.py", FLASK_CONFIG="development", DATABASE_URL=f"sqlite:///{path}")

    done = subprocess.run([str(Path(sys.executable).parent / "flask"), "users", "list"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)

    assert done.returncode == 1, done.stderr
    assert "Lỗi: Cơ sở dữ liệu chưa được khởi tạo (chưa chạy migration). Chạy: flask db upgrade" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not path.exists()


def test_an_empty_database_is_not_migrated(database_url, tmp_path):
    """No alembic_version table: an empty SQLite file, or an empty PostgreSQL schema."""
    engine = None
    if database_url.startswith("sqlite"):
        path = tmp_path / "rong.db"
        path.touch()
        url = f"sqlite:///{path}"
    else:
        schema = f"e_{uuid.uuid4().hex[:10]}"
        base = database_url.split("?")[0]
        engine = sa.create_engine(_postgres_url(base, "public"))
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_url(base, schema)
    app = _fresh_app(url)
    try:
        result = app.test_cli_runner().invoke(args=["units", "list"])
        assert result.exit_code == 1
        assert "Cơ sở dữ liệu chưa được khởi tạo (chưa chạy migration). Chạy: flask db upgrade" in result.output
        with app.app_context():
            from app.extensions import db

            assert sa.inspect(db.engine).get_table_names() == []  # the check created nothing
            db.engine.dispose()
    finally:
        if engine is not None:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


def test_a_database_behind_the_migrations(tmp_path):
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    path = tmp_path / "cu.db"
    app = _fresh_app(f"sqlite:///{path}")
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        head = script.get_revision(script.get_current_head())
        upgrade(revision=head.down_revision)
        from app.extensions import db

        db.engine.dispose()

    result = app.test_cli_runner().invoke(args=["users", "list"])

    assert result.exit_code == 1
    assert f"Cơ sở dữ liệu chưa được cập nhật (đang ở phiên bản {head.down_revision}, mới nhất là {head.revision})" \
           in result.output
    assert "Chạy: flask db upgrade" in result.output


def test_an_unreachable_database(tmp_path):
    app = _fresh_app(f"sqlite:///{tmp_path}")  # a directory: SQLite cannot open it
    result = app.test_cli_runner().invoke(args=["users", "list"])
    assert result.exit_code == 1 and "Không kết nối được cơ sở dữ liệu" in result.output
    assert "Traceback" not in result.output


# --- production settings ----------------------------------------------------------------------------------------


def _production(secret_key):
    return type("Production", (ProductionConfig,), {"SECRET_KEY": secret_key, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "", None, "ngan-qua-" * 3])
def test_production_refuses_a_weak_secret_key(key):
    with pytest.raises(RuntimeError) as refused:
        create_app(_production(key))
    message = str(refused.value)
    assert "SECRET_KEY" in message and 'python3 -c "import secrets; print(secrets.token_hex(32))"' in message


def test_production_with_flask_config_env_and_the_default_key(monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", DEV_SECRET_KEY)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY đang là giá trị mặc định"):
        create_app()


def test_production_accepts_a_long_random_key_and_secures_cookies():
    app = create_app(_production(secrets.token_hex(32)))

    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    if "SESSION_COOKIE_SECURE" not in os.environ:
        assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_and_tests_keep_the_development_key():
    assert create_app(type("Dev", (Config,), {"SECRET_KEY": DEV_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    assert create_app(type("T", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"})).config["SECRET_KEY"] == "test"


def test_an_unknown_flask_config_is_named(monkeypatch):
    monkeypatch.setenv("FLASK_CONFIG", "prod")
    with pytest.raises(RuntimeError, match="FLASK_CONFIG='prod' không hợp lệ"):
        create_app()
