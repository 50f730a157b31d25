"""The documents' workflow (draft → submitted → approved → signed; a correction supersedes), numbering and rights.

Plain functions used by the web pages and the command line; they flush, the entry point commits once. Rights are
decided here, not only in the views: nobody acts on a document outside their unit tree.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.assignments.models import Plan
from app.audit.services import record
from app.core.errors import DomainError, Forbidden, NotFound
from app.core.formatting import local_date
from app.core.i18n import N_
from app.core.time import to_vn
from app.extensions import db
from app.org.models import Unit
from app.reports import content as contents
from app.reports import texts as wording
from app.reports.models import KIND_ABBR, KINDS, Document, DocumentComment
from app.scores.periods import Period

TEXT_KEYS = {"plan": ("intro", "purpose", "content", "organisation", "closing", "recipients"),
             "report": ("intro", "assessment", "proposals", "recipients")}
TEXT_LABELS = {"intro": "Căn cứ, mở đầu", "purpose": "I. Mục đích, yêu cầu", "content": "II. Nội dung",
               "organisation": "III. Tổ chức thực hiện", "closing": "Câu kết", "assessment": "Đánh giá chung",
               "proposals": "Đề xuất, kiến nghị", "recipients": "Nơi nhận (mỗi dòng một nơi)"}
MAX_TEXT = 20000
NUMBER_TAKEN = N_("Số văn bản vừa được cấp cho một văn bản khác (có người ký cùng lúc), văn bản này chưa được ký. "
                "Hãy ký lại: hệ thống sẽ cấp số tiếp theo.")


# --- rights ---------------------------------------------------------------------------------------------------


def can_decide(user, unit: Unit) -> bool:
    """Approve, send back and sign: the chair (or a deputy chair) of the issuing unit itself; a commune's head is its
    chair."""
    if user is None or not getattr(user, "is_active", False) or user.unit_id != unit.id:
        return False
    return user.role == "chair" or (user.role == "head" and unit.kind == "commune")


def can_prepare(user, unit: Unit) -> bool:
    """Draft, edit and submit: an admin over the unit, its head or the head of its office (Văn phòng drafts for the
    People's Committee), or whoever decides."""
    if user is None or not getattr(user, "is_active", False) or user.unit is None:
        return False
    if user.role == "admin" and user.can_see_unit(unit):
        return True
    if user.role == "head" and (user.unit_id == unit.id or (user.unit.parent_id == unit.id and
                                                            user.unit.kind == "office")):
        return True
    return can_decide(user, unit)


def can_read(user, doc: Document) -> bool:
    """Issued documents: everyone of the unit, of the units below it, and those above who oversee it. Drafts: those
    who prepare or decide, and chairs over the unit. Nobody outside the unit tree."""
    if user is None or not getattr(user, "is_authenticated", False) or user.unit is None:
        return False
    if doc.is_issued:
        return user.can_see_unit(doc.unit) or user.unit.is_descendant_of(doc.unit)
    return can_prepare(user, doc.unit) or (user.role == "chair" and user.can_see_unit(doc.unit))


def documents_for(user) -> list[Document]:
    """The documents the user may read, newest quarter first."""
    if user.unit is None:
        return []
    from app.org.services import descendant_ids

    ids = descendant_ids(user.unit_id) | {u.id for u in user.unit.ancestors()}
    docs = db.session.scalars(sa.select(Document).where(Document.unit_id.in_(ids)).order_by(
        Document.period_start.desc(), Document.kind, Document.unit_id, Document.version.desc()))
    return [d for d in docs if can_read(user, d)]


def get_for(user, document_id: int) -> Document:
    """The document if the user may read it, else NotFound (never reveal others)."""
    doc = db.session.get(Document, document_id)
    if doc is None or not can_read(user, doc):
        raise NotFound(gettext("Không tìm thấy văn bản hoặc bạn không có quyền xem văn bản này."))
    return doc


def units_for_drafting(user) -> list[Unit]:
    """Units whose documents the user may draft (for the new-document form)."""
    from app.org.services import units_in_scope

    candidates = units_in_scope(user, active_only=True)
    if user.unit is not None and user.unit.parent is not None and user.unit not in candidates:
        candidates.append(user.unit)
    if user.unit is not None and user.unit.parent is not None:
        candidates.append(user.unit.parent)
    seen, out = set(), []
    for unit in candidates:
        if unit.id not in seen and unit.kind in wording.COMMITTEE_KINDS and can_prepare(user, unit):
            seen.add(unit.id)
            out.append(unit)
    return out


# --- workflow -------------------------------------------------------------------------------------------------


def _log(doc: Document, actor, action: str, now: datetime, text: str = "") -> None:
    doc.comments.append(DocumentComment(author_id=getattr(actor, "id", None), action=action, text=text.strip(),
                                        at=now))
    record(actor, f"document.{action}", doc, after={"status": doc.status, "text": text.strip()[:500]})


def _move(doc: Document, status: str, now: datetime) -> None:
    """Move the document, and the plan it issues, to a status."""
    doc.status = status
    doc.updated_at = now
    if doc.plan is not None:
        doc.plan.status = status


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise DomainError(message)


def _allow(condition: bool, message: str) -> None:
    """A rights check: the document is visible to the user, but this step is not theirs (403, not a form error)."""
    if not condition:
        raise Forbidden(message)


def _label(doc: Document) -> str:
    return f"{doc.kind_label.lower()} {doc.quarter_label} của {doc.unit.name}"


def create_draft(*, kind: str, unit: Unit, period: Period, actor, today: date, now: datetime) -> Document:
    """A new draft plan or report of a unit for a quarter, with default texts (a report needs the quarter's scores)."""
    if kind not in KINDS:
        raise DomainError(gettext("Loại văn bản không hợp lệ."), "kind")
    if period.kind != "quarter":
        raise DomainError(gettext("Kế hoạch và báo cáo lập theo quý, ví dụ 2026Q4 hoặc Quý 4/2026."), "quarter")
    if unit.kind not in wording.COMMITTEE_KINDS:
        raise DomainError(gettext("%(unit_name)s không phải Ủy ban nhân dân: chỉ UBND tỉnh, huyện, xã ban hành kế hoạch và "
                                  "báo cáo Bộ chỉ số.",
                                  unit_name=unit.name), "unit")
    if actor is not None and not can_prepare(actor, unit):
        raise DomainError(gettext("Bạn không có quyền lập văn bản của %(unit_name)s.", unit_name=unit.name))
    existing = db.session.scalar(sa.select(Document).where(
        Document.kind == kind, Document.unit_id == unit.id, Document.period_start == period.start_date,
        Document.version == 1))
    if existing is not None:
        raise DomainError(gettext("Đã có %(label)s (%(status_label)s); mở văn bản đó để tiếp tục.", label=_label(existing), status_label=existing.status_label), "quarter")
    label = contents.period_label(period)
    title = wording.plan_title(label) if kind == "plan" else wording.report_title(label)
    doc = Document(kind=kind, unit=unit, period_start=period.start_date, period_end=period.end_date, version=1,
                   status="draft", title=title, texts=contents.default_texts(kind, unit, period, today=today),
                   created_by_id=getattr(actor, "id", None), created_at=now, updated_at=now)
    if kind == "plan":
        doc.plan = Plan(title=title, issuing_unit=unit, period_start=period.start_date, period_end=period.end_date,
                        status="draft", number="")
        db.session.add(doc.plan)
    else:
        contents.report_content(doc)  # a quarter without scores is refused now, not at signing
    db.session.add(doc)
    db.session.flush()
    _log(doc, actor, "create", now)
    return doc


def update_texts(doc: Document, *, texts: dict[str, str], actor, now: datetime) -> Document:
    """Edit the texts of a draft (the figures and the table come from the data and are not edited)."""
    _allow(actor is None or can_prepare(actor, doc.unit), gettext("Bạn không có quyền sửa văn bản này."))
    _require(doc.status == "draft", gettext("Chỉ sửa được văn bản ở trạng thái dự thảo (văn bản đã trình thì người duyệt trả lại để "
                                            "sửa)."))
    new = dict(doc.texts or {})
    for key in TEXT_KEYS[doc.kind]:
        if key in texts:
            value = (texts[key] or "").replace("\r\n", "\n").strip()
            if len(value) > MAX_TEXT:
                raise DomainError(gettext("«%(TEXT_LABELS)s» dài quá %(MAX_TEXT)s ký tự.", TEXT_LABELS=TEXT_LABELS[key], MAX_TEXT=MAX_TEXT), key)
            new[key] = value
    if not wording.recipients(new.get("recipients", "").splitlines()):
        raise DomainError(gettext("Ghi ít nhất một nơi nhận (dòng cuối thường là «Lưu: VT, VP»)."), "recipients")
    doc.texts = new
    doc.updated_at = now
    _log(doc, actor, "edit", now)
    return doc


def submit(doc: Document, *, actor, now: datetime, comment: str = "") -> Document:
    """Send the draft to the chair for approval."""
    _allow(actor is None or can_prepare(actor, doc.unit), gettext("Bạn không có quyền trình văn bản này."))
    _require(doc.status == "draft", gettext("Chỉ trình được văn bản dự thảo; văn bản này %(status_label)s.", status_label=gettext(doc.status_label).lower()))
    if doc.kind == "report":
        contents.report_content(doc)
    _move(doc, "submitted", now)
    _log(doc, actor, "submit", now, comment)
    return doc


def send_back(doc: Document, *, actor, now: datetime, comment: str) -> Document:
    """The chair returns a submitted or approved document to draft, saying what to change."""
    _allow(actor is None or can_decide(actor, doc.unit), gettext("Chỉ Chủ tịch, Phó Chủ tịch của đơn vị được trả lại văn bản."))
    _require(doc.status in ("submitted", "approved"), gettext("Chỉ trả lại được văn bản đã trình hoặc đã duyệt, chưa ký."))
    if len((comment or "").strip()) < 5:
        raise DomainError(gettext("Ghi rõ nội dung cần sửa khi trả lại văn bản."), "comment")
    _move(doc, "draft", now)
    _log(doc, actor, "return", now, comment)
    return doc


def approve(doc: Document, *, actor, now: datetime, comment: str = "") -> Document:
    """The chair approves the submitted document (it can then be signed)."""
    _allow(actor is None or can_decide(actor, doc.unit), gettext("Chỉ Chủ tịch, Phó Chủ tịch của đơn vị được duyệt văn bản."))
    _require(doc.status == "submitted", gettext("Chỉ duyệt được văn bản đã trình; văn bản này %(status_label)s.", status_label=gettext(doc.status_label).lower()))
    _move(doc, "approved", now)
    _log(doc, actor, "approve", now, comment)
    return doc


def add_comment(doc: Document, *, actor, now: datetime, text: str) -> Document:
    """A remark on the document (kept with it, e.g. the chair's comments on the plan)."""
    _allow(actor is None or can_prepare(actor, doc.unit) or can_decide(actor, doc.unit),
           gettext("Bạn không có quyền ghi ý kiến vào văn bản này."))
    if len((text or "").strip()) < 2:
        raise DomainError(gettext("Nhập nội dung ý kiến."), "text")
    _log(doc, actor, "comment", now, text[:4000])
    return doc


def next_number(kind: str, unit: Unit, year: int) -> int:
    """The next number of a kind of document of a unit in a year (numbers restart each year)."""
    last = db.session.scalar(sa.select(sa.func.max(Document.number)).where(
        Document.kind == kind, Document.unit_id == unit.id, Document.number_year == year))
    return (last or 0) + 1


def sign(doc: Document, *, actor, now: datetime) -> Document:
    """Number, render, sign and archive an approved document; the chair signs with their own key.

    Every check (rights, key, passphrase, certificate) happens before anything changes; any failure raises
    DomainError and the caller rolls back, so nothing is archived half-way and no unsigned file is kept as signed.
    """
    if doc.is_issued:
        raise DomainError(gettext("Văn bản đã được ký ban hành (%(number)s, ngày %(date)s); không ký lại. Muốn sửa, hãy "
                                  "tạo bản sửa đổi thay thế.", number=doc.number_text, date=local_date(doc.issued_on)))
    _allow(can_decide(actor, doc.unit), gettext("Chỉ Chủ tịch, Phó Chủ tịch của đơn vị được ký văn bản này."))
    _require(doc.status == "approved", gettext("Văn bản phải được Chủ tịch duyệt trước khi ký."))
    from app.reports import render, signing  # PDF and signing libraries load only when a document is signed

    credential = signing.signer_credential(actor, now=now)
    seal = signing.seal_credential(doc.unit, now=now)
    today = to_vn(now).date()
    doc.number = next_number(doc.kind, doc.unit, today.year)
    doc.number_year = today.year
    doc.number_text = wording.number_text(doc.number, KIND_ABBR[doc.kind],
                                          wording.agency_abbr(doc.unit.kind)).removeprefix("Số: ")
    doc.issued_on = today
    doc.signer_id = actor.id
    content = contents.build(doc, today=today, signer=actor)
    content.is_draft = False
    rendered = render.pdf(doc.kind, content)
    signed = signing.sign(rendered.pdf, rendered.signature_box, credential=credential, name=actor.full_name,
                          title=actor.title or actor.role_label, unit_name=doc.unit.name, when=now,
                          place=doc.unit.place_name, seal=seal, agency=content.heading.agency)
    doc.pdf = signed
    doc.sha256 = hashlib.sha256(signed).hexdigest()
    doc.inputs = contents.as_inputs(content)
    doc.signature_info = {"signer": credential.subject, "signer_valid_until": credential.not_after.isoformat(),
                          "seal": seal.subject if seal else None, "demo": credential.is_demo,
                          "pages": rendered.pages, "signed_at_vn": to_vn(now).strftime("%d/%m/%Y %H:%M:%S")}
    doc.signed_at = now
    _move(doc, "signed", now)
    if doc.plan is not None:
        doc.plan.number, doc.plan.issued_on, doc.plan.signer_id = doc.number_text, today, actor.id
        _supersede_older_plans(doc.plan)
    if doc.supersedes is not None:
        _move(doc.supersedes, "superseded", now)
        _log(doc.supersedes, actor, "supersede", now, f"Thay thế bởi bản sửa đổi số {doc.number_text}")
    _log(doc, actor, "sign", now, f"Số {doc.number_text}")
    db.session.flush()
    return doc


def _supersede_older_plans(plan: Plan) -> None:
    """A newly signed plan replaces the unit's earlier signed plans (the assignments carry on, the plan in force is
    the new one)."""
    for older in db.session.scalars(sa.select(Plan).where(
            Plan.issuing_unit_id == plan.issuing_unit_id, Plan.id != plan.id, Plan.status == "signed",
            Plan.period_start <= plan.period_start)):
        older.status = "superseded"


def issue_now(doc: Document, *, signer, now: datetime, note: str = "") -> Document:
    """Take a document through submit and approve to signed as `signer` in one go (the command line's --sign)."""
    if doc.status == "draft":
        submit(doc, actor=signer, now=now, comment=note)
    if doc.status == "submitted":
        approve(doc, actor=signer, now=now, comment=note)
    return sign(doc, actor=signer, now=now)


def revise(doc: Document, *, actor, now: datetime) -> Document:
    """A correction: a new draft version that will supersede the signed document once it is signed."""
    _allow(actor is None or can_prepare(actor, doc.unit), gettext("Bạn không có quyền tạo bản sửa đổi của văn bản này."))
    _require(doc.status == "signed", gettext("Chỉ tạo bản sửa đổi cho văn bản đã ký ban hành và còn hiệu lực."))
    pending = db.session.scalar(sa.select(Document).where(Document.supersedes_id == doc.id))
    if pending is not None:
        raise DomainError(gettext("Đã có bản sửa đổi (lần %(version)s, %(status_label)s) của văn bản này.", version=pending.version, status_label=pending.status_label.lower()))
    new = Document(kind=doc.kind, unit=doc.unit, period_start=doc.period_start, period_end=doc.period_end,
                   version=doc.version + 1, supersedes=doc, status="draft", title=doc.title, texts=dict(doc.texts),
                   created_by_id=getattr(actor, "id", None), created_at=now, updated_at=now)
    if doc.kind == "plan":
        new.plan = Plan(title=doc.title, issuing_unit=doc.unit, period_start=doc.period_start,
                        period_end=doc.period_end, status="draft", number="")
        db.session.add(new.plan)
    db.session.add(new)
    db.session.flush()
    _log(new, actor, "revise", now, f"Sửa đổi văn bản số {doc.number_text}")
    return new


def parse_quarter(text: str) -> Period:
    """"2026Q3", "2026-Q3", "Q3/2026", "Quý III/2026" → the quarter; DomainError otherwise."""
    from app.scores.periods import MAX_YEAR, MIN_YEAR, parse_period, quarter_period

    raw = (text or "").strip()
    if m := re.fullmatch(r"(\d{4})\s*[-/]?\s*[Qq]\s*(\d{1,2})", raw):
        if not 1 <= int(m.group(2)) <= 4:
            raise DomainError(gettext("Quý «%(raw)s» không hợp lệ: quý phải từ 1 đến 4.", raw=raw), "quarter")
        if not MIN_YEAR <= int(m.group(1)) <= MAX_YEAR:
            raise DomainError(gettext("Quý «%(raw)s»: năm phải trong khoảng %(MIN_YEAR)s–%(MAX_YEAR)s.", raw=raw, MIN_YEAR=MIN_YEAR, MAX_YEAR=MAX_YEAR), "quarter")
        return quarter_period(int(m.group(1)), int(m.group(2)))
    try:
        period = parse_period(raw)
    except ValueError as exc:
        raise DomainError(str(exc), "quarter") from None
    if period.kind != "quarter":
        raise DomainError(gettext("«%(raw)s» không phải một quý: ghi dạng 2026Q3 hoặc Quý 3/2026.", raw=raw), "quarter")
    return period


def find_document(kind: str, unit: Unit, period: Period) -> Document | None:
    """The latest version of a unit's plan or report for a quarter."""
    return db.session.scalar(sa.select(Document).where(
        Document.kind == kind, Document.unit_id == unit.id, Document.period_start == period.start_date)
        .order_by(Document.version.desc()).limit(1))


def draft_preview(kind: str, unit: Unit, period: Period, *, today: date) -> bytes:
    """A draft PDF ("DỰ THẢO", no number, no signature) of what the document would say, without saving anything."""
    from app.reports import render

    doc = find_document(kind, unit, period)
    if doc is None:
        label = contents.period_label(period)
        doc = Document(kind=kind, unit=unit, period_start=period.start_date, period_end=period.end_date, version=1,
                       status="draft", texts=contents.default_texts(kind, unit, period, today=today),
                       title=wording.plan_title(label) if kind == "plan" else wording.report_title(label))
        if kind == "plan":
            doc.plan = Plan(title=doc.title, issuing_unit=unit, issuing_unit_id=unit.id, status="draft",
                            period_start=period.start_date, period_end=period.end_date)
    try:
        return render.pdf(kind, contents.build(doc, today=today)).pdf
    finally:
        if doc.id is None:
            _forget(doc)


def _forget(doc: Document) -> None:
    """Keep an unsaved preview document (and its plan) out of the session."""
    for obj in (doc, doc.plan):
        if obj is not None and obj in db.session:
            db.session.expunge(obj)
