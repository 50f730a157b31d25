"""The world of the access-control matrix (tests/test_route_matrix.py): the Ninh Sơn demo plus a sibling district,
UBND huyện Bác Ái (NT.BA), built the same way, with objects of every kind in both trees.

`build_world(now)` returns {"own": {...}, "sibling": {...}, "users": {...}}: for each tree the values the matrix
fills URL parameters with (ids, codes), and the username of each role. The sibling tree mirrors Ninh Sơn role for
role (a chair and an admin at the district, an officer in its office who owns group II, a head of one of its
communes), and both districts publish their scores (/cong-khai/<unit_code>: the demo publishes Ninh Sơn's, the
sibling's chair Bác Ái's), so a sibling user on a sibling object must get exactly what the same Ninh Sơn role gets on its own.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db

# role → username, in the Ninh Sơn tree and in the sibling tree (operator: the province's admin, above both)
OWN_USERS = {"officer": "yenntk", "head": "binhnv", "chair": "hungdv", "admin": "admin", "operator": "quantri"}
SIBLING_USERS = {"officer": "ba.officer", "head": "ba.head", "chair": "ba.chair", "admin": "ba.admin"}
PERIOD = "2026-10"


def _sibling_tree(password: str, now: datetime) -> None:
    """Bác Ái: an office and a commune below the district, four accounts, a plan whose group II the officer owns."""
    from app.assignments import services as assignments
    from app.assignments.models import Plan
    from app.auth.services import create_user, find_user
    from app.indicators.models import IndicatorGroup
    from app.org.services import create_unit, find_unit_by_code
    from app.public.services import set_publishing

    district = find_unit_by_code("NT.BA")
    office = create_unit(code="NT.BA.VP", name="Văn phòng HĐND và UBND huyện Bác Ái", kind="office", parent=district)
    commune = create_unit(code="NT.BA.PHUOCDAI", name="UBND xã Phước Đại", kind="commune", parent=district)
    for username, unit, role in (("ba.chair", district, "chair"), ("ba.admin", district, "admin"),
                                 ("ba.officer", office, "officer"), ("ba.head", commune, "head")):
        create_user(username=username, full_name=f"Cán bộ {username}", unit=unit, role=role, password=password)
    set_publishing(find_user("ba.chair"), district, publish=True, names=False, now=now)
    own_plan = db.session.scalar(sa.select(Plan).where(Plan.issuing_unit_id == find_unit_by_code("NS").id))
    plan = Plan(issuing_unit=district, title="Kế hoạch phân công huyện Bác Ái", number="12/KH-UBND",
                issued_on=own_plan.issued_on, period_start=own_plan.period_start, status=own_plan.status,
                signer=find_user("ba.chair"))
    db.session.add(plan)
    db.session.flush()
    group = db.session.scalar(sa.select(IndicatorGroup).where(IndicatorGroup.code == "II"))
    assignments.assign(plan=plan, group=group, responsible=office, cooperating=[commune], cooperating_label="",
                       performers=[find_user("ba.officer")], team=None, effective_from=plan.period_start,
                       today=plan.period_start)


def _objects(*, district_code: str, office_code: str, officer: str, chair: str, now: datetime) -> dict:
    """A dossier (late, with a claim and its evidence), an alert, a signed document, a red score with its
    explanation, an import batch and two API tokens of one tree; returns the URL values naming them."""
    from app.alerts.models import Alert
    from app.api.models import ApiToken
    from app.api.services import issue_token
    from app.assignments.models import Assignment, Plan
    from app.auth.services import find_user
    from app.dossiers.models import Dossier, DossierClaim
    from app.indicators.models import Indicator
    from app.org.services import find_unit_by_code
    from app.reports.models import Document
    from app.scores.models import Explanation, ExplanationVersion, ImportBatch, ScoreRecord
    from app.scores.periods import parse_period

    district, office = find_unit_by_code(district_code), find_unit_by_code(office_code)
    person, head_of_unit = find_user(officer), find_user(chair)
    operator = find_user("quantri")
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.code == "PROGRESS_ON_TIME"))
    plan = db.session.scalar(sa.select(Plan).where(Plan.issuing_unit_id == district.id))
    assignment = db.session.scalar(sa.select(Assignment).where(
        Assignment.plan_id == plan.id, Assignment.subject_key == "G:II", Assignment.effective_to.is_(None)))

    code = f"{district_code}-000001"
    dossier = Dossier(code=code, procedure_code="1.000001", procedure_name="Thủ tục thử", handling_unit_id=office.id,
                      receiving_unit_id=office.id, handling_officer_id=person.id, received_at=now - timedelta(days=20),
                      due_at=now - timedelta(days=5), status="processing", is_open=True)
    db.session.add(dossier)
    db.session.flush()
    claim = DossierClaim(dossier_id=dossier.id, author_id=person.id, reason="Hồ sơ đồng bộ chậm lên cổng.",
                         evidence_name="bang-chung.pdf", evidence_type="application/pdf", evidence=b"%PDF-1.4 thu")
    alert = Alert(kind="dossier_overdue", subject_type="dossier", subject_key=f"dossier:{dossier.id}",
                  recipient_id=person.id, unit_id=office.id, dossier_id=dossier.id, message=f"Hồ sơ {code} trễ hạn",
                  link=f"/dossiers/{dossier.id}", created_at=now)
    pdf = b"%PDF-1.4 van ban da ky " + district_code.encode()
    document = Document(kind="report", unit_id=district.id, period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
                        status="signed", title="Báo cáo quý III/2026", number=1, number_year=2026,
                        number_text="1/BC-UBND", issued_on=date(2026, 10, 5), signer_id=head_of_unit.id,
                        signed_at=now - timedelta(days=40), sha256=hashlib.sha256(pdf).hexdigest(), pdf=pdf,
                        created_by_id=head_of_unit.id)
    period = parse_period(PERIOD)
    batch = ImportBatch(filename=f"diem-{district_code}.json", sha256=hashlib.sha256(code.encode()).hexdigest(),
                        file_format="portal-json", period_kind="month", period_start=period.start_date,
                        created_by_id=operator.id)
    db.session.add_all([claim, alert, document, batch])
    db.session.flush()
    db.session.add(ScoreRecord(unit_id=district.id, subject_key=f"I:{indicator.code}", indicator_id=indicator.id,
                               period_kind="month", period_start=period.start_date, period_end=period.end_date,
                               numerator=Decimal(10), denominator=Decimal(40), ratio=Decimal(25), points=Decimal(5),
                               rule_points=Decimal(5), max_points=indicator_max(indicator, period), batch_id=batch.id))
    text = {"reason": "Nhiều hồ sơ tồn đọng từ tháng trước.", "remedy": "Rà soát hằng ngày.",
            "due_on": period.end_date + timedelta(days=30), "author_id": person.id}
    db.session.add(Explanation(unit_id=district.id, indicator_id=indicator.id, period_kind="month",
                               period_start=period.start_date, **text,
                               versions=[ExplanationVersion(number=1, created_at=now, **text)]))
    token, _plain = issue_token(district, name="Một cửa (bị thu hồi trong bảng)", actor=operator, now=now)
    _api, api_plain = issue_token(district, name="Một cửa", actor=operator, now=now)
    db.session.flush()
    assert db.session.get(ApiToken, token.id) is not None
    return {"unit_id": district.id, "user_id": person.id, "assignment_id": assignment.id, "plan": plan.id, "plan_id": plan.id,
            "indicator_id": indicator.id, "dossier_id": dossier.id, "code": code, "claim_id": claim.id,
            "alert_id": alert.id, "document_id": document.id, "token_id": token.id, "period_code": PERIOD,
            "api_token": api_plain, "kind": "dossier", "object_id": dossier.id, "unit_code": district_code}


def indicator_max(indicator, period) -> Decimal:
    from app.indicators.services import rules_on

    rule = rules_on(period.end_date).get(indicator.id)
    return rule.max_points if rule is not None else Decimal(20)


def build_world(password: str, *, now: datetime) -> dict:
    """The demo, the sibling tree and the objects of both; committed once."""
    from app.demo.services import load_demo
    from app.indicators.models import IndicatorRule

    load_demo(password, now=now)
    _sibling_tree(password, now)
    own = _objects(district_code="NS", office_code="NS.VP", officer="yenntk", chair="hungdv", now=now)
    sibling = _objects(district_code="NT.BA", office_code="NT.BA.VP", officer="ba.officer", chair="ba.chair", now=now)
    rule_id = db.session.scalar(sa.select(IndicatorRule.id).order_by(IndicatorRule.id).limit(1))
    shared = {"rule_id": rule_id, "step": "comment", "day": "2026-01-01", "token": "0" * 32}
    db.session.commit()
    return {"own": own | shared, "sibling": sibling | shared}


__all__ = ["OWN_USERS", "SIBLING_USERS", "build_world", "UTC"]
