"""Accounts: unique lower-case usernames, hashed passwords, deactivation, and the `flask users` CLI."""

import pytest
from sqlalchemy.exc import IntegrityError

from app.auth import services
from app.auth.models import User
from app.core.errors import DomainError


@pytest.fixture
def unit(make_unit):
    return make_unit("U", "UBND huyện Thử", "district")


def test_password_is_stored_hashed(make_user, unit):
    user = make_user("vanna", unit)
    assert "matkhau" not in user.password_hash and user.check_password("matkhau-thu-nghiem")
    assert not user.check_password("sai")


@pytest.mark.parametrize(("username", "message"), [
    ("VanNA", "đã tồn tại"),          # case-insensitive duplicate
    ("vanna", "đã tồn tại"),
    ("văn", "chữ thường không dấu"),
    ("a", "chữ thường không dấu"),
    ("has space", "chữ thường không dấu"),
])
def test_bad_usernames_are_refused(make_user, unit, username, message):
    make_user("vanna", unit)
    with pytest.raises(DomainError, match=message):
        services.create_user(username=username, full_name="Nguyễn Văn A", unit=unit, password="mat-khau-dai-hon")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"full_name": " "}, "Họ và tên"),
    ({"role": "king"}, "Vai trò"),
    ({"password": "short"}, "ít nhất 10 ký tự"),
    ({"unit": None}, "đơn vị"),
])
def test_bad_account_fields_are_refused(unit, kwargs, message):
    args = {"username": "moi", "full_name": "Nguyễn Văn Mới", "unit": unit, "password": "mat-khau-dai-hon", **kwargs}
    with pytest.raises(DomainError, match=message):
        services.create_user(**args)


def test_database_refuses_duplicate_and_upper_case_usernames(db, unit, make_user):
    make_user("vanna", unit)
    for username in ("vanna", "Upper"):
        db.session.add(User(username=username, full_name="X", unit=unit, role="officer"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


class TestUsersCommand:
    def test_create_then_sign_in(self, runner, unit, auth):
        result = runner.invoke(args=["users", "create", "yenntk", "--name", "Nguyễn Thị Kim Yến", "--unit", "U",
                                     "--title", "Chuyên viên", "--password", "mat-khau-dai-hon"])
        assert result.exit_code == 0, result.output
        assert "Đã tạo tài khoản yenntk (Nguyễn Thị Kim Yến" in result.output
        assert auth.login("yenntk", "mat-khau-dai-hon").status_code == 302

    @pytest.mark.parametrize(("args", "message"), [
        (["--unit", "KHONGCO"], "Không có đơn vị mã «KHONGCO»"),
        (["--unit", "U", "--password", "ngan"], "ít nhất 10 ký tự"),
    ])
    def test_create_refuses_bad_input(self, runner, unit, args, message):
        base = ["users", "create", "moi", "--name", "Cán bộ Mới", "--password", "mat-khau-dai-hon"]
        result = runner.invoke(args=base + args)
        assert result.exit_code != 0
        assert message in result.output
        assert services.find_user("moi") is None

    def test_create_refuses_a_duplicate(self, runner, unit, make_user):
        make_user("moi", unit)
        result = runner.invoke(args=["users", "create", "moi", "--name", "X", "--unit", "U", "--password", "mat-khau-dai-hon"])
        assert result.exit_code != 0 and "đã tồn tại" in result.output

    def test_set_password(self, runner, unit, make_user, auth):
        make_user("moi", unit)
        result = runner.invoke(args=["users", "set-password", "moi", "--password", "doi-mat-khau-hon"])
        assert result.exit_code == 0, result.output
        assert auth.login("moi", "doi-mat-khau-hon").status_code == 302

    def test_deactivate_blocks_sign_in_and_keeps_the_account(self, runner, unit, make_user, auth):
        make_user("moi", unit)
        result = runner.invoke(args=["users", "deactivate", "moi"])
        assert result.exit_code == 0 and "Đã vô hiệu hóa" in result.output
        response = auth.login("moi")
        assert response.status_code == 401
        assert "vô hiệu hóa" in response.get_data(as_text=True)
        assert services.find_user("moi") is not None

    def test_unknown_user(self, runner, unit):
        result = runner.invoke(args=["users", "deactivate", "khongco"])
        assert result.exit_code != 0 and "Không có tài khoản «khongco»" in result.output
