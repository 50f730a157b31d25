"""Citizen dossiers (hồ sơ TTHC) as the one-door system syncs them, and claims that a late one is a data error."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.core.i18n import N_
from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db

STATUSES = {
    "new": N_("Mới tiếp nhận"),
    "processing": N_("Đang xử lý"),
    "supplement": N_("Yêu cầu bổ sung"),
    "paused": N_("Tạm dừng"),
    "awaiting_payment": N_("Chờ thực hiện nghĩa vụ tài chính"),
    "done": N_("Đã xử lý xong"),
    "returned": N_("Đã trả kết quả"),
    "rejected": N_("Từ chối"),
    "withdrawn": N_("Công dân rút hồ sơ"),
}
OPEN_STATUSES = ("new", "processing", "supplement", "paused", "awaiting_payment")
CLOSED_STATUSES = ("done", "returned", "rejected", "withdrawn")
CHANNELS = {1: N_("Trực tiếp"), 2: N_("Trực tuyến"), 3: N_("Bưu chính công ích")}
CLAIM_STATUSES = {"pending": N_("Chờ xác nhận"), "accepted": N_("Đã xác nhận lỗi dữ liệu"), "rejected": N_("Không chấp nhận")}
DEFAULT_SOURCE = "mot-cua"

_open_list = ", ".join(repr(s) for s in OPEN_STATUSES)
_ENDED_LATE = "NOT is_open AND (ended_at > due_at OR supplement_count > 1)"  # lateness.finished_late, closed


# the columns the pressure and the projection read of an open dossier (the lateness expressions' inputs)
OPEN_COVER = ["received_at", "ended_at", "is_open", "supplement_count", "apology_at", "status", "channel",
              "paid_online", "digitized", "e_result", "rating"]


class Dossier(db.Model):
    """One dossier; `ended_at` is when processing ended (finished, else returned), the portal's end time."""

    __tablename__ = "dossier"
    __table_args__ = (
        sa.UniqueConstraint("source", "code", name="uq_dossier_source_code"),
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status_known"),
        sa.CheckConstraint(f"is_open = (status IN ({_open_list}))", name="open_matches_status"),
        sa.CheckConstraint("is_open OR ended_at IS NOT NULL", name="closed_has_end"),
        sa.CheckConstraint("channel IN (1, 2, 3)", name="channel_known"),
        sa.CheckConstraint("due_at >= received_at", name="due_after_received"),
        sa.CheckConstraint("finished_at IS NULL OR finished_at >= received_at", name="finished_after_received"),
        sa.CheckConstraint("returned_at IS NULL OR returned_at >= received_at", name="returned_after_received"),
        sa.CheckConstraint("supplement_count >= 0", name="supplements_positive"),
        sa.CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        sa.CheckConstraint("length(trim(code)) > 0", name="code_present"),
        sa.Index("ix_dossier_unit_received", "handling_unit_id", "received_at"),
        sa.Index("ix_dossier_unit_ended", "handling_unit_id", "ended_at"),
        # the open dossiers (~1 % of the table) are what the scan and the live part of the statistics read
        sa.Index("ix_dossier_open_due", "due_at", sqlite_where=sa.text("is_open"), postgresql_where=sa.text("is_open")),
        # covering on PostgreSQL: the pressure and the open part of the projection read it alone (index-only)
        sa.Index("ix_dossier_open_unit", "handling_unit_id", "due_at", sqlite_where=sa.text("is_open"),
                 postgresql_where=sa.text("is_open"), postgresql_include=OPEN_COVER),
        # the dossiers that ended late (~7 % of the closed ones): the scan's "returned late" pass reads recent ones
        sa.Index("ix_dossier_ended_late", "ended_at", sqlite_where=sa.text(_ENDED_LATE),
                 postgresql_where=sa.text(_ENDED_LATE)),
        # open and sent back for supplements more than once: late whatever the due time (lateness.late_at)
        sa.Index("ix_dossier_open_supplements", "due_at", sqlite_where=sa.text("is_open AND supplement_count > 1"),
                 postgresql_where=sa.text("is_open AND supplement_count > 1")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(40), default=DEFAULT_SOURCE)
    code: Mapped[str] = mapped_column(sa.String(80))
    procedure_code: Mapped[str] = mapped_column(sa.String(40))
    procedure_name: Mapped[str] = mapped_column(sa.String(500), default="")
    handling_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    receiving_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    handling_officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    channel: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(20))
    is_open: Mapped[bool] = mapped_column(default=True)
    supplement_count: Mapped[int] = mapped_column(default=0)
    apology_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    new_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_online: Mapped[bool | None]
    digitized: Mapped[bool | None]
    e_result: Mapped[bool | None]
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    handling_unit = relationship("Unit", foreign_keys=[handling_unit_id])
    receiving_unit = relationship("Unit", foreign_keys=[receiving_unit_id])
    handling_officer = relationship("User", foreign_keys=[handling_officer_id])
    claims: Mapped[list[DossierClaim]] = relationship(back_populates="dossier", order_by="DossierClaim.id")

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, str(self.channel))


class DossierClaim(db.Model):
    """An officer's claim that a late dossier is a synchronisation or data error; the unit head decides.

    Accepted claims are shown apart ("trễ do lỗi dữ liệu, đã xác nhận"); official figures never change.
    """

    __tablename__ = "dossier_claim"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in CLAIM_STATUSES)})", name="status_known"),
        sa.CheckConstraint("length(trim(reason)) > 0", name="reason_present"),
        sa.Index("uq_dossier_claim_live", "dossier_id", unique=True,
                 sqlite_where=sa.text("status IN ('pending', 'accepted')"),
                 postgresql_where=sa.text("status IN ('pending', 'accepted')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text)
    evidence_name: Mapped[str | None] = mapped_column(sa.String(255))
    evidence_type: Mapped[str | None] = mapped_column(sa.String(100))
    evidence: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    dossier: Mapped[Dossier] = relationship(back_populates="claims")
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return CLAIM_STATUSES.get(self.status, self.status)


class DossierDataVersion(db.Model):
    """One counter bumped in the transaction of every write to dossiers or claims (import, ORM flush): what the
    statistics cache is keyed on, so a cached count never outlives the data it was counted from."""

    __tablename__ = "dossier_data_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class DossierStatsCache(db.Model):
    """Counts of a statistics window's closed (or open) dossiers, valid for one data version and the moments
    [valid_from, valid_until) the window may be seen at (see stats_cache.py)."""

    __tablename__ = "dossier_stats_cache"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    counts: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
