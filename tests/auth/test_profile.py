""""Tài khoản của tôi" (/profile): the signed-in user's e-mail, alert e-mail choice and password; never anyone else's."""

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth import services
from app.auth.models import ALERT_EMAIL
from app.core.errors import DomainError
from tests.conftest import PASSWORD


def user(db, username):
    db.session.expire_all()
    return services.find_user(username)


def form(**changes):
    return {"email": "", "alert_email": "digest", "current_password": "", "password": "", "confirm": "", **changes}


def test_the_page_shows_who_i_am_read_only_and_the_choices(demo, client, auth):
    auth.login("yenntk")
    page = client.get("/profile")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tài khoản của tôi" in html and "Nguyễn Thị Kim Yến" in html
    assert 'name="full_name"' not in html and 'name="title"' not in html
    assert "Nhận cảnh báo qua thư điện tử" in html
    for value, label in ALERT_EMAIL.items():
        assert f'value="{value}"' in html and label in html
    radios = {value: re.search(rf'<input[^>]*value="{value}"[^>]*>', html).group(0) for value in ALERT_EMAIL}
    assert [value for value, tag in radios.items() if "checked" in tag] == ["digest"]  # the default
    assert 'href="/profile"' in html  # the name in the header leads here


def test_anonymous_is_sent_to_sign_in(demo, client):
    page = client.get("/profile")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_change_email_and_choice(demo, client, auth, db):
    auth.login("yenntk")
    page = client.post("/profile", data=form(email=" yen.ntk@ninhson.gov.vn ", alert_email="instant"))
    assert page.status_code == 302 and page.headers["Location"].endswith("/profile")
    yen = user(db, "yenntk")
    assert (yen.email, yen.alert_email) == ("yen.ntk@ninhson.gov.vn", "instant")
    assert "Đã lưu thông tin tài khoản." in client.get("/profile").get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.update_profile"))
    assert entry.actor_id == yen.id and entry.object_id == yen.id
    assert entry.before == {"email": None, "alert_email": "digest"}
    assert entry.after == {"email": "yen.ntk@ninhson.gov.vn", "alert_email": "instant"}

    client.post("/profile", data=form(email="", alert_email="none"))
    yen = user(db, "yenntk")
    assert (yen.email, yen.alert_email) == (None, "none")


def test_change_password_with_the_current_one(demo, client, auth, db):
    auth.login("yenntk")
    page = client.post("/profile", data=form(current_password=PASSWORD, password="mat-khau-moi-766",
                                             confirm="mat-khau-moi-766"))
    assert page.status_code == 302
    assert user(db, "yenntk").check_password("mat-khau-moi-766")
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.set_password")) is not None
    auth.logout()
    assert auth.login("yenntk", "mat-khau-moi-766").status_code == 302


@pytest.mark.parametrize("current", ["", "sai-mat-khau"], ids=["missing", "wrong"])
def test_a_wrong_current_password_refuses_everything(demo, client, auth, db, current):
    auth.login("yenntk")
    page = client.post("/profile", data=form(email="yen@ninhson.gov.vn", alert_email="instant",
                                             current_password=current, password="mat-khau-moi-766",
                                             confirm="mat-khau-moi-766"))
    assert page.status_code == 422
    assert "Mật khẩu hiện tại không đúng." in page.get_data(as_text=True)
    yen = user(db, "yenntk")
    assert yen.check_password(PASSWORD) and not yen.check_password("mat-khau-moi-766")
    assert (yen.email, yen.alert_email) == (None, "digest")  # all or nothing


@pytest.mark.parametrize(("changes", "message"), [
    ({"email": "khong-phai-thu"}, "Địa chỉ thư không hợp lệ."),
    ({"alert_email": "sms"}, "Lựa chọn không hợp lệ."),
    ({"current_password": PASSWORD, "password": "ngan", "confirm": "ngan"}, "ít nhất 10 ký tự"),
    ({"current_password": PASSWORD, "password": "mat-khau-moi-766", "confirm": "khac-hoan-toan"}, "không khớp"),
])
def test_bad_input_is_refused_with_a_message(demo, client, auth, db, changes, message):
    auth.login("yenntk")
    page = client.post("/profile", data=form(**changes))
    assert page.status_code == 422 and message in page.get_data(as_text=True)
    yen = user(db, "yenntk")
    assert yen.email is None and yen.alert_email == "digest" and yen.check_password(PASSWORD)


def test_only_my_own_profile_is_ever_edited(demo, client, auth, db):
    hung_before = user(db, "hungdv")
    before = (hung_before.email, hung_before.alert_email, hung_before.password_hash)
    auth.login("yenntk")
    # There is no id in the address: whatever is sent, it is the signed-in user's profile.
    assert client.get(f"/profile/{hung_before.id}").status_code == 404
    client.post(f"/profile?user_id={hung_before.id}", data=form(email="x@ninhson.gov.vn", alert_email="none",
                                                                 user_id=hung_before.id, username="hungdv"))
    hung = user(db, "hungdv")
    assert (hung.email, hung.alert_email, hung.password_hash) == before
    assert user(db, "yenntk").email == "x@ninhson.gov.vn"


def test_the_service_refuses_to_edit_someone_else(demo, db):
    yen, hung = user(db, "yenntk"), user(db, "hungdv")
    with pytest.raises(DomainError, match="chính mình"):
        services.update_profile(hung, email="x@ninhson.gov.vn", alert_email="none", actor=yen)
    with pytest.raises(DomainError, match="chính mình"):
        services.update_profile(hung, email="x@ninhson.gov.vn", alert_email="none", actor=None)
