"""Assignment rules on the Ninh Sơn demo: owners on any date, reassignment keeps history, bad input refused."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.assignments import services
from app.assignments.models import Assignment, Plan
from app.auth.services import find_user
from app.core.errors import DomainError
from app.indicators.models import Indicator, IndicatorGroup
from app.org.services import find_unit_by_code

TODAY = date(2026, 11, 15)  # services take the date; the demo's "today" in these tests


def indicator(db, code):
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == code))


def current(db, group_code):
    return db.session.scalar(sa.select(Assignment).where(
        Assignment.subject_key == f"G:{group_code}", Assignment.effective_to.is_(None)))


@pytest.mark.parametrize(("on", "owner"), [
    (date(2022, 8, 1), "yenntk"),
    (date(2024, 3, 31), "yenntk"),
    (date(2024, 4, 1), "hangttt"),
    (date(2024, 9, 30), "hangttt"),
    (date(2024, 10, 1), "yenntk"),
    (date(2026, 11, 30), "yenntk"),
])
def test_owner_of_indicator_4_on_any_date(demo, db, on, owner):
    a = services.owner_of(find_unit_by_code("NS").id, indicator(db, "PROGRESS_ON_TIME"), on)
    assert [p.username for p in a.performers] == [owner]


def test_no_owner_before_the_plan(demo, db):
    assert services.owner_of(find_unit_by_code("NS").id, indicator(db, "PROGRESS_ON_TIME"), date(2022, 1, 1)) is None


@pytest.mark.parametrize(("username", "numbers"), [
    ("yenntk", ["4"]),
    ("vanna", ["1", "2", "3"]),
    ("hungtv", ["16", "16b"]),
    ("haontc", ["17", "18", "19"]),
    ("hatlt", [str(n) for n in range(5, 16)]),   # through the one-stop team
    ("hungdv", []),
])
def test_indicators_of_an_officer(demo, username, numbers):
    mine = services.indicators_of(find_user(username), date(2026, 11, 30))
    assert [ind.number for ind, _ in mine] == numbers


def test_group_i_excludes_the_province_only_indicator_for_a_district(demo):
    mine = services.indicators_of(find_user("vanna"), date(2026, 11, 30))
    assert "PUBLISH_ON_TIME" not in [ind.code for ind, _ in mine]


def test_reassign_closes_the_current_row_and_keeps_history(demo, db):
    chair, old = find_user("hungdv"), current(db, "V")
    before = (old.effective_from, old.responsible_unit_id, [p.id for p in old.performers])
    new = services.reassign(old, effective_from=date(2026, 12, 1), today=TODAY, responsible=find_unit_by_code("NS.NV"),
                            performers=[find_user("vanna")], cooperating_label="Các phòng chuyên môn", actor=chair)
    db.session.commit()
    assert old.effective_to == date(2026, 11, 30)
    assert (old.effective_from, old.responsible_unit_id, [p.id for p in old.performers]) == before
    assert new.effective_from == date(2026, 12, 1) and new.effective_to is None
    assert [a.id for a in services.history(old.scope_unit_id, "G:V")] == [old.id, new.id]
    owner_today = services.owner_of(old.scope_unit_id, indicator(db, "DOSSIER_RECEIVING_SATISFACTION"),
                                    date(2026, 11, 30))
    assert owner_today.id == old.id


def test_an_indicator_level_assignment_overrides_its_group(demo, db):
    plan = db.session.scalar(sa.select(Plan))
    ind = indicator(db, "DOSSIER_SYNC")
    services.assign(plan=plan, indicator=ind, responsible=find_unit_by_code("NS.MC"),
                    performers=[find_user("hatlt")], effective_from=date(2026, 12, 1), today=TODAY,
                    actor=find_user("hungdv"))
    db.session.commit()
    assert [i.number for i, _ in services.indicators_of(find_user("vanna"), date(2026, 12, 1))] == ["1", "2"]
    assert services.owner_of(plan.issuing_unit_id, ind, date(2026, 11, 30)).group.code == "I"


def test_a_reassignment_may_not_start_before_today(demo, db):
    old = current(db, "II")
    with pytest.raises(DomainError, match="không được trước hôm nay"):
        services.reassign(old, effective_from=date(2026, 11, 14), today=TODAY, responsible=old.responsible_unit,
                          performers=[find_user("vanna")], actor=find_user("hungdv"))
    with pytest.raises(DomainError, match="không được trước hôm nay"):
        services.assign(plan=old.plan, indicator=indicator(db, "DOSSIER_SYNC"), responsible=old.responsible_unit,
                        performers=[find_user("vanna")], effective_from=date(2024, 1, 1), today=TODAY,
                        actor=find_user("hungdv"))
    db.session.rollback()
    assert current(db, "II").id == old.id


def test_correcting_the_past_states_its_reason_and_is_audited(demo, db):
    from app.audit.models import AuditEntry

    old, chair = current(db, "II"), find_user("hungdv")
    with pytest.raises(DomainError, match="nêu rõ lý do"):
        services.correct_past(old, effective_from=date(2026, 11, 1), today=TODAY, reason="sửa",
                              responsible=old.responsible_unit, performers=[find_user("vanna")], actor=chair)
    with pytest.raises(DomainError, match="không có quyền"):
        services.correct_past(old, effective_from=date(2026, 11, 1), today=TODAY, reason="Đồng chí Văn làm thay từ 01/11",
                              responsible=old.responsible_unit, performers=[find_user("vanna")],
                              actor=find_user("yenntk"))
    db.session.rollback()
    new = services.correct_past(old, effective_from=date(2026, 11, 1), today=TODAY,
                                reason="Đồng chí Văn thực tế phụ trách từ 01/11 theo Quyết định 12/QĐ-UBND",
                                responsible=old.responsible_unit, performers=[find_user("vanna")], actor=chair)
    db.session.commit()
    assert services.owner_of(old.scope_unit_id, indicator(db, "PROGRESS_ON_TIME"), date(2026, 11, 5)).id == new.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "assignment.correct_past"))
    assert entry.actor_id == chair.id and "Quyết định 12/QĐ-UBND" in entry.after["reason"]


def _other_district(make_unit, make_user):
    other = make_unit("TB", "UBND huyện Thăng Bình", "district")
    make_unit("TB.VP", "Văn phòng HĐND và UBND huyện Thăng Bình", "office", other)
    make_user("ngoaihuyen", "TB.VP")


@pytest.mark.parametrize(("change", "message"), [
    ({"effective_from": date(2024, 10, 1)}, "không được trước hôm nay"),
    ({"effective_from": date(2020, 1, 1)}, "không được trước hôm nay"),
    ({"effective_from": date(2024, 10, 1), "reason": "Sửa lại theo quyết định đã ký"}, "phải sau ngày bắt đầu"),
    ({"performers": "inactive"}, "đã bị vô hiệu hóa"),
    ({"performers": "outside"}, "không thuộc phạm vi"),
    ({"responsible": "outside"}, "không thuộc phạm vi"),
    ({"performers": []}, "ít nhất một người thực hiện"),
])
def test_bad_reassignments_are_refused_and_nothing_is_saved(demo, db, make_unit, make_user, change, message):
    _other_district(make_unit, make_user)
    inactive = find_user("hangttt")
    inactive.is_active = False
    db.session.commit()
    old = current(db, "II")
    args = {"effective_from": date(2026, 12, 1), "responsible": find_unit_by_code("NS.VP"),
            "performers": [find_user("vanna")]}
    args.update(change)
    if args["performers"] == "inactive":
        args["performers"] = [inactive]
    if args["performers"] == "outside":
        args["performers"] = [find_user("ngoaihuyen")]
    if args["responsible"] == "outside":
        args["responsible"] = find_unit_by_code("TB.VP")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment))
    with pytest.raises(DomainError, match=message):
        if "reason" in args:
            services.correct_past(old, actor=find_user("hungdv"), today=TODAY, **args)
        else:
            services.reassign(old, actor=find_user("hungdv"), today=TODAY, **args)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == count
    assert current(db, "II").id == old.id and current(db, "II").effective_to is None


def test_an_officer_cannot_reassign(demo, db):
    with pytest.raises(DomainError, match="không có quyền"):
        services.reassign(current(db, "II"), effective_from=date(2026, 12, 1), today=TODAY,
                          responsible=find_unit_by_code("NS.VP"), performers=[find_user("vanna")],
                          actor=find_user("yenntk"))


def test_overlapping_periods_for_the_same_subject_are_refused(demo, db):
    plan = db.session.scalar(sa.select(Plan))
    group = db.session.scalar(sa.select(IndicatorGroup).where(IndicatorGroup.code == "II"))
    with pytest.raises(DomainError, match="trùng với phân công từ 01/10/2024 đến nay"):
        services.assign(plan=plan, group=group, responsible=find_unit_by_code("NS.VP"),
                        performers=[find_user("vanna")], effective_from=date(2027, 1, 1),
                        effective_to=date(2027, 6, 30), today=TODAY)
    with pytest.raises(DomainError, match="trùng"):
        services.assign(plan=plan, group=group, responsible=find_unit_by_code("NS.VP"),
                        performers=[find_user("vanna")], effective_from=date(2026, 12, 1),
                        effective_to=date(2026, 12, 2), today=TODAY)


def test_database_refuses_two_open_assignments_of_one_subject(demo, db):
    old = current(db, "II")
    db.session.add(Assignment(plan_id=old.plan_id, scope_unit_id=old.scope_unit_id, subject_key="G:II",
                              group_id=old.group_id, responsible_unit_id=old.responsible_unit_id,
                              effective_from=date(2030, 1, 1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_an_assignment_of_both_group_and_indicator(demo, db):
    old = current(db, "I")
    db.session.add(Assignment(plan_id=old.plan_id, scope_unit_id=old.scope_unit_id, subject_key="X",
                              group_id=old.group_id, indicator_id=indicator(db, "DOSSIER_SYNC").id,
                              responsible_unit_id=old.responsible_unit_id, effective_from=date(2030, 1, 1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_overlapping_closed_periods_on_postgresql(demo, db):
    """PostgreSQL has an exclusion constraint; SQLite relies on the service check (tested above)."""
    if db.engine.dialect.name != "postgresql":
        return
    old = current(db, "II")
    db.session.add(Assignment(plan_id=old.plan_id, scope_unit_id=old.scope_unit_id, subject_key="G:II",
                              group_id=old.group_id, responsible_unit_id=old.responsible_unit_id,
                              effective_from=date(2024, 5, 1), effective_to=date(2024, 5, 2)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
