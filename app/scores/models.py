"""Score records (indicator or group × assessed unit × period × source), their revisions and import batches."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db

PERIOD_KINDS = ("month", "quarter", "year")
SOURCES = {"portal": "Cổng DVCQG", "computed": "Tính toán", "manual": "Nhập tay"}


class ImportBatch(db.Model):
    """One imported file (or one manual entry session): what it changed and who brought it."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    file_format: Mapped[str] = mapped_column(sa.String(20))  # portal-json, csv, xlsx, manual, demo
    portal_group: Mapped[str | None] = mapped_column(sa.String(60))
    period_kind: Mapped[str | None] = mapped_column(sa.String(10))
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    scope: Mapped[str] = mapped_column(sa.String(20), default="all")
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_new: Mapped[int] = mapped_column(default=0)
    rows_changed: Mapped[int] = mapped_column(default=0)
    rows_unchanged: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[list | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    created_by = relationship("User")


class ScoreRecord(db.Model):
    """The current value of one indicator (or a group total) for one unit, period and source.

    `points` is the official figure: the portal's own score when the file gave one, else the catalog rule's.
    `rule_points` is always the catalog rule's result; `is_mismatch` flags a difference above 0.01.
    `formality_code` is "" for the whole unit, else the procedure (TTHC) of a per-procedure drill-down.
    """

    __tablename__ = "score_record"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "subject_key", "period_kind", "period_start", "formality_code", "source",
                            name="uq_score_record_natural"),
        sa.CheckConstraint("(group_id IS NULL) <> (indicator_id IS NULL)", name="group_xor_indicator"),
        sa.CheckConstraint("period_kind IN ('month', 'quarter', 'year')", name="period_kind_known"),
        sa.CheckConstraint("source IN ('portal', 'computed', 'manual')", name="source_known"),
        sa.CheckConstraint("period_end >= period_start", name="period_order"),
        sa.CheckConstraint("numerator IS NULL OR numerator >= 0", name="numerator_positive"),
        sa.CheckConstraint("denominator IS NULL OR denominator >= 0", name="denominator_positive"),
        sa.CheckConstraint("ratio IS NULL OR (ratio >= 0 AND ratio <= 100)", name="ratio_range"),
        sa.CheckConstraint("points IS NULL OR (points >= 0 AND points <= max_points)", name="points_range"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.Index("ix_score_record_lookup", "subject_key", "period_kind", "period_start"),
        sa.Index("ix_score_record_unit_period", "unit_id", "period_kind", "period_start"),
        sa.Index("ix_score_record_totals", "unit_id", "period_kind", "formality_code", "period_start",
                 postgresql_include=["source", "subject_key", "indicator_id", "group_id", "points"]),
        sa.Index("ix_score_record_updated_at", "updated_at"),  # the data version of cached totals (scores.totals)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    subject_key: Mapped[str] = mapped_column(sa.String(80))  # "I:DOSSIER_SYNC" or "G:III.1"
    indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator_group.id", ondelete="RESTRICT"))
    period_kind: Mapped[str] = mapped_column(sa.String(10))
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    formality_code: Mapped[str] = mapped_column(sa.String(40), default="")
    source: Mapped[str] = mapped_column(sa.String(10), default="portal")
    numerator: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    denominator: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    rule_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    portal_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    max_points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    is_mismatch: Mapped[bool] = mapped_column(default=False)
    data_quality: Mapped[str | None] = mapped_column(sa.String(400))
    extra: Mapped[dict | None] = mapped_column(sa.JSON(none_as_null=True))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batch.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # a re-import or correction racing another is told, not lost

    unit = relationship("Unit")
    indicator = relationship("Indicator")
    group = relationship("IndicatorGroup")
    batch = relationship("ImportBatch")
    revisions: Mapped[list[ScoreRevision]] = relationship(back_populates="record", order_by="ScoreRevision.id")

    VALUE_FIELDS = ("numerator", "denominator", "ratio", "points", "rule_points", "portal_points", "max_points",
                    "is_mismatch", "data_quality", "batch_id", "note")

    def values(self) -> dict:
        return {f: getattr(self, f) for f in self.VALUE_FIELDS}


class ScoreDataVersion(db.Model):
    """One row whose number moves with every statement that writes score records or the indicator catalog (database
    triggers, migration 0014): the key under which totals computed from them may be remembered (scores.totals)."""

    __tablename__ = "score_data_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class ScoreRevision(db.Model):
    """A value a score record held before a re-import or a correction replaced it."""

    __tablename__ = "score_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("score_record.id", ondelete="CASCADE"), index=True)
    numerator: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    denominator: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    portal_points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    max_points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batch.id", ondelete="SET NULL"))
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    replaced_by_batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("import_batch.id", ondelete="SET NULL"))

    record: Mapped[ScoreRecord] = relationship(back_populates="revisions")


