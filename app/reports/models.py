"""Issued documents (văn bản): the quarterly plan and report, their workflow, number, signature and archive."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, backref, deferred, mapped_column, relationship

from app.core.i18n import N_
from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db

KINDS = {"plan": N_("Kế hoạch"), "report": N_("Báo cáo")}
KIND_ABBR = {"plan": "KH", "report": "BC"}
STATUSES = {
    "draft": N_("Dự thảo"),
    "submitted": N_("Đã trình"),
    "approved": N_("Đã duyệt"),
    "signed": N_("Đã ký ban hành"),
    "superseded": N_("Đã thay thế"),
}
ISSUED = ("signed", "superseded")
# What a signed document is made of; never changed once it is signed (see _refuse_changes_after_signing).
IMMUTABLE = ("kind", "unit_id", "period_start", "version", "number", "number_year", "number_text", "issued_on",
             "signer_id", "signed_at", "sha256", "pdf", "inputs", "texts", "title", "signature_info")


class Document(db.Model):
    """One version of a plan or report of a unit for a quarter.

    Drafts are edited, submitted, approved by the chair and signed; signing allocates the number (in sequence per
    kind, unit and year, unique in the database) and stores the signed PDF, its SHA-256 and the inputs it was
    rendered from. A correction is a new version (`supersedes_id`) that supersedes the signed one when signed.
    """

    __tablename__ = "document"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name="kind_known"),
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status_known"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("number IS NULL OR number >= 1", name="number_positive"),
        sa.CheckConstraint("period_end >= period_start", name="period_order"),
        sa.CheckConstraint(
            "status NOT IN ('signed', 'superseded') OR (number IS NOT NULL AND number_year IS NOT NULL "
            "AND issued_on IS NOT NULL AND signed_at IS NOT NULL AND sha256 IS NOT NULL AND pdf IS NOT NULL)",
            name="issued_complete"),
        sa.UniqueConstraint("kind", "unit_id", "number_year", "number", name="uq_document_number"),
        sa.UniqueConstraint("kind", "unit_id", "period_start", "version", name="uq_document_version"),
        sa.UniqueConstraint("supersedes_id", name="uq_document_supersedes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document.id", ondelete="RESTRICT"))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    title: Mapped[str] = mapped_column(sa.Text)
    texts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    number: Mapped[int | None]
    number_year: Mapped[int | None]
    number_text: Mapped[str] = mapped_column(sa.String(40), default="")
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    signer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    signature_info: Mapped[dict | None] = mapped_column(sa.JSON)
    inputs: Mapped[dict | None] = deferred(mapped_column(sa.JSON))
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    unit = relationship("Unit")
    plan = relationship("Plan", backref=backref("documents", order_by="Document.version"))
    signer = relationship("User", foreign_keys=[signer_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    supersedes: Mapped[Document | None] = relationship(remote_side=[id], foreign_keys=[supersedes_id])
    comments: Mapped[list[DocumentComment]] = relationship(back_populates="document",
                                                           order_by="DocumentComment.id")

    def __repr__(self) -> str:
        return f"<Document {self.kind} {self.unit_id} {self.period_start} v{self.version} {self.status}>"

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def is_issued(self) -> bool:
        return self.status in ISSUED

    @property
    def quarter_label(self) -> str:
        """"quý IV/2026"."""
        from app.scores.periods import ROMAN

        return f"quý {ROMAN[(self.period_start.month - 1) // 3 + 1]}/{self.period_start.year}"

    @property
    def quarter_code(self) -> str:
        """"2026Q4" (as typed on the command line)."""
        return f"{self.period_start.year}Q{(self.period_start.month - 1) // 3 + 1}"

    @property
    def file_name(self) -> str:
        """"ke-hoach-NS-2026Q4-so-07.pdf"."""
        stem = {"plan": "ke-hoach", "report": "bao-cao"}[self.kind]
        number = f"-so-{self.number:02d}" if self.number else "-du-thao"
        version = f"-v{self.version}" if self.version > 1 else ""
        return f"{stem}-{self.unit.code}-{self.quarter_code}{version}{number}.pdf"


class DocumentComment(db.Model):
    """A step of the workflow or a remark on it (the chair's comments, a return for revision), never edited."""

    __tablename__ = "document_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    document: Mapped[Document] = relationship(back_populates="comments")
    author = relationship("User")

    ACTIONS = {"create": N_("Tạo dự thảo"), "edit": N_("Sửa nội dung"), "submit": N_("Trình ký"), "return": N_("Trả lại"),
               "approve": N_("Duyệt"), "sign": N_("Ký ban hành"), "comment": N_("Ý kiến"), "revise": N_("Tạo bản sửa đổi"),
               "supersede": N_("Bị thay thế")}

    @property
    def action_label(self) -> str:
        return self.ACTIONS.get(self.action, self.action)


class DocumentImmutable(Exception):
    """A signed document was about to be changed (programming error: services never do it)."""


@event.listens_for(Document, "before_update")
def _refuse_changes_after_signing(_mapper, _connection, target: Document) -> None:
    """An issued document is an archive: only its status may move (signed → superseded)."""
    state = sa.inspect(target)
    status = state.attrs.status.history
    was = status.deleted[0] if status.deleted else target.status
    if was not in ISSUED:
        return
    changed = [name for name in IMMUTABLE if name in state.attrs and state.attrs[name].history.has_changes()]
    if changed or target.status not in ISSUED:
        raise DocumentImmutable(f"Signed document {target.id} cannot change ({', '.join(changed) or 'status'}).")
