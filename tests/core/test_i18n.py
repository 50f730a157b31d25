"""The interface language: Vietnamese by default, English from the switch (session, then the account); the English
catalog is complete and its compiled .mo matches the .po."""

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from app.auth.services import find_user

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


def test_the_sign_in_page_is_vietnamese_by_default_and_english_after_the_switch(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Tên đăng nhập" in page
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Username" in page and "Tên đăng nhập" not in page


@pytest.mark.parametrize(("locale", "next_url", "status", "location"), [
    ("fr", "/", 400, None),            # not offered
    ("", "/", 400, None),
    ("en", "https://evil.example/", 302, "/"),  # never off the site
    ("en", "//evil.example/", 302, "/"),
])
def test_the_switch_refuses_unknown_languages_and_foreign_redirects(client, locale, next_url, status, location):
    response = client.post("/language", data={"locale": locale, "next": next_url})
    assert response.status_code == status
    if location:
        assert response.headers["Location"] == location


def test_a_signed_in_users_choice_is_kept_on_the_account(demo, db, client, auth):
    auth.login("yenntk")
    client.post("/language", data={"locale": "en"})
    assert find_user("yenntk").locale == "en"
    auth.logout()
    with client.session_transaction() as session:
        session.clear()
    auth.login("yenntk")
    assert "My indicators" in client.get("/").get_data(as_text=True)


def test_a_choice_made_before_signing_in_goes_onto_the_account(demo, db, client, auth):
    client.post("/language", data={"locale": "en"})
    auth.login("yenntk")
    assert find_user("yenntk").locale == "en"


def test_the_database_refuses_an_unknown_locale(demo, db):
    from sqlalchemy.exc import IntegrityError

    find_user("yenntk").locale = "xx"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_english_catalog_is_complete_and_compiled():
    po_path = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as f:
        catalog = read_po(f, locale="en")
    assert [m.id for m in catalog if m.id and not m.string] == []
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    with (po_path.with_suffix(".mo")).open("rb") as f:
        committed = read_mo(f)
    fresh = read_mo(compiled)
    assert {m.id: m.string for m in committed if m.id} == {m.id: m.string for m in fresh if m.id}, (
        "messages.mo is stale: run `pybabel compile -d app/translations` (README, Ngôn ngữ)")
