"""Load (idempotently) or reset the Ninh Sơn demo."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.alerts.models import Alert
from app.assignments import services as assignments
from app.assignments.models import Assignment, Plan
from app.audit.services import record
from app.auth import services as users
from app.auth.models import User
from app.core.time import to_vn
from app.demo import data
from app.dossiers.models import Dossier, DossierClaim
from app.extensions import db
from app.indicators.models import IndicatorGroup
from app.indicators.services import install_default_catalog
from app.org import services as org
from app.org.models import Unit
from app.public.models import UnitPublication
from app.public.services import set_publishing
from app.reports.models import Document, DocumentComment
from app.scores.models import (
    Explanation,
    ExplanationReview,
    ExplanationVersion,
    ImportBatch,
    ScoreRecord,
    ScoreRevision,
)


def has_units() -> bool:
    return db.session.scalar(sa.select(Unit.id).limit(1)) is not None


def demo_loaded() -> bool:
    return org.find_unit_by_code(data.DISTRICT[0]) is not None


def reset_demo() -> None:
    """Delete the demo district's tree, its people, plans and assignments; the audit trail is kept, with one entry
    saying that the demo was reset."""
    root = org.find_unit_by_code(data.PROVINCE[0]) or org.find_unit_by_code(data.DISTRICT[0])
    if root is None:
        return
    ids = org.descendant_ids(root.id)
    record(None, "demo.reset", None, object_type="system", after={"root": root.code, "units": len(ids)})
    record_ids = sa.select(ScoreRecord.id).where(ScoreRecord.unit_id.in_(ids))
    db.session.execute(sa.delete(ScoreRevision).where(ScoreRevision.record_id.in_(record_ids)))
    db.session.execute(sa.delete(ScoreRecord).where(ScoreRecord.unit_id.in_(ids)))
    explanation_ids = sa.select(Explanation.id).where(Explanation.unit_id.in_(ids))
    db.session.execute(sa.delete(ExplanationReview).where(ExplanationReview.explanation_id.in_(explanation_ids)))
    db.session.execute(sa.delete(ExplanationVersion).where(ExplanationVersion.explanation_id.in_(explanation_ids)))
    db.session.execute(sa.delete(Explanation).where(Explanation.unit_id.in_(ids)))
    db.session.execute(sa.delete(Alert).where(Alert.unit_id.in_(ids)))
    dossier_ids = sa.select(Dossier.id).where(Dossier.handling_unit_id.in_(ids))
    db.session.execute(sa.delete(Alert).where(Alert.dossier_id.in_(dossier_ids)))
    db.session.execute(sa.delete(DossierClaim).where(DossierClaim.dossier_id.in_(dossier_ids)))
    db.session.execute(sa.delete(Dossier).where(Dossier.handling_unit_id.in_(ids)))
    db.session.execute(sa.delete(ImportBatch).where(ImportBatch.file_format == "demo"))
    docs = sa.select(Document.id).where(Document.unit_id.in_(ids))
    db.session.execute(sa.update(Document).where(Document.id.in_(docs)).values(supersedes_id=None))
    db.session.execute(sa.delete(DocumentComment).where(DocumentComment.document_id.in_(docs)))
    db.session.execute(sa.delete(Document).where(Document.unit_id.in_(ids)))
    plan_ids = list(db.session.scalars(sa.select(Plan.id).where(Plan.issuing_unit_id.in_(ids))))
    for a in db.session.scalars(sa.select(Assignment).where(Assignment.plan_id.in_(plan_ids))):
        db.session.delete(a)
    db.session.flush()
    db.session.execute(sa.delete(Plan).where(Plan.id.in_(plan_ids)))
    db.session.execute(sa.delete(UnitPublication).where(UnitPublication.unit_id.in_(ids)))
    user_ids = list(db.session.scalars(sa.select(User.id).where(User.unit_id.in_(ids))))
    # The audit trail stays whole (the database refuses to change it): its entries keep the actor's id and a
    # snapshot of their name, so those about the removed demo stay readable.
    db.session.execute(sa.delete(User).where(User.id.in_(user_ids)))
    # children first: deepest units have the longest ancestor chains
    units = sorted(db.session.scalars(sa.select(Unit).where(Unit.id.in_(ids))), key=lambda u: -len(u.ancestors()))
    for unit in units:
        db.session.delete(unit)
        db.session.flush()


def load_demo(password: str, *, now: datetime, with_scores: bool = False,
              with_dossiers: bool | None = None) -> dict[str, int]:
    """Create what is missing of the demo as of `now`; running it twice changes nothing the second time.

    Scores run from 08/2022 to the last full month before `now` (Vietnam time).
    """
    install_default_catalog()
    counts = {"units": 0, "users": 0, "assignments": 0, "scores": 0, "dossiers": 0}
    province = org.find_unit_by_code(data.PROVINCE[0])
    if province is None:
        province = org.create_unit(code=data.PROVINCE[0], name=data.PROVINCE[1], kind=data.PROVINCE[2], parent=None)
        counts["units"] += 1
    code, name, kind = data.DISTRICT
    root = org.find_unit_by_code(code)
    if root is None:
        root = org.create_unit(code=code, name=name, kind=kind, parent=province)
        counts["units"] += 1
    for order, (scode, sname) in enumerate(data.SIBLING_DISTRICTS, 1):
        if org.find_unit_by_code(scode) is None:
            org.create_unit(code=scode, name=sname, kind="district", parent=province, sort_order=order)
            counts["units"] += 1
    for order, (ucode, uname, ukind, parent_code) in enumerate(data.UNITS, 1):
        if org.find_unit_by_code(ucode) is None:
            org.create_unit(code=ucode, name=uname, kind=ukind, parent=org.find_unit_by_code(parent_code),
                            sort_order=order)
            counts["units"] += 1
    for username, full_name, title, ucode, role in data.OFFICERS:
        if users.find_user(username) is None:
            users.create_user(username=username, full_name=full_name, title=title,
                              unit=org.find_unit_by_code(ucode), role=role, password=password)
            counts["users"] += 1
    plan = db.session.scalar(sa.select(Plan).where(Plan.issuing_unit_id == root.id, Plan.title == data.PLAN["title"]))
    if plan is None:
        plan = Plan(issuing_unit=root, signer=users.find_user(data.PLAN["signer"]),
                    **{k: v for k, v in data.PLAN.items() if k != "signer"})
        db.session.add(plan)
        db.session.flush()
    if not plan.assignments:
        counts["assignments"] = _load_table(plan, root)
    if db.session.get(UnitPublication, root.id) is None:  # the district's chair published its scores (/cong-khai/NS)
        set_publishing(None, root, publish=True, names=False, now=now)
    db.session.flush()
    if with_scores:
        counts["scores"] = _load_scores(now)
    if with_scores if with_dossiers is None else with_dossiers:
        counts["dossiers"] = _load_dossiers(now)
    return counts


def _load_dossiers(now: datetime) -> int:
    """A year of dossiers; the indicators computed from them; the alerts they raise for the demo users."""
    from app.demo import dossiers as demo_dossiers
    from app.dossiers.computed import compute
    from app.dossiers.scan import scan_dossiers

    loaded = demo_dossiers.load(now)
    if loaded:
        compute(now=now)
        scan_dossiers(now=now)
    return loaded


def _load_scores(now: datetime) -> int:
    """Four years of monthly scores; the red indicators of the last month alert their owners, one is explained."""
    from app.demo import scores as demo_scores
    from app.indicators.models import Indicator
    from app.scores import accountability
    from app.scores.queries import latest_period

    loaded = demo_scores.load(to_vn(now).date())
    if not loaded:
        return 0
    accountability.scan_red(now=now)
    unit = org.find_unit_by_code(data.DISTRICT[0])
    period = latest_period([unit.id])
    payment = db.session.scalar(sa.select(Indicator).where(Indicator.code == "PAYMENT_DOSSIERS"))
    accountability.save_explanation(
        unit=unit, indicator=payment, period=period, actor=users.find_user("hatlt"),
        reason="Nhiều hồ sơ có nghĩa vụ tài chính nộp trực tiếp; Cổng thanh toán bị gián đoạn 6 ngày trong tháng.",
        remedy="Hướng dẫn người dân thanh toán trực tuyến tại Bộ phận một cửa; phối hợp Viettel khắc phục lỗi kết nối.",
        due_on=period.end_date + timedelta(days=30), now=now,
    )
    return loaded


def _load_table(plan: Plan, root: Unit) -> int:
    coop_units = [u for u in root.children if u.kind in ("department", "office", "police", "commune")]
    groups = {g.code: g for g in db.session.scalars(sa.select(IndicatorGroup))}
    n = 0
    for gcode, resp, coop_label, named, team in data.TABLE:
        responsible = org.find_unit_by_code(resp)
        assignments.assign(
            plan=plan, group=groups[gcode], responsible=responsible,
            cooperating=[u for u in coop_units if u.id != responsible.id], cooperating_label=coop_label,
            performers=[users.find_user(x) for x in named], team=org.find_unit_by_code(team) if team else None,
            effective_from=plan.period_start, today=plan.period_start,  # the table as issued that day
        )
        n += 1
    for gcode, when, named, note in data.HANDOVERS:
        key = Assignment.key_for(group=groups[gcode])
        current = next(a for a in plan.assignments if a.subject_key == key and a.effective_to is None)
        assignments.reassign(current, effective_from=when, today=when, responsible=current.responsible_unit,
                             cooperating=current.cooperating_units, cooperating_label=current.cooperating_label,
                             performers=[users.find_user(x) for x in named], note=note)
        n += 1
    return n
