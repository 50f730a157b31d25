"""Sign-in: hashed passwords, safe `next`, CSRF on forms, sign-out."""

import pytest


@pytest.fixture
def officer(make_unit, make_user):
    unit = make_unit("U", "UBND huyện Thử", "district")
    return make_user("yenntk", unit, full_name="Nguyễn Thị Kim Yến")


def test_pages_need_sign_in(client, officer):
    response = client.get("/assignments/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sign_in_and_out(client, auth, officer):
    assert auth.login("yenntk").headers["Location"] == "/"
    assert "Nguyễn Thị Kim Yến" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_in_vietnamese(auth, officer):
    response = auth.login("yenntk", "sai-mat-khau")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.get_data(as_text=True)


@pytest.mark.parametrize(("target", "expected"), [
    ("/units", "/units"),
    ("/assignments/?plan=1", "/assignments/?plan=1"),
    ("http://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/\t/evil.example", "/"),  # browsers drop the tab: "//evil.example"
    ("/%09/evil.example", "/"),
    ("/%5C%5Cevil.example", "/"),
    ("/%2F/evil.example", "/"),
])
def test_next_follows_only_local_paths(client, officer, target, expected):
    response = client.post("/login", query_string={"next": target},
                           data={"username": "yenntk", "password": "matkhau-thu-nghiem"})
    assert response.headers["Location"] == expected


def test_forms_need_a_csrf_token(app, client, officer):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": "yenntk", "password": "matkhau-thu-nghiem"})
        assert response.status_code in (400, 401)
        assert client.get("/").status_code == 302  # not signed in
        page = client.get("/login").get_data(as_text=True)
        assert 'name="csrf_token"' in page
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_sign_in_is_audited(db, auth, officer):
    from app.audit.models import AuditEntry

    auth.login("yenntk", "sai")
    auth.login("yenntk")
    actions = [e.action for e in db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-2:] == ["auth.login_failed", "auth.login"]


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"
