"""Who sees which dossiers; data-error claims filed with evidence and decided by the unit head, counted apart."""

import io

import pytest
import sqlalchemy as sa

from app.auth.services import find_user
from app.core.errors import DomainError
from app.dossiers import claims, stats
from app.dossiers.access import can_see_dossier, visible_unit_ids
from app.dossiers.models import Dossier
from app.org.services import find_unit_by_code
from app.scores.periods import month_period
from app.workdays.services import calendar_around
from tests.dossiers.conftest import NOW

TODAY = NOW.date()


def dossier(db, code):
    return db.session.scalar(sa.select(Dossier).where(Dossier.code == code))


@pytest.mark.parametrize(("username", "code", "visible"), [
    ("thaonp", "A", True),     # the handling officer
    ("hungdv", "A", True),     # the district chair (tree)
    ("yenntk", "A", True),     # owner of indicator 4 of the district: its offices' dossiers
    ("yenntk", "I", False),    # … but not a commune's (it has its own scorecard)
    ("loidv", "I", True),      # the commune head
    ("loidv", "A", False),
    ("binhnv", "I", False),    # another commune's head
    ("hungtv", "A", False),    # an officer of the police, owning no dossier indicator
])
def test_who_sees_which_dossier(november, db, username, code, visible):
    assert can_see_dossier(find_user(username), dossier(db, code), today=TODAY) is visible


def test_the_pages_keep_to_the_same_rule(november, db, client, auth, clock):
    clock.move_to(NOW)
    auth.login("binhnv")
    # outside the user's tree: 404, exactly as a missing id (ids cannot be enumerated)
    assert client.get(f"/dossiers/{dossier(db, 'I').id}").status_code == 404
    assert client.get(f"/dossiers/?unit={find_unit_by_code('NS.MYSON').id}&bucket=open_late").status_code == 404
    assert client.get("/dossiers/99999999999").status_code == 404
    assert find_unit_by_code("NS.TP").id in visible_unit_ids(find_user("yenntk"), today=TODAY)


def test_a_late_dossier_is_claimed_with_evidence_and_the_head_decides(november, db):
    i = dossier(db, "I")
    claim = claims.file_claim(i, author=find_user("mc.myson"), reason="Đã trả kết quả ngày 11/11, cổng nhận chậm.",
                              evidence=("bien-ban.pdf", b"%PDF-1.4 minh chung"), now=NOW, today=TODAY)
    db.session.commit()
    with pytest.raises(DomainError, match="đã có một báo lỗi"):
        claims.file_claim(i, author=find_user("mc.myson"), reason="Báo thêm một lần nữa cho chắc.", evidence=None,
                          now=NOW, today=TODAY)
    with pytest.raises(DomainError, match="Chỉ lãnh đạo"):
        claims.decide_claim(claim, accept=True, note="", actor=find_user("mc.myson"), now=NOW)
    claims.decide_claim(claim, accept=True, note="Đúng lỗi đồng bộ", actor=find_user("loidv"), now=NOW)
    db.session.commit()
    total = stats.unit_statistics(find_unit_by_code("NS.MYSON"), month_period(2026, 11), now=NOW,
                                  calendar=calendar_around(TODAY)).total
    assert (total["open_late"], total["late_data_error"]) == (1, 1)  # still late officially, counted apart


@pytest.mark.parametrize(("code", "evidence", "message"), [
    ("C", None, "Chỉ báo lỗi dữ liệu cho hồ sơ trễ hạn"),
    ("A", ("anh.exe", b"MZ..."), "PDF, PNG hoặc JPG"),
    ("A", ("gia.pdf", b"<html>not a pdf"), "PDF, PNG hoặc JPG"),
    ("A", ("lon.pdf", b"%PDF" + b"x" * (5 * 1024 * 1024)), "quá 5 MB"),
])
def test_bad_claims_are_refused(november, db, code, evidence, message):
    with pytest.raises(DomainError, match=message):
        claims.file_claim(dossier(db, code), author=find_user("thaonp"), reason="Lỗi đồng bộ dữ liệu từ một cửa.",
                          evidence=evidence, now=NOW, today=TODAY)


def test_claims_through_the_pages(november, db, client, auth, clock):
    clock.move_to(NOW)
    a = dossier(db, "A")
    auth.login("thaonp")
    response = client.post(f"/dossiers/{a.id}", data={"reason": "Hồ sơ đã xử lý xong, đồng bộ sai trạng thái.",
                                                      "evidence": (io.BytesIO(b"\x89PNG anh"), "anh.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    claim = a.claims[0] if db.session.refresh(a) is None else None
    assert claim.status == "pending" and claim.evidence_type == "image/png"
    assert client.get(f"/dossiers/claims/{claim.id}/evidence").data == b"\x89PNG anh"
    auth.logout()
    auth.login("hungdv")
    assert "Hồ sơ đã xử lý xong" in client.get("/dossiers/claims").get_data(as_text=True)
    client.post(f"/dossiers/claims/{claim.id}/decide", data={"decision": "reject", "note": "Không có biên bản"})
    db.session.refresh(claim)
    assert (claim.status, claim.decided_by.username) == ("rejected", "hungdv")


def test_the_owner_of_indicator_4_counts_only_the_dossiers_she_may_see(november, db, client, auth, clock):
    clock.move_to(NOW)
    auth.login("yenntk")
    page = client.get(f"/dossiers/stats?unit={find_unit_by_code('NS').id}&period=2026-11").get_data(as_text=True)
    assert "Phòng Tư pháp" in page and "UBND xã Mỹ Sơn" not in page
