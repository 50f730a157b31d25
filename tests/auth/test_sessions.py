"""Server-side sessions: a new one at every sign-in; sign-out, a password change and deactivation end them (a copied
cookie stops working at the next request); idle and absolute timeouts; re-authentication before approving or
signing; no remember-me cookie."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.auth import services
from app.auth.models import UserSession
from tests.conftest import DEMO_NOW, PASSWORD


@pytest.fixture
def officer(make_unit, make_user):
    unit = make_unit("U", "UBND huyện Thử", "district")
    make_user("admin", unit, role="admin", full_name="Quản trị Thử")
    return make_user("yenntk", unit, full_name="Nguyễn Thị Kim Yến")


def signed_in(app, auth, username="yenntk"):
    assert auth.login(username).status_code == 302
    return auth.client


def copy_of(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie("session", cookie.value)
    return other


def works(client) -> bool:
    return client.get("/profile").status_code == 200


def open_sessions(db):
    return db.session.scalars(sa.select(UserSession).where(UserSession.ended_at.is_(None))).all()


def test_sign_in_starts_a_new_session_and_never_keeps_the_old_cookie_session(app, db, client, auth, officer, clock):
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    signed_in(app, auth)
    with client.session_transaction() as s:
        assert "planted" not in s and s.get("sid")
    (row,) = open_sessions(db)
    assert row.user_id == officer.id and row.created_at == row.authenticated_at == DEMO_NOW
    assert len(row.token_hash) == 64 and row.token_hash not in client.get_cookie("session").value


def test_no_remember_me_cookie_is_given(client, auth, officer):
    response = client.post("/login", data={"username": "yenntk", "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None


def test_a_copied_cookie_stops_working_after_sign_out(app, db, client, auth, officer, clock):
    signed_in(app, auth)
    thief = copy_of(app, client)
    assert works(thief)
    auth.logout()
    response = thief.get("/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Phiên đăng nhập đã kết thúc" in thief.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(UserSession.end_reason)) == "logout"


@pytest.mark.parametrize(("change", "message"), [
    ("admin_password", "Mật khẩu của tài khoản đã được đổi"),
    ("cli_password", "Mật khẩu của tài khoản đã được đổi"),
    ("admin_deactivate", "Tài khoản đã bị vô hiệu hóa"),
    ("cli_deactivate", "Tài khoản đã bị vô hiệu hóa"),
])
def test_password_change_and_deactivation_end_open_sessions_at_the_next_request(app, db, auth, officer, runner, clock,
                                                                                change, message):
    browser = signed_in(app, auth)
    assert works(browser)
    if change.startswith("admin"):
        admin = app.test_client()
        assert admin.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 302
        form = {"username": "yenntk", "full_name": officer.full_name, "title": "", "email": "",
                "unit_id": officer.unit_id, "role": "officer", "is_active": "y", "password": "", "confirm": ""}
        if change == "admin_password":
            form |= {"password": "mat-khau-moi-cua-yen", "confirm": "mat-khau-moi-cua-yen"}
        else:
            form["is_active"] = ""
        assert admin.post(f"/admin/users/{officer.id}/edit", data=form).status_code == 302
    else:
        args = (["users", "set-password", "yenntk", "--password", "mat-khau-moi-cua-yen"] if change == "cli_password"
                else ["users", "deactivate", "yenntk"])
        assert runner.invoke(args=args).exit_code == 0
    response = browser.get("/profile")
    assert response.status_code == 302
    assert message in browser.get("/login").get_data(as_text=True)


def test_changing_ones_own_password_ends_the_other_sessions_but_keeps_this_one(app, db, auth, officer, clock):
    other = app.test_client()
    assert other.post("/login", data={"username": "yenntk", "password": PASSWORD}).status_code == 302
    browser = signed_in(app, auth)
    response = browser.post("/profile", data={"email": "", "alert_email": "digest", "current_password": PASSWORD,
                                              "password": "mat-khau-moi-cua-yen", "confirm": "mat-khau-moi-cua-yen"})
    assert response.status_code == 302
    assert works(browser) and not works(other)


@pytest.mark.parametrize(("idle", "absolute", "steps", "expected"), [
    (1800, 43200, [29 * 60], "works"),                          # within the idle timeout
    (1800, 43200, [31 * 60], "không thao tác trong 30 phút"),   # idle too long
    (1800, 43200, [25 * 60] * 29, "quá 12 giờ"),                 # busy all along, but 12 h 05 min after sign-in
    (1800, 43200, [25 * 60] * 27, "works"),                      # 11 h 15 min of steady work
    (600, 3600, [9 * 60] * 6, "works"),                          # other settings
    (600, 3600, [9 * 60] * 7, "quá 1 giờ"),
])
def test_idle_and_absolute_timeouts(app, db, auth, officer, clock, idle, absolute, steps, expected):
    app.config.update(SESSION_IDLE_TIMEOUT=idle, SESSION_ABSOLUTE_TIMEOUT=absolute)
    try:
        browser = signed_in(app, auth)
        response = None
        for seconds in steps:
            clock.shift(timedelta(seconds=seconds))
            response = browser.get("/profile")
            if response.status_code != 200:
                break
        if expected == "works":
            assert response.status_code == 200
        else:
            assert response.status_code == 302
            assert response.headers["Location"] == "/login?next=/profile"
            assert expected in browser.get("/login").get_data(as_text=True)
            assert not works(browser)
    finally:
        app.config.update(SESSION_IDLE_TIMEOUT=1800, SESSION_ABSOLUTE_TIMEOUT=43200)


def test_a_cookie_for_another_user_id_is_refused(app, db, auth, officer, clock):
    browser = signed_in(app, auth)
    with browser.session_transaction() as s:
        s["_user_id"] = str(officer.id + 1000)
    assert not works(browser)


def test_a_forged_session_without_a_token_is_refused(app, client, officer):
    with client.session_transaction() as s:
        s["_user_id"], s["_fresh"] = str(officer.id), True
    assert not works(client)


class TestReauthBeforeApproveAndSign:
    """Approving and signing need the password typed within REAUTH_MAX_AGE (15 min by default)."""

    @pytest.fixture
    def document(self, demo, db):
        from app.auth.services import find_user
        from app.org.services import find_unit_by_code
        from app.reports import services as documents
        from app.scores.periods import quarter_period

        hung, unit = find_user("hungdv"), find_unit_by_code("NS")
        doc = documents.create_draft(kind="plan", unit=unit, period=quarter_period(2026, 4), actor=hung,
                                     today=DEMO_NOW.date(), now=DEMO_NOW)
        db.session.commit()
        return doc

    @pytest.mark.parametrize("step", ["approve", "sign"])
    def test_an_old_sign_in_must_type_the_password_again(self, client, auth, document, clock, step):
        auth.login("hungdv")
        clock.shift(timedelta(minutes=14))
        client.get("/")  # still active: not idle
        clock.shift(timedelta(minutes=2))
        response = client.post(f"/documents/{document.id}/{step}", data={"comment": ""})
        assert response.status_code == 302
        assert response.headers["Location"] == f"/reauth?next=/documents/{document.id}"
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Xác nhận mật khẩu" in page and "nhập lại mật khẩu" in page
        wrong = client.post(f"/reauth?next=/documents/{document.id}", data={"password": "sai-mat-khau-roi"})
        assert wrong.status_code == 401 and "Mật khẩu không đúng" in wrong.get_data(as_text=True)
        right = client.post(f"/reauth?next=/documents/{document.id}", data={"password": PASSWORD})
        assert right.headers["Location"] == f"/documents/{document.id}"
        again = client.post(f"/documents/{document.id}/{step}", data={"comment": ""})
        assert "/reauth" not in again.headers.get("Location", "")

    def test_a_recent_sign_in_needs_nothing_more(self, client, auth, document, clock):
        auth.login("hungdv")
        clock.shift(timedelta(minutes=10))
        response = client.post(f"/documents/{document.id}/approve", data={"comment": ""})
        assert "/reauth" not in response.headers.get("Location", "")

    def test_reauth_follows_only_local_paths(self, client, auth, demo, clock):
        auth.login("hungdv")
        response = client.post("/reauth?next=//evil.example/", data={"password": PASSWORD})
        assert response.headers["Location"] == "/"


def test_sessions_of_a_deactivated_user_end_in_the_service(db, officer, clock):
    from app.auth import sessions

    sessions.start(officer, now=DEMO_NOW)
    sessions.start(officer, now=DEMO_NOW)
    db.session.commit()
    services.deactivate(officer, now=DEMO_NOW + timedelta(minutes=1))
    db.session.commit()
    assert open_sessions(db) == []
    assert {r.end_reason for r in db.session.scalars(sa.select(UserSession))} == {"deactivated"}