EXPLANATION_STATES = ("submitted", "accepted", "returned")
REVIEW_DECISIONS = ("accepted", "returned")


class Explanation(db.Model):
    """An owner's explanation and remedial action for a red indicator (giải trình, biện pháp khắc phục), and where
    its review stands. `reason`, `remedy`, `due_on`, `author_id` and `updated_at` repeat the latest of its immutable
    `versions` (written together by app.scores.review only); `reviews` are the reviewers' decisions."""

    __tablename__ = "score_explanation"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "indicator_id", "period_kind", "period_start", name="uq_score_explanation_subject"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(f"state IN ({', '.join(repr(s) for s in EXPLANATION_STATES)})", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id", ondelete="RESTRICT"), index=True)
    period_kind: Mapped[str] = mapped_column(sa.String(10))
    period_start: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    remedy: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date] = mapped_column(sa.Date)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc, onupdate=now_utc)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    state: Mapped[str] = mapped_column(sa.String(12), default="submitted", server_default="submitted")

    __mapper_args__ = {"version_id_col": version}

    unit = relationship("Unit")
    indicator = relationship("Indicator")
    author = relationship("User")
    versions: Mapped[list[ExplanationVersion]] = relationship(
        back_populates="explanation", order_by="ExplanationVersion.number", passive_deletes=True)
    reviews: Mapped[list[ExplanationReview]] = relationship(
        back_populates="explanation", order_by="ExplanationReview.id", passive_deletes=True)


class ExplanationVersion(db.Model):
    """One submission of an explanation by its owner, never changed afterwards (number 1, 2, … per explanation)."""

    __tablename__ = "score_explanation_version"
    __table_args__ = (
        sa.UniqueConstraint("explanation_id", "number", name="uq_score_explanation_version_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    explanation_id: Mapped[int] = mapped_column(sa.ForeignKey("score_explanation.id", ondelete="CASCADE"))
    number: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    remedy: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date] = mapped_column(sa.Date)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    explanation: Mapped[Explanation] = relationship(back_populates="versions")
    author = relationship("User")


class ExplanationReview(db.Model):
    """A reviewer's decision on one version: accepted, or returned with a comment (one decision per version)."""

    __tablename__ = "score_explanation_review"
    __table_args__ = (
        sa.UniqueConstraint("version_id", name="uq_score_explanation_review_version"),
        sa.CheckConstraint(f"decision IN ({', '.join(repr(d) for d in REVIEW_DECISIONS)})", name="decision_known"),
        sa.CheckConstraint("decision <> 'returned' OR length(trim(comment)) > 0", name="returned_has_comment"),
        sa.Index("ix_score_explanation_review_explanation", "explanation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    explanation_id: Mapped[int] = mapped_column(sa.ForeignKey("score_explanation.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("score_explanation_version.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(sa.String(10))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    explanation: Mapped[Explanation] = relationship(back_populates="reviews")
    version = relationship("ExplanationVersion")
    reviewer = relationship("User")
