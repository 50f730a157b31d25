"""Heads assign within their own unit (product.md), with the chair's rules and history: a commune's head on the
commune's plan; the head of an office hands over, inside the office, what the district's plan gives to it."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.assignments import access, services
from app.assignments.models import Assignment, Plan
from app.audit.models import AuditEntry
from app.auth.services import find_user
from app.core.errors import DomainError
from app.indicators.models import IndicatorGroup
from app.org.services import find_unit_by_code

TODAY = date(2026, 11, 15)
LATER = date(2026, 12, 1)


def current(db, group_code):
    return db.session.scalar(sa.select(Assignment).where(
        Assignment.subject_key == f"G:{group_code}", Assignment.effective_to.is_(None)))


@pytest.fixture
def commune_plan(demo, db):
    """A quarterly plan of UBND thị trấn Tân Sơn (binhnv's commune), as the reports page drafts it."""
    plan = Plan(title="Kế hoạch Quý 4/2026", issuing_unit=find_unit_by_code("NS.TANSON"), status="draft",
                period_start=date(2026, 10, 1), period_end=date(2026, 12, 31))
    db.session.add(plan)
    db.session.commit()
    return plan


def group(db, code):
    return db.session.scalar(sa.select(IndicatorGroup).where(IndicatorGroup.code == code))


def test_a_commune_head_assigns_in_the_plan_of_his_commune(commune_plan, db):
    head, commune = find_user("binhnv"), find_unit_by_code("NS.TANSON")
    a = services.assign(plan=commune_plan, group=group(db, "II"), responsible=commune,
                        performers=[find_user("mc.tanson")], effective_from=TODAY, today=TODAY, actor=head)
    db.session.commit()
    new = services.reassign(a, effective_from=LATER, today=TODAY, responsible=commune, performers=[head], actor=head)
    db.session.commit()
    assert a.effective_to == date(2026, 11, 30) and [p.username for p in new.performers] == ["binhnv"]
    assert [e.action for e in db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.actor_id == head.id).order_by(AuditEntry.id))] == [
        "assignment.create", "assignment.close", "assignment.create"]


@pytest.mark.parametrize(("performer", "message"), [
    ("mc.quangson", "không thuộc phạm vi quản lý"),   # another commune's officer
    ("hungdv", "không thuộc phạm vi quản lý"),         # the district's chair, above him
    ("admin", "không thuộc phạm vi quản lý"),          # the district's administrator
])
def test_a_commune_head_never_reaches_outside_his_commune(commune_plan, db, performer, message):
    with pytest.raises(DomainError, match=message):
        services.assign(plan=commune_plan, group=group(db, "II"), responsible=find_unit_by_code("NS.TANSON"),
                        performers=[find_user(performer)], effective_from=TODAY, today=TODAY,
                        actor=find_user("binhnv"))


def test_the_district_chair_manages_the_commune_plan_too(commune_plan, db):
    assert access.manages_plan(find_user("hungdv"), commune_plan)
    assert not access.manages_plan(find_user("dungtv"), commune_plan)  # the head of a sibling commune


def test_a_commune_head_cannot_touch_the_district_plan(demo, db):
    with pytest.raises(DomainError, match="không có quyền"):
        services.reassign(current(db, "V"), effective_from=LATER, today=TODAY, responsible=find_unit_by_code("NS.NV"),
                          performers=[find_user("haontc")], actor=find_user("binhnv"))


def test_the_office_head_hands_group_ii_over_inside_the_office(demo, db):
    old = current(db, "II")
    coop = (sorted(u.id for u in old.cooperating_units), old.cooperating_label)
    new = services.reassign(old, effective_from=LATER, today=TODAY, responsible=find_unit_by_code("NS.VP"),
                            cooperating=list(old.cooperating_units), cooperating_label=old.cooperating_label,
                            performers=[find_user("hangttt")], actor=find_user("phuclv"))
    db.session.commit()
    assert old.effective_to == date(2026, 11, 30)
    assert [p.username for p in new.performers] == ["hangttt"]
    assert (sorted(u.id for u in new.cooperating_units), new.cooperating_label) == coop
    assert [a.id for a in services.history(old.scope_unit_id, "G:II")][-2:] == [old.id, new.id]


