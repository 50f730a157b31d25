"""Alerts: one per (kind, subject, recipient), never duplicated; acknowledged and resolved over time."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.dossiers import models as _dossiers  # noqa: F401,I001  (Alert.dossier names it)
from app.extensions import db

ALERT_KINDS = {
    "indicator_red": "Chỉ số chuyển đỏ, cần giải trình",
    "indicator_drop": "Chỉ số giảm mạnh, cần giải trình",
    "dossier_due_soon": "Hồ sơ sắp trễ hạn",
    "dossier_overdue": "Hồ sơ trễ hạn",
    "dossier_apology_missing": "Cần phiếu xin lỗi và hẹn lại ngày trả",
    "dossier_returned_late": "Hồ sơ đã trả trễ hạn",
    "explanation_returned": "Giải trình bị trả lại, cần sửa và gửi lại",
}
# Kinds that only inform: acknowledging one closes it.
INFO_KINDS = ("dossier_returned_late",)


class Alert(db.Model):
    __tablename__ = "alert"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject_type", "subject_key", "recipient_id", "escalation_level",
                            name="uq_alert_once"),
        sa.Index("ix_alert_recipient_open", "recipient_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject_type: Mapped[str] = mapped_column(sa.String(40))  # "score" (indicator × unit × period) or "dossier"
    subject_key: Mapped[str] = mapped_column(sa.String(160))
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(400), default="")
    escalation_level: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient = relationship("User")
    dossier = relationship("Dossier")

    @property
    def kind_label(self) -> str:
        return ALERT_KINDS.get(self.kind, self.kind)
