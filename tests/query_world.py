"""A province built row by row for tests/test_query_counts.py: units, officers, a signed plan with assignments
(and their history), monthly scores and dossiers, and `grow()` to add many more of each to the same province.

Rows go in by bulk inserts (one password hash shared by every account), so a world of a few hundred units loads in
seconds on SQLite and PostgreSQL alike. Nothing here is a service: it writes what the services would have written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db

PASSWORD = "matkhau-dem-truy-van"


@dataclass
class World:
    today: date
    now: datetime
    province_id: int = 0
    office_id: int = 0
    plan_id: int = 0
    users: dict[str, str] = field(default_factory=dict)  # role → username
    units: dict[str, int] = field(default_factory=dict)  # "commune", "department" → a unit id
    communes: int = 0
    departments: int = 0
    officers: int = 0
    months: int = 0
    dossiers: int = 0
    _hash: str = ""


def _month_start(today: date, back: int) -> date:
    y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
    return date(y, m + 1, 1)


def _month_end(start: date) -> date:
    y, m = divmod(start.year * 12 + start.month, 12)
    return date(y, m + 1, 1) - timedelta(days=1)


def build(now: datetime, today: date) -> World:
    """One province with an office, 3 communes, 2 departments, a chair, an admin, a commune head, 4 officers, a
    signed plan (every group assigned, one handed over once), 3 months of scores and a few dossiers."""
    from app.assignments.models import Plan
    from app.auth.models import User
    from app.org.models import Unit

    w = World(today=today, now=now)
    province = Unit(code="QW", name="UBND tỉnh Thử Nghiệm", kind="province")
    office = Unit(code="QW.VP", name="Văn phòng UBND tỉnh", kind="office", parent=province)
    db.session.add_all([province, office])
    db.session.flush()
    w.province_id, w.office_id = province.id, office.id
    chair = User(username="qw.chair", full_name="Chủ tịch tỉnh", unit=province, role="chair")
    chair.set_password(PASSWORD)
    db.session.add(chair)
    db.session.flush()
    w._hash = chair.password_hash
    _add_users([("qw.admin", "Quản trị tỉnh", province.id, "admin"),
                ("qw.officer", "Chuyên viên Văn phòng", office.id, "officer")], w)
    w.users = {"chair": "qw.chair", "admin": "qw.admin", "officer": "qw.officer", "head": "qw.head.1"}
    plan = Plan(issuing_unit=province, title="Kế hoạch phân công chỉ số 766", number="1/KH-UBND",
                issued_on=today.replace(day=1) - timedelta(days=400), period_start=date(today.year - 2, 1, 1),
                status="signed", signer=chair)
    db.session.add(plan)
    db.session.flush()
    w.plan_id = plan.id
    _add_units(w, communes=3, departments=2)
    _add_officers(w, 4)
    _assign(w)
    _add_scores(w, months=3)
    _add_dossiers(w, 20)
    db.session.commit()
    return w


def grow(w: World) -> None:
    """Many more of everything in the same province: units, officers, months of scores, assignment history,
    dossiers (the pages' SQL statement count must not follow)."""
    _add_units(w, communes=40, departments=10)
    _add_officers(w, 60)
    _reassign_more(w)
    _add_scores(w, months=30)
    _add_dossiers(w, 600)
    db.session.commit()


def _add_users(rows, w: World) -> None:
    from app.auth.models import User

    db.session.execute(sa.insert(User), [
        {"username": u, "full_name": n, "unit_id": unit, "role": r, "password_hash": w._hash, "title": ""}
        for u, n, unit, r in rows])


def _add_units(w: World, *, communes: int, departments: int) -> None:
    from app.org.models import Unit

    rows = []
    for i in range(w.communes + 1, w.communes + communes + 1):
        rows.append({"code": f"QW.X{i:03d}", "name": f"UBND xã Thử Nghiệm {i:03d}", "kind": "commune",
                     "parent_id": w.province_id, "sort_order": 100 + i})
    for i in range(w.departments + 1, w.departments + departments + 1):
        rows.append({"code": f"QW.S{i:03d}", "name": f"Sở Thử Nghiệm {i:03d}", "kind": "department",
                     "parent_id": w.province_id, "sort_order": i})
    db.session.execute(sa.insert(Unit), rows)
    first = w.communes == 0
    w.communes += communes
    w.departments += departments
    codes = [r["code"] for r in rows]
    ids = dict(db.session.execute(sa.select(Unit.code, Unit.id).where(Unit.code.in_(codes))).all())
    if first:
        w.units = {"commune": ids["QW.X001"], "department": ids["QW.S001"]}
        _add_users([("qw.head.1", "Chủ tịch xã 001", ids["QW.X001"], "head")], w)
    # every new unit has a head and an officer, as a real tree does
    _add_users([(f"qw.u.{c.lower().replace('.', '')}.{r}", f"Cán bộ {c} {r}", ids[c], r) for c in codes
                for r in ("head", "officer")], w)


def _add_officers(w: World, n: int) -> None:
    _add_users([(f"qw.cv.{w.officers + i}", f"Chuyên viên {w.officers + i}", w.office_id, "officer")
                for i in range(1, n + 1)], w)
    w.officers += n


def _assign(w: World) -> None:
    """Every group of the catalog to the office; the officer performs them; group I was handed over once."""
    from app.assignments.models import Assignment, assignment_performer
    from app.auth.models import User
    from app.indicators.models import IndicatorGroup

    officer = db.session.scalar(sa.select(User.id).where(User.username == "qw.officer"))
    start = date(w.today.year - 2, 1, 1)
    rows = []
    for g in db.session.scalars(sa.select(IndicatorGroup).order_by(IndicatorGroup.sort_order)):
        common = {"plan_id": w.plan_id, "scope_unit_id": w.province_id, "subject_key": f"G:{g.code}",
                  "group_id": g.id, "responsible_unit_id": w.office_id}
        if g.sort_order == 1:
            rows.append({**common, "effective_from": start, "effective_to": start + timedelta(days=99)})
            rows.append({**common, "effective_from": start + timedelta(days=100), "effective_to": None})
        else:
            rows.append({**common, "effective_from": start, "effective_to": None})
    db.session.execute(sa.insert(Assignment), rows)
    ids = db.session.scalars(sa.select(Assignment.id).where(Assignment.plan_id == w.plan_id)).all()
    db.session.execute(sa.insert(assignment_performer), [{"assignment_id": i, "user_id": officer} for i in ids])


def _reassign_more(w: World) -> None:
    """Group II changes hands every 20 days for a while (long assignment histories), named officers each time."""
    from app.assignments.models import Assignment, assignment_performer
    from app.auth.models import User
    from app.indicators.models import IndicatorGroup

    group = db.session.scalar(sa.select(IndicatorGroup).where(IndicatorGroup.sort_order == 2))
    current = db.session.scalar(sa.select(Assignment).where(Assignment.plan_id == w.plan_id,
                                                           Assignment.subject_key == f"G:{group.code}",
                                                           Assignment.effective_to.is_(None)))
    officers = db.session.scalars(sa.select(User.id).where(User.unit_id == w.office_id)).all()
    start = current.effective_from
    current.effective_to = start + timedelta(days=19)
    db.session.flush()
    for i in range(1, 31):
        a = Assignment(plan_id=w.plan_id, scope_unit_id=w.province_id, subject_key=current.subject_key,
                       group_id=group.id, responsible_unit_id=w.office_id,
                       effective_from=start + timedelta(days=20 * i),
                       effective_to=None if i == 30 else start + timedelta(days=20 * i + 19))
        db.session.add(a)
        db.session.flush()
        db.session.execute(sa.insert(assignment_performer), [
            {"assignment_id": a.id, "user_id": officers[(i + k) % len(officers)]} for k in range(2)])


def _add_scores(w: World, *, months: int) -> None:
    """Monthly portal scores of every scored unit for `months` more months back; the latest month is the month
    before today, and one indicator of each unit is red (lowest band) in it."""
    from app.indicators.models import Indicator, IndicatorRule
    from app.org.models import Unit
    from app.scores.models import ScoreRecord

    rules = dict(db.session.execute(sa.select(IndicatorRule.indicator_id, IndicatorRule.max_points)).all())
    indicators = db.session.scalars(sa.select(Indicator).order_by(Indicator.sort_order)).all()
    units = db.session.scalars(sa.select(Unit.id).where(
        Unit.kind.in_(("province", "commune", "department")), Unit.code.like("QW%"))).all()
    have = set(db.session.execute(sa.select(ScoreRecord.unit_id, ScoreRecord.period_start).distinct()).all())
    rows = []
    for back in range(1, w.months + months + 1):
        start = _month_start(w.today, back)
        for uid in units:
            if (uid, start) in have:
                continue
            for k, ind in enumerate(indicators):
                top = rules.get(ind.id, Decimal(1))
                share = Decimal("0.1") if k == 0 else Decimal(50 + (uid * 7 + back * 3 + k) % 50) / 100
                rows.append({
                    "unit_id": uid, "subject_key": f"I:{ind.code}", "indicator_id": ind.id, "group_id": None,
                    "period_kind": "month", "period_start": start, "period_end": _month_end(start),
                    "formality_code": "", "source": "portal", "numerator": share * 100, "denominator": Decimal(100),
                    "ratio": share * 100, "points": (top * share).quantize(Decimal("0.01")),
                    "rule_points": (top * share).quantize(Decimal("0.01")), "max_points": top,
                    "is_mismatch": False, "note": ""})
    for i in range(0, len(rows), 2000):
        db.session.execute(sa.insert(ScoreRecord), rows[i:i + 2000])
    w.months += months


def _add_dossiers(w: World, n: int) -> None:
    """Dossiers of the province's communes over the last 60 days: some open and late, some closed."""
    from app.dossiers.models import Dossier
    from app.org.models import Unit

    units = db.session.scalars(sa.select(Unit.id).where(Unit.parent_id == w.province_id,
                                                        Unit.kind == "commune")).all()
    rows = []
    for i in range(w.dossiers, w.dossiers + n):
        received = w.now - timedelta(days=1 + i % 60, hours=i % 7)
        due = received + timedelta(days=5)
        is_open = i % 3 == 0
        ended = None if is_open else received + timedelta(days=2 + i % 6)
        unit = units[i % len(units)]
        rows.append({"code": f"QW-{i:06d}", "procedure_code": f"1.{i % 9:06d}", "procedure_name": "Thủ tục thử",
                     "handling_unit_id": unit, "receiving_unit_id": unit, "received_at": received, "due_at": due,
                     "finished_at": ended, "returned_at": ended, "ended_at": ended,
                     "status": "processing" if is_open else "returned", "is_open": is_open})
    db.session.execute(sa.insert(Dossier), rows)
    w.dossiers += n