@pytest.mark.parametrize(("change", "message"), [
    ({"performers": ["haontc"]}, "không thuộc phạm vi quản lý"),       # an officer of Phòng Nội vụ
    ({"responsible": "NS.NV"}, "không thuộc đơn vị của bạn"),          # another office
    ({"cooperating_label": "Phòng Nội vụ"}, "người ban hành kế hoạch"),  # the issuer's decision
    ({"performers": ["phuclv", "hungdv"]}, "không thuộc phạm vi quản lý"),  # the chair, above him
])
def test_the_office_head_stays_inside_the_office(demo, db, change, message):
    old = current(db, "II")
    kwargs = {"responsible": find_unit_by_code(change.get("responsible", "NS.VP")),
              "cooperating": list(old.cooperating_units),
              "cooperating_label": change.get("cooperating_label", old.cooperating_label),
              "performers": [find_user(u) for u in change.get("performers", ["hangttt"])]}
    with pytest.raises(DomainError, match=message):
        services.reassign(old, effective_from=LATER, today=TODAY, actor=find_user("phuclv"), **kwargs)


@pytest.mark.parametrize("performer", ["admin", "hungdv", "binhnv"])
def test_the_chair_cannot_name_the_administrator_a_chair_or_a_commune_chair(demo, db, performer):
    old = current(db, "V")
    with pytest.raises(DomainError, match="không thể là người thực hiện"):
        services.reassign(old, effective_from=LATER, today=TODAY, responsible=old.responsible_unit,
                          performers=[find_user(performer)], actor=find_user("hungdv"))


def test_the_office_head_cannot_hand_over_another_offices_group(demo, db):
    assert not access.can_assign(find_user("phuclv"), current(db, "V").plan, current(db, "V"))  # Phòng Nội vụ's
    assert access.can_assign(find_user("phuclv"), current(db, "II").plan, current(db, "II"))
    assert access.can_assign(find_user("phuclv"), current(db, "III.1").plan, current(db, "III.1"))  # the one-stop
    with pytest.raises(DomainError, match="không có quyền"):
        services.reassign(current(db, "V"), effective_from=LATER, today=TODAY, responsible=find_unit_by_code("NS.NV"),
                          performers=[find_user("haontc")], actor=find_user("phuclv"))


def test_the_office_head_does_not_correct_the_past(demo, db):
    old = current(db, "II")
    with pytest.raises(DomainError, match="không có quyền điều chỉnh"):
        services.correct_past(old, effective_from=date(2026, 11, 1), today=TODAY, reason="Bàn giao muộn, ghi lại.",
                              responsible=old.responsible_unit, cooperating=list(old.cooperating_units),
                              cooperating_label=old.cooperating_label, performers=[find_user("hangttt")],
                              actor=find_user("phuclv"))


@pytest.mark.parametrize(("username", "plan_unit", "eligible"), [
    ("yenntk", "NS", True),
    ("phuclv", "NS", True),        # the head of an office performs in the district's plan
    ("admin", "NS", False),
    ("quantri", "NS", False),
    ("hungdv", "NS", False),
    ("binhnv", "NS", False),       # a commune's chair is not a performer of the district's plan...
    ("binhnv", "NS.TANSON", True),  # ...but is in his commune's
    ("dungtv", "NS.TANSON", False),
])
def test_who_may_perform(demo, username, plan_unit, eligible):
    plan = Plan(title="x", issuing_unit=find_unit_by_code(plan_unit), period_start=TODAY)
    plan.issuing_unit_id = plan.issuing_unit.id
    assert access.eligible_performer(find_user(username), plan) is eligible


def test_an_inactive_officer_is_never_eligible(demo, db):
    person = find_user("vanna")
    person.is_active = False
    assert not access.eligible_performer(person, current(db, "II").plan)
