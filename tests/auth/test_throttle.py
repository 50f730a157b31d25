"""Failed sign-ins are counted in the database per username and per address: the account locks after
LOGIN_MAX_FAILURES_PER_USER failures within the window, even when they come from different worker processes; a
locked account says so without telling whether the password was right; the audit log stays bounded."""

import multiprocessing
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import LoginFailure
from tests.conftest import PASSWORD

LOCKED = "tạm thời bị khóa đăng nhập"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng"


@pytest.fixture
def officer(make_unit, make_user):
    unit = make_unit("U", "UBND huyện Thử", "district")
    return make_user("yenntk", unit, full_name="Nguyễn Thị Kim Yến")


def attempt(client, password, username="yenntk", address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize(("failures", "then", "status", "message"), [
    (9, PASSWORD, 302, None),              # below the limit the right password works
    (10, PASSWORD, 429, LOCKED),           # locked: even the right password is refused …
    (10, "sai-mat-khau-nua", 429, LOCKED),  # … with the same answer as a wrong one
])
def test_ten_failures_lock_the_account(client, officer, clock, failures, then, status, message):
    for i in range(failures):
        assert WRONG in attempt(client, f"sai-{i}").get_data(as_text=True)
    response = attempt(client, then)
    assert response.status_code == status
    if message:
        assert message in response.get_data(as_text=True) and WRONG not in response.get_data(as_text=True)


def test_the_lock_is_per_account_and_lifts_after_the_window(client, officer, make_user, clock):
    make_user("vanna", "U")
    for i in range(10):
        attempt(client, f"sai-{i}", address=f"10.0.1.{i}")  # spread over addresses: the account still locks
    assert attempt(client, PASSWORD, address="10.9.9.9").status_code == 429
    assert attempt(client, PASSWORD, username="vanna").status_code == 302
    client.post("/logout")
    clock.shift(timedelta(minutes=15, seconds=1))
    assert attempt(client, PASSWORD).status_code == 302


def test_an_unknown_username_locks_the_same_way(client, officer, clock):
    for i in range(10):
        attempt(client, f"sai-{i}", username="khongco")
    assert LOCKED in attempt(client, "x", username="khongco").get_data(as_text=True)


def test_an_address_locks_at_its_own_higher_limit(app, client, officer, clock):
    for i in range(50):
        attempt(client, "sai-mat-khau", username=f"nguoi{i}", address="10.0.0.7")
    response = attempt(client, PASSWORD, address="10.0.0.7")
    assert response.status_code == 429 and "Địa chỉ máy của bạn" in response.get_data(as_text=True)
    assert attempt(client, PASSWORD, address="10.0.0.8").status_code == 302


def test_failures_are_audited_boundedly(db, client, officer, clock):
    for i in range(40):
        attempt(client, f"sai-{i}")
    actions = [a for a in db.session.scalars(sa.select(AuditEntry.action))]
    assert actions.count("auth.login_failed") == 1 and actions.count("auth.locked") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 10  # locked: not counted


def test_an_administrator_unlocks_with_the_cli(client, runner, officer, clock):
    for i in range(10):
        attempt(client, f"sai-{i}")
    result = runner.invoke(args=["users", "unlock", "YenNTK"])
    assert result.exit_code == 0 and "Đã mở khóa đăng nhập của «yenntk» (xóa 10 lần đăng nhập sai)" in result.output
    assert attempt(client, PASSWORD).status_code == 302


def _worker(database_url: str, count: int, start: float, now: str) -> list[int]:
    """A separate OS process with its own app and database connection, like one gunicorn worker. It keeps the
    parent's clock (under TEST_CLOCK the parent's `now` is not the machine's); both start together on the
    machine-wide monotonic clock, which no time travel touches."""
    import time_machine

    from app import create_app
    from config import TestConfig

    time_machine.travel(datetime.fromisoformat(now), tick=True).start()
    app = create_app(type("WorkerConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    client = app.test_client()
    while time.monotonic() < start:
        time.sleep(0.005)
    return [client.post("/login", data={"username": "yenntk", "password": f"sai-{i}"},
                        environ_base={"REMOTE_ADDR": f"10.1.0.{i}"}).status_code for i in range(count)]


def test_failures_from_two_worker_processes_lock_the_account(app, db, officer):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    start, now = time.monotonic() + 3, datetime.now(UTC).isoformat()
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(_worker, [(url, 5, start, now), (url, 5, start, now)], chunksize=1)
    assert sorted(sum(results, [])) == [401] * 10
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure)) == 10
    response = app.test_client().post("/login", data={"username": "yenntk", "password": PASSWORD})
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
