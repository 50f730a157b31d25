"""Claims that a late dossier is a synchronisation or data error: an officer files one with evidence, the head of
the handling unit (or a chair / admin over it) accepts or rejects it. Official figures never change: accepted
claims are counted apart ("trễ do lỗi dữ liệu, đã xác nhận")."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.audit.services import record
from app.core.errors import DomainError, Forbidden
from app.dossiers import lateness as L
from app.dossiers.access import can_see_dossier
from app.dossiers.models import Dossier, DossierClaim
from app.extensions import db

MAX_EVIDENCE = 5 * 1024 * 1024
EVIDENCE_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_SIGNATURES = {".pdf": (b"%PDF",), ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8",), ".jpeg": (b"\xff\xd8",)}


def is_late(dossier: Dossier, *, now: datetime) -> bool:
    """Late as the statistics count it: ended after its due time (or too many supplements), or open and overdue."""
    if dossier.supplement_count > L.LATE_SUPPLEMENTS:
        return True
    moment = dossier.ended_at if not dossier.is_open else now
    return moment is not None and _aware(moment) > _aware(dossier.due_at)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def live_claim(dossier: Dossier) -> DossierClaim | None:
    return next((c for c in dossier.claims if c.status in ("pending", "accepted")), None)


def may_decide(user, dossier: Dossier) -> bool:
    """Heads of the handling unit's tree, and chairs or admins over it."""
    return user.role in ("head", "chair", "admin") and user.can_see_unit(dossier.handling_unit)


def file_claim(dossier: Dossier, *, author, reason: str, evidence: tuple[str, bytes] | None, now: datetime,
               today: date) -> DossierClaim:
    """Flag a late dossier as a data error, with a reason and optionally a PDF or image as evidence."""
    if not can_see_dossier(author, dossier, today=today):
        raise DomainError(gettext("Bạn không có quyền với hồ sơ này."))
    if not is_late(dossier, now=now):
        raise DomainError(gettext("Chỉ báo lỗi dữ liệu cho hồ sơ trễ hạn."))
    if live_claim(dossier) is not None:
        raise DomainError(gettext("Hồ sơ này đã có một báo lỗi dữ liệu đang chờ hoặc đã được xác nhận."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise DomainError(gettext("Nêu rõ lỗi dữ liệu (ít nhất 10 ký tự), ví dụ: hồ sơ đã trả đúng hạn nhưng đồng bộ lên "
                                  "cổng chậm 3 ngày."), "reason")
    name = kind = content = None
    if evidence is not None and evidence[1]:
        name, content = evidence
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in EVIDENCE_TYPES or not content.startswith(_SIGNATURES[suffix]):
            raise DomainError(gettext("Tệp minh chứng phải là PDF, PNG hoặc JPG."), "evidence")
        if len(content) > MAX_EVIDENCE:
            raise DomainError(gettext("Tệp minh chứng quá 5 MB."), "evidence")
        name, kind = name[-200:], EVIDENCE_TYPES[suffix]
    claim = DossierClaim(dossier=dossier, author_id=author.id, reason=reason, evidence_name=name,
                         evidence_type=kind, evidence=content, status="pending", created_at=now)
    db.session.add(claim)
    db.session.flush()
    record(author, "dossier.claim", claim, after={"dossier": dossier.code, "reason": reason, "evidence": name})
    return claim


def decide_claim(claim: DossierClaim, *, accept: bool, note: str, actor, now: datetime) -> DossierClaim:
    """Accept or reject a pending claim (never one's own)."""
    if not may_decide(actor, claim.dossier):
        raise Forbidden(gettext("Chỉ lãnh đạo đơn vị xử lý (hoặc Chủ tịch, quản trị) mới xác nhận báo lỗi dữ liệu."))
    if claim.author_id == actor.id:
        raise DomainError(gettext("Không tự xác nhận báo lỗi của chính mình."))
    if claim.status != "pending":
        raise DomainError(gettext("Báo lỗi này đã được xử lý."))
    note = (note or "").strip()
    if not accept and len(note) < 5:
        raise DomainError(gettext("Nêu lý do không chấp nhận."), "note")
    before = {"status": claim.status}
    claim.status, claim.decided_by_id, claim.decided_at, claim.decision_note = (
        "accepted" if accept else "rejected", actor.id, now, note)
    db.session.flush()
    record(actor, "dossier.claim_decide", claim, before=before, after={"status": claim.status, "note": note})
    return claim


def pending_for(user) -> list[DossierClaim]:
    """Claims waiting for this user's decision."""
    if user.role not in ("head", "chair", "admin"):
        return []
    from app.org.services import descendant_ids

    ids = descendant_ids(user.unit_id)
    return list(db.session.scalars(sa.select(DossierClaim).join(Dossier).where(
        DossierClaim.status == "pending", Dossier.handling_unit_id.in_(ids), DossierClaim.author_id != user.id)
        .order_by(DossierClaim.created_at)))
