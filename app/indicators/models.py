"""The Decision 766 indicator catalog: groups, indicators and versioned scoring rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db

VALUE_SOURCES = {"portal": N_("Lấy từ Cổng DVCQG"), "computed": N_("Tính từ hồ sơ"), "manual": N_("Nhập tay")}
ZERO_DENOMINATOR = {"zero": N_("0 điểm"), "full": N_("Đủ điểm"), "none": N_("Không chấm")}
LEVELS = {"province": N_("Tỉnh"), "department": N_("Sở, ngành"), "district": N_("Huyện"), "commune": N_("Xã")}


def subject_key(*, group=None, indicator=None) -> str:
    """The one spelling of a scorecard subject: "G:II" for a group, "I:PROGRESS_ON_TIME" for an indicator.

    Assignments (`Assignment.key_for`), score records and alerts all name their subject with it.
    """
    if (group is None) == (indicator is None):
        raise ValueError("subject_key needs exactly one of group / indicator")
    return f"G:{group.code}" if group is not None else f"I:{indicator.code}"


class IndicatorGroup(db.Model):
    __tablename__ = "indicator_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    portal_group: Mapped[str | None] = mapped_column(sa.String(60))
    sort_order: Mapped[int] = mapped_column(default=0)

    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="group", order_by="Indicator.sort_order"
    )

    def __repr__(self) -> str:
        return f"<IndicatorGroup {self.code}>"


class Indicator(db.Model):
    __tablename__ = "indicator"
    __table_args__ = (
        sa.CheckConstraint(
            f"value_source IN ({', '.join(repr(k) for k in VALUE_SOURCES)})", name="value_source_known"
        ),
        sa.CheckConstraint("direction IN ('up', 'down')", name="direction_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator_group.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str | None] = mapped_column(sa.String(10), unique=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(400))
    portal_code: Mapped[str | None] = mapped_column(sa.String(60), unique=True)
    levels: Mapped[str] = mapped_column(sa.String(80), default="province,department,district,commune")
    value_source: Mapped[str] = mapped_column(sa.String(20), default="portal")
    direction: Mapped[str] = mapped_column(sa.String(4), default="up")
    definition: Mapped[str] = mapped_column(sa.Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    group: Mapped[IndicatorGroup] = relationship(back_populates="indicators")
    rules: Mapped[list[IndicatorRule]] = relationship(back_populates="indicator")

    def __repr__(self) -> str:
        return f"<Indicator {self.number or self.code}>"

    @property
    def label(self) -> str:
        """Number and name as printed in the plan's table."""
        return f"{self.number}. {self.name}" if self.number else self.name

    @property
    def level_list(self) -> list[str]:
        return [lv for lv in self.levels.split(",") if lv]


class CatalogVersion(db.Model):
    """A dated edition of the scoring rules; the one in force on a date applies to that period."""

    __tablename__ = "catalog_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    effective_from: Mapped[date] = mapped_column(sa.Date, unique=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    rules: Mapped[list[IndicatorRule]] = relationship(back_populates="version", cascade="all, delete-orphan")


class IndicatorRule(db.Model):
    """Max points and threshold of one indicator in one catalog version."""

    __tablename__ = "indicator_rule"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "indicator_id", name="uq_indicator_rule_version_indicator"),
        sa.CheckConstraint("max_points >= 0 AND max_points <= 100", name="max_points_range"),
        sa.CheckConstraint("threshold > 0 AND threshold <= 100", name="threshold_range"),
        sa.CheckConstraint(
            f"zero_denominator IN ({', '.join(repr(k) for k in ZERO_DENOMINATOR)})", name="zero_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("catalog_version.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id", ondelete="RESTRICT"), index=True)
    max_points: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    threshold: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal(100))
    zero_denominator: Mapped[str] = mapped_column(sa.String(8), default="zero")

    version: Mapped[CatalogVersion] = relationship(back_populates="rules")
    indicator: Mapped[Indicator] = relationship(back_populates="rules")

    @property
    def is_linear(self) -> bool:
        return self.threshold >= 100
