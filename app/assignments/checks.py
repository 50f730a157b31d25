"""The rules a (re)assignment must pass before anything is written: rights and scope of the parties, one assignment
per indicator at a time, no silent change of the past (a correction names its reason)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext

from app.assignments import access
from app.assignments.models import Assignment, Plan
from app.auth.models import User
from app.core.errors import DomainError
from app.core.formatting import local_date
from app.org.models import Unit


def fmt(d: date | None) -> str:
    """A date of a message in the page's language ("05/07/2026"; an open end is "nay")."""
    return local_date(d) if d else gettext("nay")


def check_parties(actor, plan: Plan, responsible: Unit, cooperating: list[Unit], performers: list[User],
                  team: Unit | None, base: Assignment | None = None, cooperating_label: str | None = None) -> None:
    """The rights of the actor (access.can_assign) and the scope of every party. `base`: the assignment in force
    for the subject (or, for a new indicator assignment, its group's); a head handing it over inside their unit
    keeps its cooperating units and label and stays inside their own unit tree."""
    if actor is not None and not access.can_assign(actor, plan, base):
        raise DomainError(gettext("Bạn không có quyền phân công trong kế hoạch này."))
    delegated = actor is not None and access.delegates(actor, plan, base)
    if delegated and ({u.id for u in cooperating} != {u.id for u in base.cooperating_units} or (
            cooperating_label is not None and cooperating_label.strip() != (base.cooperating_label or ""))):
        raise DomainError(gettext("Đơn vị phối hợp do người ban hành kế hoạch quyết định; trưởng đơn vị chỉ giao "
                                  "việc trong đơn vị mình."), "cooperating_unit_ids")
    scope = plan.issuing_unit
    for unit in [responsible, *([team] if team else [])]:
        if delegated and not actor.can_see_unit(unit):
            raise DomainError(gettext("Đơn vị «%(unit)s» không thuộc đơn vị của bạn: trưởng đơn vị chỉ giao việc "
                                      "trong đơn vị mình.", unit=unit.name))
    for unit in [responsible, *cooperating, *([team] if team else [])]:
        if not unit.is_descendant_of(scope) or (actor is not None and not delegated and not actor.can_see_unit(unit)):
            raise DomainError(gettext("Đơn vị «%(unit)s» không thuộc phạm vi quản lý của bạn.", unit=unit.name))
        if not unit.is_active:
            raise DomainError(gettext("Đơn vị «%(unit)s» đã ngừng hoạt động.", unit=unit.name))
    for person in performers:
        if not person.is_active:
            raise DomainError(gettext("Cán bộ «%(person)s» đã bị vô hiệu hóa, không thể phân công.",
                                      person=person.full_name))
        if not person.unit.is_descendant_of(scope) or (actor is not None and not actor.can_see_user(person)):
            raise DomainError(gettext("Cán bộ «%(person)s» không thuộc phạm vi quản lý của bạn.",
                                      person=person.full_name))
        if not access.eligible_performer(person, plan):
            raise DomainError(gettext("«%(person)s» (%(role)s) không thể là người thực hiện: người thực hiện là công "
                                      "chức, viên chức của đơn vị.", person=person.full_name,
                                      role=gettext(person.role_label)))
    if not performers and team is None:
        raise DomainError(gettext("Cần chọn ít nhất một người thực hiện hoặc một tổ/bộ phận thực hiện."))


def check_no_overlap(others: list[Assignment], start: date, end: date | None, exclude_id=None) -> None:
    """`others`: the history of the same indicator in the same scope (services.history)."""
    far = date.max
    for other in others:
        if other.id == exclude_id:
            continue
        if start <= (other.effective_to or far) and other.effective_from <= (end or far):
            raise DomainError(gettext(
                "Thời gian hiệu lực trùng với phân công từ %(start)s đến %(end)s: mỗi chỉ số chỉ có một phân công "
                "tại một thời điểm.", start=fmt(other.effective_from), end=fmt(other.effective_to)))


def not_before(today: date, effective_from: date) -> None:
    if effective_from < today:
        raise DomainError(gettext(
            "Ngày hiệu lực (%(day)s) không được trước hôm nay (%(today)s): phân công chỉ có hiệu lực từ hôm nay trở "
            "đi. Muốn sửa người phụ trách của thời gian đã qua, chọn «Điều chỉnh hồi tố» và nêu lý do.",
            day=fmt(effective_from), today=fmt(today)), "effective_from")


def check_correction(actor, plan: Plan, effective_from: date, today: date, reason: str) -> str:
    if effective_from >= today:
        raise DomainError(gettext("Điều chỉnh hồi tố chỉ dành cho ngày hiệu lực trước hôm nay; từ hôm nay trở đi "
                                  "hãy chuyển giao bình thường."), "effective_from")
    if actor is not None and not access.manages_plan(actor, plan):
        raise DomainError(gettext("Bạn không có quyền điều chỉnh phân công trong kế hoạch này."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise DomainError(gettext("Điều chỉnh hồi tố phải nêu rõ lý do (ít nhất 10 ký tự): nó thay đổi người chịu "
                                  "trách nhiệm của thời gian đã qua."), "correction_reason")
    return reason
