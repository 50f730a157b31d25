"""Explanation review: the owner submits versions, the chair (or the head above the owner) accepts or returns them
with a comment; the owner is alerted; the page shows every version and review; clashes are told, never a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.alerts.models import Alert
from app.audit.models import AuditEntry
from app.auth.services import find_user
from app.core.errors import DomainError, Forbidden
from app.indicators.models import Indicator
from app.org.services import find_unit_by_code
from app.scores import review
from app.scores.access import can_review_explanation
from app.scores.models import Explanation, ExplanationReview, ExplanationVersion
from app.scores.periods import month_period

OCT = month_period(2026, 10)
NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
REASON, REMEDY = "Lỗi đồng bộ từ một cửa trong 5 ngày.", "Đồng bộ lại toàn bộ hồ sơ tồn."


def _progress(db) -> Indicator:
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))


def _path(db) -> str:
    return f"/scores/red/{find_unit_by_code('NS').id}/{_progress(db).id}/2026-10"


def _submit(db, username="yenntk", reason=REASON, remedy=REMEDY, now=NOW, expected=None) -> Explanation:
    saved = review.submit(unit=find_unit_by_code("NS"), indicator=_progress(db), period=OCT, reason=reason,
                          remedy=remedy, due_on=date(2026, 12, 15), actor=find_user(username), now=now,
                          expected_version=expected)
    db.session.commit()
    return saved


def _review(db, username, decision="returned", comment="Nêu rõ số hồ sơ trễ và ngày đồng bộ.", now=NOW):
    decided = review.review(db.session.scalar(sa.select(Explanation)), decision=decision, comment=comment,
                            actor=find_user(username), now=now + timedelta(hours=1))
    db.session.commit()
    return decided


@pytest.fixture
def other_tree(demo, make_user):
    """A chair and an officer of a sibling district (Bác Ái, under the same province)."""
    make_user("ba.chair", "NT.BA", role="chair")
    make_user("ba.officer", "NT.BA", role="officer")


# --- who may do what (the services decide) ---------------------------------------------------------------------

ROLES = [
    # username, who they are,                              may review, may write
    ("yenntk", "owner (author, officer)", False, True),
    ("hungdv", "chair of the district", True, False),
    ("phuclv", "head of the owner's office (above her)", True, False),
    ("binhnv", "head of another unit (a commune)", False, False),
    ("hatlt", "officer of another office", False, False),
    ("admin", "district admin", False, False),
    ("ba.chair", "chair of another tree", False, False),
    ("ba.officer", "officer of another tree", False, False),
]


@pytest.mark.parametrize(("username", "who", "reviews", "writes"), ROLES, ids=[r[1] for r in ROLES])
def test_who_reviews_and_who_writes(username, who, reviews, writes, scored, other_tree, db):
    _submit(db)
    actor = find_user(username)
    explanation = db.session.scalar(sa.select(Explanation))
    assert can_review_explanation(actor, explanation) is reviews
    if reviews:
        assert _review(db, username, decision="accepted").decision == "accepted"
    else:
        with pytest.raises(Forbidden):
            _review(db, username, decision="accepted")
        db.session.rollback()
        assert explanation.state == "submitted" and not explanation.reviews
    if writes:
        assert _submit(db, username, reason="Nguyên nhân viết lại đầy đủ hơn.").state == "submitted"
    else:
        with pytest.raises(DomainError, match="Chỉ người phụ trách"):
            _submit(db, username, reason="Nguyên nhân viết lại đầy đủ hơn.")
        db.session.rollback()


def test_a_reviewer_never_reviews_their_own_explanation(demo, db):
    """A chair who wrote an explanation (the unit's leader for an unassigned indicator) leaves it to another."""
    hung = find_user("hungdv")
    own = Explanation(unit=find_unit_by_code("NS"), author=hung, state="submitted")
    assert not can_review_explanation(hung, own)
    assert can_review_explanation(find_user("phuclv"), Explanation(unit=find_unit_by_code("NS"),
                                                                   author=find_user("yenntk")))


# --- the round trip ----------------------------------------------------------------------------------------------


def test_return_alert_resubmit_accept_keeps_every_version_and_review(scored, db):
    first = _submit(db)
    assert review.explanation_state(first) == ("submitted", "Chờ duyệt")
    assert review.explanation_state(None) == ("none", "Chưa giải trình")
    _review(db, "hungdv", comment="Nêu rõ số hồ sơ trễ và ngày đồng bộ.")
    explanation = db.session.scalar(sa.select(Explanation))
    assert review.explanation_state(explanation) == ("returned", "Đã trả lại")
    assert review.last_return(explanation).comment == "Nêu rõ số hồ sơ trễ và ngày đồng bộ."
    (alert,) = db.session.scalars(sa.select(Alert).where(Alert.kind == "explanation_returned")).all()
    assert alert.recipient.username == "yenntk" and alert.resolved_at is None
    assert "Nêu rõ số hồ sơ trễ và ngày đồng bộ." in alert.message and "Đoàn Văn Hùng" in alert.message
    assert alert.link == _path(db) and alert.kind_label == "Giải trình bị trả lại, cần sửa và gửi lại"

    with pytest.raises(DomainError, match="giống bản đã bị trả lại"):
        _submit(db, now=NOW + timedelta(hours=2))
    db.session.rollback()
    _submit(db, reason="12 hồ sơ đồng bộ chậm từ 03/10 đến 07/10 do lỗi kết nối.", now=NOW + timedelta(hours=2))
    assert db.session.get(Alert, alert.id).resolved_at is not None  # resubmitting answers the alert
    _review(db, "phuclv", decision="accepted", comment="", now=NOW + timedelta(hours=2))

    explanation = db.session.scalar(sa.select(Explanation))
    assert explanation.state == "accepted" and explanation.reason.startswith("12 hồ sơ")
    assert [(v.number, v.author.username, v.reason[:7]) for v in explanation.versions] == [
        (1, "yenntk", "Lỗi đồn"), (2, "yenntk", "12 hồ s")]
    assert [(e.who.username, e.version.number, e.review.decision if e.review else "submitted")
            for e in review.history(explanation)] == [
        ("yenntk", 1, "submitted"), ("hungdv", 1, "returned"), ("yenntk", 2, "submitted"), ("phuclv", 2, "accepted")]
    actions = list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "score_explanation").order_by(AuditEntry.id)))
    assert actions == ["score.explain", "score.explain_return", "score.explain", "score.explain_accept"]


