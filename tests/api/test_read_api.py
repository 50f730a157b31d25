"""The read API (/api/v1/units…, /catalog, /plans…, /alerts): personal tokens with exactly the user's web rights,
the same figures as the pages, problem+json errors, pagination, ETag/304, a rate limit counted in the database."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.api import personal
from app.api.models import ApiRateCounter, UserToken
from app.audit.models import AuditEntry
from app.auth.services import create_user, find_user
from app.core.formatting import vn_number
from app.org.services import descendant_ids, find_unit_by_code
from tests.api.conftest import SAMPLE
from tests.conftest import DEMO_NOW

PERIOD = "2026-Q3"


def issue(db, username: str, *, days: int = 30) -> str:
    _, plaintext = personal.issue(find_user(username), name=f"Thử {username}", expires_at=DEMO_NOW + timedelta(days=days),
                                  now=DEMO_NOW)
    db.session.commit()
    return plaintext


def get(client, url: str, token: str | None = None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(url, headers=headers)


def assert_problem(response, status: int, slug: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail"] and body["type"].startswith("urn:chiso766:problem:")
    if slug:
        assert body["type"] == f"urn:chiso766:problem:{slug}"


@pytest.fixture
def chair(demo, db, clock):
    return issue(db, "hungdv")


@pytest.fixture
def officer(demo, db, clock):
    return issue(db, "yenntk")


@pytest.fixture
def sibling_chair(demo, db, clock):
    """A chair of the sibling district Bác Ái, with a personal token."""
    create_user(username="ba.chair", full_name="Chủ tịch Bác Ái", unit=find_unit_by_code("NT.BA"), role="chair",
                password="mat-khau-thu-nghiem-1")
    db.session.commit()
    return issue(db, "ba.chair")


class TestSameFiguresAsThePages:
    def test_scorecard_of_every_sample_unit_matches_the_scorecard_page(self, client, auth, quarters, chair, db):
        """The API's figures are the scorecard page's (same service), and the page prints the same total."""
        from app.scores.pages import scorecard_page
        from app.scores.periods import parse_period

        root = find_user("quantri")  # the province operator sees every sample unit
        token = issue(db, root.username)
        auth.login("quantri")
        for code in SAMPLE:
            unit = find_unit_by_code(code)
            r = get(client, f"/api/v1/units/{unit.id}/scorecard?period={PERIOD}", token)
            assert r.status_code == 200, r.get_data(as_text=True)
            body = r.get_json()
            page = scorecard_page(unit, "quarter", parse_period(PERIOD), with_details=False)
            assert body["period"] == PERIOD and body["kind"] == "quarter"
            assert body["total"] == float(page.card.total)
            assert isinstance(body["total"], float | int)
            assert body["max_points"] == float(page.card.max_points)
            assert body["previous_total"] == float(page.card.previous_total)
            assert body["rank"]["rank"] == page.rank.rank and body["rank"]["of"] == page.rank.of
            api_lines = {line["indicator_code"]: line["points"] for g in body["groups"] for line in g["lines"]}
            page_lines = {line.indicator.code: float(line.points) if line.points is not None else None
                          for g in page.card.groups for line in g.lines}
            assert api_lines == page_lines
            html = client.get(f"/scores/units/{unit.id}?kind=quarter&period={PERIOD}").get_data(as_text=True)
            assert f'<div class="big">{vn_number(page.card.total)}<' in html

    def test_series_ranks_and_red_come_from_the_page_services(self, client, quarters, chair):
        ns = find_unit_by_code("NS")
        series = get(client, f"/api/v1/units/{ns.id}/series?period={PERIOD}", chair).get_json()
        assert [p["period"] for p in series["points"]] == ["2026-Q2", "2026-Q3"]
        assert series["points"][0]["total"] > series["points"][1]["total"]
        ranks = get(client, f"/api/v1/units/{ns.id}/ranks?period={PERIOD}", chair).get_json()
        assert {row["unit_id"] for row in ranks["rows"]} >= {ns.id, find_unit_by_code("NT.BA").id}
        red = get(client, f"/api/v1/units/{ns.id}/red?period={PERIOD}", chair).get_json()
        item = next(i for i in red["items"] if i["indicator_code"] == "PROGRESS_ON_TIME")
        assert item["explanation_status"] == "missing" and item["drop"] > 0
        assert item["explanation_review"] is None

    def test_the_red_list_says_where_the_review_of_an_explanation_stands(self, client, quarters, chair, db):
        from app.indicators.models import Indicator
        from app.scores import review
        from app.scores.periods import parse_period

        ns = find_unit_by_code("NS")
        explanation = review.submit(unit=ns, indicator=db.session.scalar(
            sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME")), period=parse_period(PERIOD),
                                    reason="Đồng bộ hồ sơ từ hệ thống một cửa bị lỗi 5 ngày.",
                                    remedy="Rà soát, đồng bộ lại toàn bộ hồ sơ.", due_on=date(2026, 12, 31),
                                    actor=find_user("yenntk"), now=DEMO_NOW)
        db.session.commit()
        states = []
        for decision in (None, "returned", "accepted"):
            if decision:
                if decision == "accepted":
                    review.submit(unit=ns, indicator=explanation.indicator, period=parse_period(PERIOD),
                                  reason="Đồng bộ hồ sơ bị lỗi 5 ngày; đã có biên bản của nhà cung cấp.",
                                  remedy="Rà soát, đồng bộ lại toàn bộ hồ sơ.", due_on=date(2026, 12, 31),
                                  actor=find_user("yenntk"), now=DEMO_NOW)
                review.review(explanation, decision=decision, comment="Chưa nêu rõ nguyên nhân.", actor=find_user("hungdv"),
                              now=DEMO_NOW)
                db.session.commit()
            red = get(client, f"/api/v1/units/{ns.id}/red?period={PERIOD}", chair).get_json()
            item = next(i for i in red["items"] if i["indicator_code"] == "PROGRESS_ON_TIME")
            states.append((item["explanation_status"], item["explanation_review"]))
        assert states == [("explained", "submitted"), ("explained", "returned"), ("explained", "accepted")]


class TestTokens:
    def test_revoked_token_is_refused_at_the_next_request(self, client, chair, db):
        assert get(client, "/api/v1/units", chair).status_code == 200
        token = db.session.scalar(sa.select(UserToken))
        personal.revoke(token, actor=find_user("hungdv"), now=DEMO_NOW)
        db.session.commit()
        r = get(client, "/api/v1/units", chair)
        assert_problem(r, 401, "chua-xac-thuc")
        assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
        actions = set(db.session.scalars(sa.select(AuditEntry.action)))
        assert {"user_token.issue", "user_token.revoke", "user_token.refused"} <= actions

    def test_expired_token_is_refused(self, client, demo, db, clock):
        plaintext = issue(db, "hungdv", days=1)
        clock.shift(timedelta(days=2))
        assert_problem(get(client, "/api/v1/units", plaintext), 401)

    def test_only_the_hash_is_stored_and_use_is_recorded(self, client, chair, db):
        get(client, "/api/v1/units", chair)
        token = db.session.scalar(sa.select(UserToken))
        assert chair not in (token.token_hash, token.prefix) and chair.startswith(token.prefix)
        assert token.last_used_at is not None

    @pytest.mark.parametrize("days, message", [(0, "sau thời điểm"), (400, "tối đa 365"), (None, "bắt buộc")])
    def test_an_expiry_is_required_and_bounded(self, demo, days, message):
        from app.core.errors import DomainError

        expires = None if days is None else DEMO_NOW + timedelta(days=days)
        with pytest.raises(DomainError, match=message):
            personal.issue(find_user("hungdv"), name="x", expires_at=expires, now=DEMO_NOW)

    def test_anonymous_and_unit_tokens_and_garbage_are_refused(self, client, demo, db, clock):
        from app.api.services import issue_token

        assert_problem(get(client, "/api/v1/units"), 401, "chua-xac-thuc")
        assert_problem(get(client, "/api/v1/units", "c766p_khong-ton-tai"), 401)
        assert_problem(client.get("/api/v1/units", headers={"Authorization": "Basic abc"}), 401)
        _, unit_token = issue_token(find_unit_by_code("NS"), name="Một cửa", actor=find_user("admin"), now=DEMO_NOW)
        db.session.commit()
        assert_problem(get(client, "/api/v1/units", unit_token), 403, "ma-cua-don-vi")

    def test_the_signed_in_web_session_may_read(self, client, auth, demo, clock):
        auth.login("hungdv")
        r = client.get("/api/v1/units")
        assert r.status_code == 200 and r.mimetype == "application/json"
        assert client.post("/api/v1/units").status_code == 405  # reads only

    def test_profile_page_creates_shows_once_lists_and_revokes(self, client, auth, demo, db, clock):
        auth.login("yenntk")
        r = client.post("/profile/tokens/", data={"name": "Bảng tính", "expires_at": "2027-01-31"})
        assert r.status_code == 201 and r.headers["Cache-Control"] == "no-store"
        token = db.session.scalar(sa.select(UserToken))
        html = r.get_data(as_text=True)
        plaintext = html.split('id="plaintext" value="', 1)[1].split('"', 1)[0]
        assert plaintext.startswith(token.prefix) and get(client, "/api/v1/units", plaintext).status_code == 200
        assert plaintext not in client.get("/profile/tokens/").get_data(as_text=True)
        assert client.post(f"/profile/tokens/{token.id}/revoke").status_code == 302
        assert token.revoked_at is not None

    @pytest.mark.parametrize("data", [{"name": "", "expires_at": "2027-01-31"}, {"name": "x", "expires_at": ""},
                                      {"name": "x", "expires_at": "2030-01-01"}, {"name": "x", "expires_at": "2026-01-01"}])
    def test_profile_page_refuses_bad_input_and_writes_nothing(self, client, auth, demo, db, clock, data):
        auth.login("yenntk")
        assert client.post("/profile/tokens/", data=data).status_code == 422
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UserToken)) == 0

    def test_another_users_token_cannot_be_revoked(self, client, auth, chair, db):
        token = db.session.scalar(sa.select(UserToken))
        auth.login("yenntk")
        assert client.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
        assert token.revoked_at is None


class TestBadInput:
    @pytest.mark.parametrize("path, status, slug", [
        ("/units/{ns}/scorecard?period=2026-Q4", 422, "ky-chua-ket-thuc"),
        ("/units/{ns}/scorecard?period=2027", 422, "ky-chua-ket-thuc"),
        ("/units/{ns}/scorecard?period=2026-Q9", 400, "ky-khong-hop-le"),
        ("/units/{ns}/scorecard?period=abc", 400, "ky-khong-hop-le"),
        ("/units/{ns}/scorecard", 400, "thieu-ky"),
        ("/units/{ns}/scorecard?period=2019-Q1", 404, "chua-co-diem"),
        ("/units/999999/scorecard?period=2026-Q3", 404, "khong-tim-thay"),
        ("/units/0", 404, None),
        ("/units/99999999999", 404, None),
        ("/units/{ba}/scorecard?period=2026-Q3", 404, "khong-tim-thay"),
        ("/units/{ba}", 404, "khong-tim-thay"),
        ("/units/{ba}/dossier-stats?period=2026-10", 404, "khong-tim-thay"),
        ("/units/{ns}/dossier-stats?period=2027-01", 422, "ky-chua-bat-dau"),
        ("/units?limit=0", 422, "limit-ngoai-khoang"),
        ("/units?limit=201", 422, "limit-ngoai-khoang"),
        ("/units?limit=abc", 422, "limit-ngoai-khoang"),
        ("/units?cursor=%%%", 400, "cursor-khong-hop-le"),
        ("/units?cursor=OTk5OTk5", 400, "cursor-khong-hop-le"),
        ("/catalog?on=2026-13-01", 400, "ngay-khong-hop-le"),
        ("/plans/999999/assignments", 404, "khong-tim-thay"),
        ("/alerts?include_resolved=maybe", 400, "tham-so-khong-hop-le"),
        ("/khong-co", 404, None),
    ])
    def test_is_a_problem_never_a_500(self, client, officer, path, status, slug):
        url = "/api/v1" + path.format(ns=find_unit_by_code("NS.VP").id, ba=find_unit_by_code("NT.BA").id)
        url = url.replace("NS.VP", "NS")
        assert_problem(get(client, url, officer), status, slug)

    @pytest.mark.parametrize("header", ['abc', 'W/abc', '"unterminated', 'W/"a", b'])
    def test_malformed_if_none_match_is_400(self, client, officer, header):
        assert_problem(get(client, "/api/v1/units", officer, **{"If-None-Match": header}), 400,
                       "if-none-match-khong-hop-le")


class TestConventions:
    def test_etag_and_304_on_unchanged_data(self, client, officer):
        first = get(client, "/api/v1/catalog?on=2026-10-01", officer)
        etag = first.headers["ETag"]
        assert etag.startswith('W/"')
        again = get(client, "/api/v1/catalog?on=2026-10-01", officer, **{"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
        other = get(client, "/api/v1/catalog?on=2026-10-01", officer, **{"If-None-Match": 'W/"x", ' + etag[2:]})
        assert other.status_code == 304
        assert get(client, "/api/v1/catalog?on=2026-10-01", officer, **{"If-None-Match": 'W/"x"'}).status_code == 200

    def test_cursor_pages_cover_the_tree_once(self, client, chair):
        seen, url = [], "/api/v1/units?limit=3"
        while url:
            body = get(client, url, chair).get_json()
            assert len(body["items"]) <= 3
            seen += [u["id"] for u in body["items"]]
            url = f"/api/v1/units?limit=3&cursor={body['next_cursor']}" if body["next_cursor"] else None
        assert len(seen) == len(set(seen)) and set(seen) == descendant_ids(find_unit_by_code("NS").id)

    def test_rate_limit_is_counted_in_the_database_per_token(self, app, client, chair, officer, db):
        app.config["API_RATE_LIMIT"] = 3
        try:
            for _ in range(3):
                assert get(client, "/api/v1/units?limit=1", chair).status_code == 200
            other_worker = app.test_client()  # another client: the count is the database's, not the process's
            r = get(other_worker, "/api/v1/units?limit=1", chair)
            assert_problem(r, 429, "qua-nhieu-yeu-cau")
            assert 1 <= int(r.headers["Retry-After"]) <= 60
            assert get(client, "/api/v1/units?limit=1", officer).status_code == 200  # per token
            assert db.session.scalar(sa.select(sa.func.max(ApiRateCounter.hits))) == 4
        finally:
            app.config["API_RATE_LIMIT"] = 120

    def test_openapi_document_is_valid_and_the_reference_page_is_local(self, client, demo):
        from openapi_spec_validator import validate

        doc = client.get("/api/v1/openapi.json").get_json()
        validate(doc)
        assert doc["openapi"].startswith("3.1") and "/units/{unit_id}/scorecard" in doc["paths"]
        html = client.get("/api/v1/docs").get_data(as_text=True)
        assert "/units/{unit_id}/scorecard" in html and "Scorecard" in html
        assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from a CDN: served locally


class TestTrees:
    def test_a_sibling_trees_token_sees_nothing_of_the_other_tree(self, client, quarters, chair, sibling_chair, db):
        """Every unit-scoped address of a Ninh Sơn unit answers 404 to Bác Ái; its lists hold no Ninh Sơn id."""
        ns_tree = descendant_ids(find_unit_by_code("NS").id)
        for unit_id in ns_tree:
            for tail in ("", f"/scorecard?period={PERIOD}", f"/series?period={PERIOD}", f"/red?period={PERIOD}",
                         f"/ranks?period={PERIOD}", "/dossier-stats?period=2026-10"):
                assert_problem(get(client, f"/api/v1/units/{unit_id}{tail}", sibling_chair), 404)
        units = get(client, "/api/v1/units?limit=200", sibling_chair).get_json()["items"]
        assert units and not {u["id"] for u in units} & ns_tree
        plans = get(client, "/api/v1/plans?limit=200", sibling_chair).get_json()["items"]
        assert not {p["issuing_unit_id"] for p in plans} & ns_tree
        alerts = get(client, "/api/v1/alerts?include_resolved=true&limit=200", sibling_chair).get_json()["items"]
        assert not {a["unit_id"] for a in alerts} & ns_tree
        ns_plan = get(client, "/api/v1/plans", chair).get_json()["items"][0]["id"]
        assert_problem(get(client, f"/api/v1/plans/{ns_plan}/assignments", sibling_chair), 404)

    def test_an_officer_reads_what_the_web_shows_them(self, client, auth, officer):
        plans = get(client, "/api/v1/plans", officer).get_json()["items"]
        assert plans
        rows = get(client, f"/api/v1/plans/{plans[0]['id']}/assignments?on=2026-10-01&limit=200",
                   officer).get_json()["items"]
        assert any(r["assignment"] for r in rows)
        alerts = get(client, "/api/v1/alerts", officer).get_json()["items"]
        auth.login("yenntk")
        page = client.get("/alerts/").get_data(as_text=True)
        assert all(a["message"][:30] in page for a in alerts[:5])
