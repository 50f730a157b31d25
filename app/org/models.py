"""The unit tree (đơn vị): province, district, commune, departments, offices."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.time import now_utc
from app.core.types import UTCDateTime
from app.extensions import db

UNIT_KINDS = {
    "province": N_("Tỉnh"),
    "district": N_("Huyện"),
    "commune": N_("Xã, thị trấn"),
    "department": N_("Cơ quan chuyên môn"),
    "office": N_("Văn phòng"),
    "police": N_("Công an"),
    "one_stop": N_("Bộ phận một cửa"),
    "other": N_("Khác"),
}


class Unit(db.Model):
    __tablename__ = "unit"
    __table_args__ = (
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in UNIT_KINDS)})", name="kind_known"),
        sa.CheckConstraint("length(trim(code)) > 0 AND length(trim(name)) > 0", name="code_name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(20), default="other")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    portal_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Made up from the name by an import whose file gave no code; the first file with the real code replaces it.
    is_code_provisional: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(
        back_populates="parent", order_by="(Unit.sort_order, Unit.name)"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)

    def ancestors(self) -> list[Unit]:
        """Parents from the nearest up to the root."""
        chain, node, seen = [], self.parent, {self.id}
        while node is not None and node.id not in seen:
            chain.append(node)
            seen.add(node.id)
            node = node.parent
        return chain

    def is_descendant_of(self, other: Unit) -> bool:
        """True when `other` is this unit or one of its ancestors."""
        return self.id == other.id or any(a.id == other.id for a in self.ancestors())

    def is_visible_to(self, user) -> bool:
        """A user sees their own unit and everything below it."""
        return bool(user and user.is_authenticated and user.unit and self.is_descendant_of(user.unit))

    @property
    def place_name(self) -> str:
        """Place written before the date of a document ("Ninh Sơn, ngày ...")."""
        for prefix in ("UBND thị trấn ", "UBND phường ", "UBND xã ", "UBND huyện ", "UBND thị xã ", "UBND tỉnh ",
                       "UBND thành phố "):
            if self.name.startswith(prefix):
                return self.name[len(prefix):]
        return self.name

    @property
    def path_label(self) -> str:
        return " › ".join(u.name for u in reversed([self, *self.ancestors()]))