@pytest.mark.parametrize(("decision", "comment", "message"), [
    ("returned", "", "Khi trả lại, ghi rõ cần sửa gì"),
    ("returned", "   ", "Khi trả lại, ghi rõ cần sửa gì"),
    ("maybe", "Tốt", "Chọn «Chấp nhận» hoặc «Trả lại»"),
    ("accepted", "x" * 2001, "không quá 2000 ký tự"),
])
def test_bad_reviews_are_refused(decision, comment, message, scored, db):
    _submit(db)
    with pytest.raises(DomainError, match=message):
        _review(db, "hungdv", decision=decision, comment=comment)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExplanationReview)) == 0


def test_a_decided_explanation_is_not_reviewed_again(scored, db):
    _submit(db)
    _review(db, "hungdv", decision="accepted", comment="")
    with pytest.raises(DomainError, match="không ở trạng thái chờ duyệt"):
        _review(db, "phuclv", decision="returned")


def test_the_database_refuses_a_return_without_comment_and_a_second_decision_on_a_version(scored, db):
    from sqlalchemy.exc import IntegrityError

    explanation = _submit(db)
    version = explanation.versions[0]
    db.session.add(ExplanationReview(explanation_id=explanation.id, version_id=version.id, decision="returned",
                                     comment=" ", reviewer_id=find_user("hungdv").id, created_at=NOW))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    for decision in ("accepted", "returned"):
        db.session.add(ExplanationReview(explanation_id=explanation.id, version_id=version.id, decision=decision,
                                         comment="Góp ý", reviewer_id=find_user("hungdv").id, created_at=NOW))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_chair_reviews_instead_of_editing_and_the_owner_sees_the_comment(scored, db, client, auth, clock):
    _submit(db)
    auth.login("hungdv")
    page = client.get(_path(db)).get_data(as_text=True)
    assert "Duyệt giải trình" in page and "Chấp nhận" in page and "Trả lại" in page
    assert 'name="reason"' not in page  # the chair no longer overwrites the text
    assert "Nguyễn Thị Kim Yến, 15/11/2026 10:00" in page and "Gửi phiên bản 1" in page
    refused = client.post(_path(db) + "/review", data={"comment": "", "send_back": "Trả lại"})
    assert refused.status_code == 422 and "Khi trả lại, ghi rõ cần sửa gì" in refused.get_data(as_text=True)
    sent = client.post(_path(db) + "/review", data={"comment": "Bổ sung số hồ sơ trễ.", "send_back": "Trả lại"})
    assert sent.status_code == 302 and sent.location.endswith(_path(db))
    assert "Đã trả lại giải trình" in client.get(sent.location).get_data(as_text=True)
    auth.logout()

    auth.login("yenntk")
    page = client.get(_path(db)).get_data(as_text=True)
    assert "Giải trình bị trả lại" in page and "Bổ sung số hồ sơ trễ." in page and "Đoàn Văn Hùng" in page
    assert "Trả lại phiên bản 1" in page and 'name="reason"' in page and "Duyệt giải trình" not in page
    alerts = client.get("/alerts/").get_data(as_text=True)
    assert "Giải trình bị trả lại, cần sửa và gửi lại" in alerts and "Bổ sung số hồ sơ trễ." in alerts
    again = client.post(_path(db), data={"reason": "12 hồ sơ đồng bộ chậm do lỗi kết nối.", "remedy": REMEDY,
                                         "due_on": "2026-12-15", "version": "2"})
    assert again.status_code == 302
    assert db.session.scalar(sa.select(Explanation.state)) == "submitted"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExplanationVersion)) == 2
    auth.logout()

    auth.login("hungdv")
    accepted = client.post(_path(db) + "/review", data={"comment": "", "accept": "Chấp nhận", "version": "3"})
    assert accepted.status_code == 302
    assert db.session.scalar(sa.select(Explanation.state)) == "accepted"


