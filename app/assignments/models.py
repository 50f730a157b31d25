"""Plans (kế hoạch phân công) and the assignments they hold, with their history."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db
from app.indicators.models import subject_key

# status → label, marked for the catalog: the value stays Vietnamese, pages show _(plan.status_label)
PLAN_STATUSES = {
    "draft": N_("Dự thảo"),
    "submitted": N_("Đã trình"),
    "approved": N_("Đã duyệt"),
    "signed": N_("Đã ký ban hành"),
    "superseded": N_("Đã thay thế"),
}

assignment_cooperating_unit = sa.Table(
    "assignment_cooperating_unit",
    db.metadata,
    sa.Column("assignment_id", sa.ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("unit.id", ondelete="RESTRICT"), primary_key=True),
)

assignment_performer = sa.Table(
    "assignment_performer",
    db.metadata,
    sa.Column("assignment_id", sa.ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="RESTRICT"), primary_key=True),
    sa.Index("ix_assignment_performer_user", "user_id", "assignment_id"),  # what an officer performs
)


class Plan(db.Model):
    __tablename__ = "plan"
    __table_args__ = (
        sa.CheckConstraint(f"status IN ({', '.join(repr(s) for s in PLAN_STATUSES)})", name="status_known"),
        sa.CheckConstraint("period_end IS NULL OR period_end >= period_start", name="period_order"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(60), default="")
    title: Mapped[str] = mapped_column(sa.Text)
    issuing_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    signer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # every UPDATE checks it: a second editor is told, never overwrites

    issuing_unit = relationship("Unit")
    signer = relationship("User")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="plan")

    @property
    def status_label(self) -> str:
        return PLAN_STATUSES.get(self.status, self.status)

    @property
    def display_number(self) -> str:
        """"Số: 12/KH-UBND" as the plan's heading prints it, in the page's language (Vietnamese outside a request)."""
        return gettext("Số: %(number)s", number=self.number or "…/KH-UBND")


class Assignment(db.Model):
    """Who answers for a group or an indicator of a unit's scorecard, from one date to another.

    Exactly one of group / indicator is set. `subject_key` ("G:II", "I:4") names the subject so
    that the database can refuse two open assignments of the same subject in one scope.
    `effective_to` is the last day (inclusive); NULL means still in force.
    """

    __tablename__ = "assignment"
    __table_args__ = (
        sa.CheckConstraint("(group_id IS NULL) <> (indicator_id IS NULL)", name="group_xor_indicator"),
        sa.CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="period_order"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.Index(
            "uq_assignment_open_subject", "scope_unit_id", "subject_key", unique=True,
            sqlite_where=sa.text("effective_to IS NULL"), postgresql_where=sa.text("effective_to IS NULL"),
        ),
        sa.Index("ix_assignment_subject_dates", "scope_unit_id", "subject_key", "effective_from"),
        sa.Index("ix_assignment_scope_in_force", "scope_unit_id", "effective_to", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="RESTRICT"), index=True)
    scope_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    subject_key: Mapped[str] = mapped_column(sa.String(40))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator_group.id", ondelete="RESTRICT"))
    indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator.id", ondelete="RESTRICT"))
    responsible_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    cooperating_label: Mapped[str] = mapped_column(sa.String(400), default="")
    team_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    performer_label: Mapped[str] = mapped_column(sa.String(400), default="")
    effective_from: Mapped[date] = mapped_column(sa.Date)
    effective_to: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="assignments")
    scope_unit = relationship("Unit", foreign_keys=[scope_unit_id])
    group = relationship("IndicatorGroup")
    indicator = relationship("Indicator")
    responsible_unit = relationship("Unit", foreign_keys=[responsible_unit_id])
    team_unit = relationship("Unit", foreign_keys=[team_unit_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    cooperating_units = relationship("Unit", secondary=assignment_cooperating_unit, order_by="Unit.sort_order")
    performers = relationship("User", secondary=assignment_performer, order_by="User.full_name")

    @staticmethod
    def key_for(group=None, indicator=None) -> str:
        """"G:II" / "I:PROGRESS_ON_TIME" (indicators.models.subject_key, shared with score records)."""
        return subject_key(group=group, indicator=indicator)

    @property
    def subject_label(self) -> str:
        if self.group is not None:
            return f"{self.group.code}. {self.group.name}"
        return self.indicator.label

    @property
    def cooperating_text(self) -> str:
        """As written in the plan, else the list of cooperating units."""
        return self.cooperating_label or "; ".join(u.name for u in self.cooperating_units)

    @property
    def team_text(self) -> str:
        """"Thành viên <team>" in the page's language (Vietnamese outside a request and in the official documents,
        which are built under force_locale("vi"))."""
        return gettext("Thành viên %(team)s", team=self.team_unit.name) if self.team_unit is not None else ""

    @property
    def performer_text(self) -> str:
        """Named officers and the team, as the table prints them."""
        if self.performer_label:
            return self.performer_label
        parts = [u.full_name for u in self.performers]
        if self.team_text:
            parts.append(self.team_text)
        return "; ".join(parts)

    def is_in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)
