"""Per-unit API tokens: issued by an admin over the unit, stored hashed, shown once, revoked, audited."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.api.models import ApiToken
from app.api.services import authenticate_token, issue_token, revoke_token
from app.audit.models import AuditEntry
from app.auth.services import find_user
from app.core.errors import DomainError
from app.org.services import find_unit_by_code

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
TOKEN_SHOWN = re.compile(r'id="plaintext" value="(c766_[A-Za-z0-9_-]+)"')


def actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "api_token")
                                   .order_by(AuditEntry.id)))


def issue(code="NS", actor="admin", **kw):
    return issue_token(find_unit_by_code(code), name=kw.pop("name", "Một cửa huyện"), actor=find_user(actor),
                       now=kw.pop("now", NOW), **kw)


# ---------------------------------------------------------------- services


def test_a_token_is_stored_hashed_and_shown_once(demo, db):
    token, plaintext = issue()
    db.session.commit()
    assert plaintext.startswith("c766_") and len(plaintext) > 40
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert token.prefix == plaintext[:11] and plaintext not in (token.prefix, token.token_hash, token.name)
    assert (token.unit.code, token.created_by.username, token.created_at) == ("NS", "admin", NOW)
    assert actions(db) == ["api_token.issue"]
    other, second = issue()
    assert second != plaintext and other.token_hash != token.token_hash


def test_authentication_takes_a_live_token_and_notes_its_use(demo, db):
    token, plaintext = issue()
    later = NOW + timedelta(hours=2)
    assert authenticate_token(plaintext, now=later) is token
    assert token.last_used_at == later
    for wrong in (None, "", "c766_sai", plaintext + "x", plaintext[:-1], "Bearer " + plaintext, "x" * 500):
        assert authenticate_token(wrong, now=later) is None


def test_a_revoked_or_expired_token_is_refused_and_the_attempt_audited(demo, db):
    token, plaintext = issue()
    assert revoke_token(token, actor=find_user("admin"), now=NOW) is True
    assert revoke_token(token, actor=find_user("admin"), now=NOW) is False  # already revoked: nothing more
    assert authenticate_token(plaintext, now=NOW) is None
    expiring, secret = issue(expires_at=NOW + timedelta(days=1))
    assert authenticate_token(secret, now=NOW + timedelta(hours=23)) is expiring
    assert authenticate_token(secret, now=NOW + timedelta(days=1)) is None
    assert actions(db) == ["api_token.issue", "api_token.revoke", "api_token.refused", "api_token.issue",
                           "api_token.refused"]


@pytest.mark.parametrize(("actor", "unit"), [
    ("admin", "NT.TN"),  # a district admin, another district
    ("admin", "NT"),  # nor the province above
    ("hungdv", "NS"),  # a chair is no admin
    ("vanna", "NS.VP"),
])
def test_only_an_admin_over_the_unit_may_issue(demo, db, actor, unit):
    with pytest.raises(DomainError, match="Chỉ quản trị hệ thống của đơn vị này"):
        issue(unit, actor)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_an_admin_above_may_issue_and_revoke_below(demo, db):
    token, _ = issue("NS.TP", "quantri")
    with pytest.raises(DomainError):
        revoke_token(issue("NT.TN", "quantri")[0], actor=find_user("admin"), now=NOW)
    assert revoke_token(token, actor=find_user("admin"), now=NOW)


@pytest.mark.parametrize(("kw", "message"), [
    ({"name": "  "}, "Nhập tên gợi nhớ"),
    ({"name": "x" * 121}, "tối đa 120"),
    ({"expires_at": NOW}, "Ngày hết hạn phải sau"),
])
def test_a_token_needs_a_name_and_a_future_expiry(demo, db, kw, message):
    with pytest.raises(DomainError, match=message):
        issue(**kw)


# ---------------------------------------------------------------- pages


def test_the_page_shows_a_new_token_once_and_then_only_its_prefix(demo, db, auth):
    auth.login("admin")
    assert "Chưa có mã nào" in auth.client.get("/admin/api-tokens/").get_data(as_text=True)
    ns = find_unit_by_code("NS.MC")
    created = auth.client.post("/admin/api-tokens/", data={"unit_id": ns.id, "name": "iGate một cửa"})
    html = created.get_data(as_text=True)
    assert created.status_code == 201, html
    assert created.headers["Cache-Control"] == "no-store"
    plaintext = TOKEN_SHOWN.search(html).group(1)
    assert "mã sẽ không hiển thị lại" in html
    token = db.session.scalar(sa.select(ApiToken))
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    listed = auth.client.get("/admin/api-tokens/").get_data(as_text=True)
    assert plaintext not in listed and f"{plaintext[:11]}…" in listed and "iGate một cửa" in listed
    assert "Chưa dùng" in listed and "Đang dùng" in listed


def test_revoking_asks_first_then_revokes(demo, db, auth):
    token, plaintext = issue()
    db.session.commit()
    auth.login("admin")
    asked = auth.client.get(f"/admin/api-tokens/{token.id}/revoke")
    assert asked.status_code == 200 and "Thu hồi mã «Một cửa huyện»" in asked.get_data(as_text=True)
    assert db.session.get(ApiToken, token.id).revoked_at is None  # asking changes nothing
    done = auth.client.post(f"/admin/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert "Đã thu hồi mã «Một cửa huyện»" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert authenticate_token(plaintext, now=NOW) is None


def test_a_district_admin_cannot_issue_for_another_districts_unit(demo, db, auth):
    auth.login("admin")
    other = find_unit_by_code("NT.TN")
    response = auth.client.post("/admin/api-tokens/", data={"unit_id": other.id, "name": "Thuận Nam"})
    assert response.status_code == 422
    assert "c766_" not in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_tokens_of_other_trees_are_neither_listed_nor_revocable(demo, db, auth):
    theirs, _ = issue("NT.TN", "quantri", name="Thuận Nam")
    db.session.commit()
    auth.login("admin")
    assert "Thuận Nam" not in auth.client.get("/admin/api-tokens/").get_data(as_text=True)
    assert auth.client.get(f"/admin/api-tokens/{theirs.id}/revoke").status_code == 404
    assert auth.client.post(f"/admin/api-tokens/{theirs.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_a_past_expiry_is_refused_on_the_form(demo, db, auth):
    auth.login("admin")
    response = auth.client.post("/admin/api-tokens/", data={"unit_id": find_unit_by_code("NS").id, "name": "Cũ",
                                                            "expires_at": "2020-01-01"})
    assert response.status_code == 422
    assert "Ngày hết hạn phải sau" in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["vanna", "hungdv", "phuclv"])
def test_only_admins_see_the_token_pages(demo, auth, username):
    auth.login(username)
    assert auth.client.get("/admin/api-tokens/").status_code == 403
    assert auth.client.post("/admin/api-tokens/", data={"name": "x"}).status_code == 403