def test_the_red_list_shows_the_state_and_the_author(scored, db, client, auth):
    _submit(db)
    _review(db, "hungdv")
    auth.login("hungdv")
    html = client.get("/scores/red").get_data(as_text=True)
    assert 'data-state="returned"' in html and "Đã trả lại" in html and "Nguyễn Thị Kim Yến" in html


# --- clashes: told, never a 500 -----------------------------------------------------------------------------------


def test_a_review_of_a_version_resubmitted_meanwhile_is_told(scored, db, client, auth, clock):
    """The chair loaded version 1; the owner edited before the chair pressed «Chấp nhận»: 409 with what is stored."""
    _submit(db)
    auth.login("hungdv")
    page = client.get(_path(db)).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page
    _submit(db, reason="Nguyên nhân đã được sửa trước khi duyệt.", now=NOW + timedelta(minutes=5))
    response = client.post(_path(db) + "/review", data={"comment": "", "accept": "Chấp nhận", "version": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Bản ghi đã được Nguyễn Thị Kim Yến sửa lúc 10:05 ngày 15/11/2026" in html
    assert "Nguyên nhân đã được sửa trước khi duyệt." in html
    assert db.session.scalar(sa.select(Explanation.state)) == "submitted"


def test_two_reviewers_at_once_one_decides_the_other_is_told(scored, db, client, auth, clock):
    _submit(db)
    auth.login("hungdv")
    _review(db, "phuclv", decision="accepted", comment="")  # the head decided while the chair's page was open
    response = client.post(_path(db) + "/review", data={"comment": "Chưa đạt.", "send_back": "Trả lại",
                                                        "version": "1"})
    assert response.status_code == 409 and "Lê Văn Phúc" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Explanation.state)) == "accepted"


def test_two_decisions_on_one_version_meet_the_unique_constraint(scored, db, client, auth, monkeypatch):
    """Both reviewers passed every check before either wrote: the database keeps one decision; a message."""
    _submit(db)
    _review(db, "phuclv", decision="accepted", comment="")
    db.session.execute(sa.update(Explanation).values(state="submitted"))  # as the second reviewer saw it
    db.session.commit()
    auth.login("hungdv")
    response = client.post(_path(db) + "/review", data={"comment": "Chưa đạt.", "send_back": "Trả lại"})
    assert response.status_code == 422
    assert "Người khác vừa lưu cùng dữ liệu này" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExplanationReview)) == 1


def test_a_review_meeting_a_changed_row_at_the_update_is_told(scored, db, client, auth, monkeypatch):
    """The version check passed, then another transaction changed the row: StaleDataError becomes the message."""
    _submit(db)
    real = review.ensure_version

    def changed_meanwhile(obj, expected):
        real(obj, expected)
        db.session.execute(sa.text("UPDATE score_explanation SET version = version + 1"))

    monkeypatch.setattr(review, "ensure_version", changed_meanwhile)
    auth.login("hungdv")
    response = client.post(_path(db) + "/review", data={"comment": "", "accept": "Chấp nhận", "version": "1"})
    assert response.status_code == 409
    assert "trong khi bạn đang sửa" in response.get_data(as_text=True)
