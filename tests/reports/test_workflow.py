"""The documents' workflow in the services: rights, numbering, the archive, corrections and bad input."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.assignments.models import Plan
from app.auth.services import find_user
from app.core.errors import DomainError
from app.core.time import to_vn
from app.org.services import find_unit_by_code
from app.reports import services
from app.reports.models import Document, DocumentImmutable
from app.scores.periods import quarter_period
from tests.reports.conftest import NOW, PASS, TODAY

Q4 = quarter_period(2026, 4)


def draft(kind="plan", unit="NS", period=Q4, actor="admin", now=NOW):
    return services.create_draft(kind=kind, unit=find_unit_by_code(unit), period=period,
                                 actor=find_user(actor) if actor else None, today=TODAY, now=now)


def approved(db, **kw):
    doc = draft(**kw)
    services.submit(doc, actor=find_user("admin"), now=NOW)
    services.approve(doc, actor=find_user("hungdv"), now=NOW, comment="Đồng ý ban hành.")
    db.session.commit()
    return doc


@pytest.mark.parametrize(("username", "unit", "prepare", "decide"), [
    ("hungdv", "NS", True, True),       # the district chair
    ("admin", "NS", True, False),       # the district's admin drafts, never approves
    ("quantri", "NS", True, False),     # the province's admin: NS is in its tree
    ("phuclv", "NS", True, False),      # head of Văn phòng, the office that drafts for the People's Committee
    ("yenntk", "NS", False, False),     # an officer
    ("binhnv", "NS", False, False),     # a commune chair (head) over the district's documents
    ("binhnv", "NS.TANSON", True, True),  # ... over their own commune's
    ("hungdv", "NS.TANSON", False, False),  # the district chair does not sign for a commune
])
def test_who_prepares_and_who_decides(demo, username, unit, prepare, decide):
    user, target = find_user(username), find_unit_by_code(unit)
    assert services.can_prepare(user, target) is prepare
    assert services.can_decide(user, target) is decide


def test_drafts_are_hidden_from_officers_and_issued_documents_reach_the_units_below(demo, db, keys, make_unit,
                                                                                     make_user):
    outsider = make_user("ngoai", make_unit("NT.BA.X", "UBND xã Phước Bình", "commune", parent="NT.BA"))
    doc = approved(db)
    assert [d.id for d in services.documents_for(find_user("hungdv"))] == [doc.id]
    for name in ("yenntk", "binhnv", "hungtv"):
        assert not services.can_read(find_user(name), doc)
    services.sign(doc, actor=find_user("hungdv"), now=NOW)
    db.session.commit()
    for name in ("yenntk", "binhnv", "hungtv", "quantri"):
        assert services.can_read(find_user(name), doc), name
    assert not services.can_read(outsider, doc)
    assert services.documents_for(outsider) == []
    with pytest.raises(DomainError, match="không có quyền xem"):
        services.get_for(outsider, doc.id)


@pytest.mark.parametrize(("step", "actor", "message"), [
    ("submit", "yenntk", "không có quyền trình"),
    ("approve", "admin", "Chỉ Chủ tịch, Phó Chủ tịch của đơn vị được duyệt"),
    ("approve", "hungdv", "Chỉ duyệt được văn bản đã trình"),
])
def test_steps_out_of_turn_or_rights_are_refused(demo, db, step, actor, message):
    doc = draft()
    with pytest.raises(DomainError, match=message):
        getattr(services, step)(doc, actor=find_user(actor), now=NOW)


def test_only_the_chair_approves_and_a_return_says_why(demo, db):
    doc = draft()
    services.submit(doc, actor=find_user("phuclv"), now=NOW)
    with pytest.raises(DomainError, match="Chỉ Chủ tịch"):
        services.approve(doc, actor=find_user("admin"), now=NOW)
    with pytest.raises(DomainError, match="Ghi rõ nội dung cần sửa"):
        services.send_back(doc, actor=find_user("hungdv"), now=NOW, comment="")
    services.send_back(doc, actor=find_user("hungdv"), now=NOW, comment="Bổ sung nhiệm vụ của Phòng Nội vụ.")
    db.session.commit()
    assert (doc.status, doc.plan.status) == ("draft", "draft")
    assert [(c.action, c.author.username) for c in doc.comments] == [
        ("create", "admin"), ("submit", "phuclv"), ("return", "hungdv")]
    assert doc.comments[-1].text == "Bổ sung nhiệm vụ của Phòng Nội vụ."


def test_signing_numbers_archives_and_moves_the_plan(demo, db, keys):
    old_plan = db.session.scalar(sa.select(Plan).where(Plan.status == "signed"))
    doc = approved(db)
    services.sign(doc, actor=find_user("hungdv"), now=NOW)
    db.session.commit()
    assert (doc.status, doc.number, doc.number_year, doc.number_text) == ("signed", 1, 2026, "01/KH-UBND")
    assert doc.issued_on.isoformat() == "2026-11-15" and to_vn(doc.signed_at) == NOW and doc.signer.username == "hungdv"
    import hashlib

    assert doc.sha256 == hashlib.sha256(doc.pdf).hexdigest()
    assert doc.inputs["heading"]["number"] == "Số: 01/KH-UBND"
    assert any(row["performer"] == "Nguyễn Thị Kim Yến" for row in doc.inputs["table"])
    assert doc.signature_info["seal"] and not doc.signature_info["demo"]
    assert (doc.plan.status, doc.plan.number, doc.plan.signer.username) == ("signed", "01/KH-UBND", "hungdv")
    db.session.refresh(old_plan)
    assert old_plan.status == "superseded"  # the new plan is the one in force
    from app.assignments.services import current_plan_for

    assert current_plan_for(find_user("yenntk")).id == doc.plan_id


def test_numbers_run_per_kind_unit_and_year_and_restart_each_year(demo, db, keys, quarters):
    chair = find_user("hungdv")
    plan = approved(db)
    services.sign(plan, actor=chair, now=NOW)
    report = approved(db, kind="report", period=quarters)
    services.sign(report, actor=chair, now=NOW)
    q1 = approved(db, period=quarter_period(2027, 1))
    services.sign(q1, actor=chair, now=NOW + timedelta(days=1))
    next_year = approved(db, period=quarter_period(2027, 2))
    services.sign(next_year, actor=chair, now=datetime(2027, 1, 4, 2, 0, tzinfo=UTC))
    db.session.commit()
    assert [d.number_text for d in (plan, report, q1, next_year)] == [
        "01/KH-UBND", "01/BC-UBND", "02/KH-UBND", "01/KH-UBND"]


def test_the_database_refuses_two_documents_with_one_number(demo, db, keys):
    doc = approved(db)
    services.sign(doc, actor=find_user("hungdv"), now=NOW)
    db.session.commit()
    other = approved(db, period=quarter_period(2027, 1))
    other.number, other.number_year = 1, 2026
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_signed_document_is_immutable(demo, db, keys):
    doc = approved(db)
    services.sign(doc, actor=find_user("hungdv"), now=NOW)
    db.session.commit()
    doc.texts = {**doc.texts, "closing": "Sửa sau khi ký"}
    with pytest.raises(DocumentImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DomainError, match="Chỉ sửa được văn bản ở trạng thái dự thảo"):
        services.update_texts(doc, texts={"closing": "x"}, actor=find_user("admin"), now=NOW)
    with pytest.raises(DomainError, match="đã được ký ban hành .01/KH-UBND"):
        services.sign(doc, actor=find_user("hungdv"), now=NOW)


def test_a_correction_supersedes_the_signed_version_when_it_is_signed(demo, db, keys):
    chair = find_user("hungdv")
    first = approved(db)
    services.sign(first, actor=chair, now=NOW)
    second = services.revise(first, actor=find_user("admin"), now=NOW)
    with pytest.raises(DomainError, match="Đã có bản sửa đổi"):
        services.revise(first, actor=find_user("admin"), now=NOW)
    services.update_texts(second, texts={"closing": "Kế hoạch này thay thế Kế hoạch số 01/KH-UBND./."},
                          actor=find_user("admin"), now=NOW)
    assert first.status == "signed"  # in force until the correction is signed
    services.issue_now(second, signer=chair, now=NOW + timedelta(hours=1))
    db.session.commit()
    assert (first.status, first.plan.status) == ("superseded", "superseded")
    assert (second.status, second.version, second.number_text, second.supersedes_id) == (
        "signed", 2, "02/KH-UBND", first.id)
    assert first.pdf and first.sha256  # the archive keeps the superseded file


@pytest.mark.parametrize(("config", "message"), [
    ({}, "Chưa cấu hình khóa ký số cho Đoàn Văn Hùng"),
    ({"hungdv": {"pkcs12": "/khong/co/tep.p12", "passphrase": PASS}}, "Không tìm thấy tệp khóa ký số"),
    ("wrong-passphrase", "Mật khẩu của tệp khóa ký số .PKCS#12. của Đoàn Văn Hùng .hungdv. không đúng"),
    ("expired", "đã hết hạn ngày 31/12/2025"),
    ({"hungdv": {"pkcs12": "chair", "passphrase_env": "CHISO766_KHONG_DAT"}}, "Chưa đặt biến môi trường"),
])
def test_a_signer_whose_key_cannot_be_used_gets_a_clear_message_and_nothing_is_archived(
        demo, db, keys, pki, monkeypatch, config, message):
    if config == "wrong-passphrase":
        config = {"hungdv": {"pkcs12": str(pki.chair), "passphrase": "sai"}}
    elif config == "expired":
        config = {"hungdv": {"pkcs12": str(pki.expired), "passphrase": PASS}}
    elif "hungdv" in config and config["hungdv"]["pkcs12"] == "chair":
        config = {"hungdv": {**config["hungdv"], "pkcs12": str(pki.chair)}}
    monkeypatch.setitem(keys, "SIGNING_KEYS", config)
    doc = approved(db)
    with pytest.raises(DomainError, match=message):
        services.sign(doc, actor=find_user("hungdv"), now=NOW)
    db.session.rollback()
    db.session.refresh(doc)
    assert (doc.status, doc.number, doc.sha256, doc.issued_on) == ("approved", None, None, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document).where(Document.pdf.is_not(None))) == 0


def test_a_report_of_a_quarter_without_scores_is_refused(demo, db):
    with pytest.raises(DomainError, match="Chưa có điểm quý I/2025 của UBND huyện Ninh Sơn"):
        draft(kind="report", period=quarter_period(2025, 1))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"unit": "NS.VP"}, "không phải Ủy ban nhân dân"),
    ({"actor": "yenntk"}, "không có quyền lập"),
    ({"period": quarter_period(2026, 4)}, "Đã có kế hoạch quý IV/2026"),
])
def test_bad_drafts_are_refused(demo, db, kwargs, message):
    draft()
    with pytest.raises(DomainError, match=message):
        draft(**kwargs)


def test_texts_are_checked(demo, db):
    doc = draft()
    with pytest.raises(DomainError, match="ít nhất một nơi nhận"):
        services.update_texts(doc, texts={"recipients": " \n "}, actor=find_user("admin"), now=NOW)
    with pytest.raises(DomainError, match="dài quá"):
        services.update_texts(doc, texts={"purpose": "x" * 20001}, actor=find_user("admin"), now=NOW)
    services.update_texts(doc, texts={"purpose": "1. Mục đích:\r\n- Rõ ràng.", "ignored": "x"},
                          actor=find_user("admin"), now=NOW)
    assert doc.texts["purpose"] == "1. Mục đích:\n- Rõ ràng." and "ignored" not in doc.texts


def test_a_plan_in_drafting_does_not_replace_the_plan_in_force(demo, db):
    from app.assignments.services import current_plan_for

    in_force = current_plan_for(find_user("yenntk"))
    doc = draft(period=quarter_period(2027, 1))
    db.session.commit()
    assert doc.plan.status == "draft" and current_plan_for(find_user("yenntk")).id == in_force.id
