"""The password policy (app.auth.passwords): one rule for every path that sets a password, and the same hash cost
for unknown usernames."""

import time

import pytest

from app.auth import services
from app.auth.passwords import common_passwords, password_problem
from app.core.errors import DomainError

TOO_SHORT, COMMON, HAS_NAME = "ít nhất 10 ký tự", "quá phổ biến", "chứa tên đăng nhập"


@pytest.mark.parametrize(("password", "username", "problem"), [
    ("12345678", "vanna", TOO_SHORT),
    ("password", "vanna", TOO_SHORT),
    ("ngan-qua", "vanna", TOO_SHORT),
    ("1234567890", "vanna", COMMON),
    ("qwertyuiop", "vanna", COMMON),
    ("Password123", "vanna", COMMON),      # the list is compared without case
    ("matkhau123", "vanna", COMMON),       # Vietnamese additions
    ("aaaaaaaaaaaa", "vanna", COMMON),     # too few different characters
    ("vanna-2026-vui", "vanna", HAS_NAME),
    ("VANNA12345xyz", "vanna", HAS_NAME),
    ("ninhson766", "hungdv", None),        # the demo password stays valid
    ("matkhau-thu-nghiem", "yenntk", None),  # the tests' password
    ("mat-khau-quan-tri-766", "admin", None),
    ("co-ba-chu-vi", "ab", None),          # a two-letter username is not searched for
])
def test_policy(password, username, problem):
    found = password_problem(password, username)
    assert (found is None) if problem is None else (problem in found)


def test_the_bundled_list_has_a_few_thousand_entries_of_policy_length():
    words = common_passwords()
    assert 1500 < len(words) < 10000 and all(len(w) >= 10 for w in words)


@pytest.fixture
def unit(make_unit):
    return make_unit("U", "UBND huyện Thử", "district")


@pytest.mark.parametrize("path", ["create", "set_password", "cli_create", "cli_set_password", "admin_form",
                                  "profile"])
def test_every_path_that_sets_a_password_applies_the_policy(app, db, unit, make_user, runner, client, auth, path):
    from tests.conftest import DEMO_NOW, PASSWORD

    user = make_user("yenntk", unit)
    make_user("quantri", unit, role="admin")
    weak = "1234567890"
    if path == "create":
        with pytest.raises(DomainError, match=COMMON):
            services.create_user(username="moi", full_name="Cán bộ Mới", unit=unit, password=weak)
    elif path == "set_password":
        with pytest.raises(DomainError, match=COMMON):
            services.set_password(user, weak, now=DEMO_NOW)
    elif path.startswith("cli"):
        args = (["users", "create", "moi", "--name", "Cán bộ Mới", "--unit", "U", "--password", weak]
                if path == "cli_create" else ["users", "set-password", "yenntk", "--password", weak])
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and COMMON in result.output
    elif path == "admin_form":
        auth.login("quantri")
        form = {"username": "yenntk", "full_name": user.full_name, "title": "", "email": "", "unit_id": unit.id,
                "role": "officer", "is_active": "y", "password": weak, "confirm": weak}
        response = client.post(f"/admin/users/{user.id}/edit", data=form)
        assert response.status_code == 422 and COMMON in response.get_data(as_text=True)
    else:
        auth.login("yenntk")
        response = client.post("/profile", data={"email": "", "alert_email": "digest", "current_password": PASSWORD,
                                                 "password": weak, "confirm": weak})
        assert response.status_code == 422 and COMMON in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(type(user), user.id).check_password(PASSWORD)


def test_unknown_usernames_take_as_long_as_known_ones(app, unit, make_user):
    """The hash runs for unknown usernames too (a dummy one), so timing does not reveal which accounts exist."""
    from datetime import UTC, datetime

    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:200000"  # slow enough to measure against noise
    try:
        make_user("yenntk", unit)
        now = datetime(2026, 11, 15, tzinfo=UTC)

        def median(username):
            times = []
            for _ in range(5):
                t = time.perf_counter()
                assert services.authenticate(username, "sai-mat-khau", now=now) is None
                times.append(time.perf_counter() - t)
            return sorted(times)[2]

        services.authenticate("khongco", "x", now=now)  # the dummy hash is made once, first
        known, unknown = median("yenntk"), median("khongco")
        assert 0.5 < unknown / known < 2, (known, unknown)
    finally:
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
