"""The read API's answers as pydantic models: the OpenAPI document's component schemas are generated from them.

Numbers are JSON numbers, periods their code ("2026-Q3", "2026-08", "2026"), dates and moments ISO 8601.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An error (RFC 9457): `type` is stable, `detail` says in Vietnamese what was wrong."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str


class Unit(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    is_active: bool


class UnitPage(Schema):
    items: list[Unit]
    next_cursor: str | None = Field(description="Gửi lại ở ?cursor= để lấy trang sau; null: hết danh sách.")


class IndicatorOut(Schema):
    id: int
    code: str
    number: str | None
    name: str
    direction: str
    value_source: str
    is_active: bool
    max_points: float | None = Field(description="Điểm tối đa theo phiên bản quy tắc áp dụng vào ngày `on`.")
    threshold: float | None
    zero_denominator: str | None


class GroupOut(Schema):
    id: int
    code: str
    name: str
    indicators: list[IndicatorOut]


class VersionOut(Schema):
    id: int
    name: str
    effective_from: date


class Catalog(Schema):
    on: date
    version: VersionOut | None
    versions: list[VersionOut]
    groups: list[GroupOut]


class PlanOut(Schema):
    id: int
    number: str
    title: str
    issuing_unit_id: int
    issued_on: date | None
    period_start: date
    period_end: date | None
    status: str


class PlanPage(Schema):
    items: list[PlanOut]
    next_cursor: str | None


class AssignmentOut(Schema):
    id: int
    subject_key: str
    responsible_unit_id: int
    cooperating_label: str
    team_unit_id: int | None
    performer_label: str
    effective_from: date
    effective_to: date | None


class AssignmentRow(Schema):
    key: str = Field(description="G:<mã nhóm> (dòng nhóm) hoặc I:<mã chỉ số>.")
    group_code: str
    indicator_code: str | None
    assignment: AssignmentOut | None


class AssignmentPage(Schema):
    plan_id: int
    on: date
    items: list[AssignmentRow]
    next_cursor: str | None


class RankOut(Schema):
    unit_id: int
    unit_name: str
    total: float
    rank: int
    of: int
    previous_rank: int | None
    movement: int | None


class LineOut(Schema):
    indicator_id: int
    indicator_code: str
    number: str | None
    name: str
    points: float | None
    max_points: float
    change: float | None
    band: str | None


class GroupCardOut(Schema):
    code: str
    name: str
    max_points: float
    points: float | None
    published: float | None
    computed: float | None
    lines: list[LineOut]


class Scorecard(Schema):
    unit_id: int
    unit_name: str
    period: str
    kind: Literal["month", "quarter", "year"]
    total: float | None
    computed_total: float | None
    previous_total: float | None
    change: float | None
    max_points: float
    band: str | None
    peer_group: str | None
    rank: RankOut | None
    groups: list[GroupCardOut]


class SeriesPoint(Schema):
    period: str
    total: float
    rank: int | None
    of: int | None


class Series(Schema):
    unit_id: int
    kind: Literal["month", "quarter", "year"]
    until: str
    points: list[SeriesPoint]


class Ranks(Schema):
    unit_id: int
    period: str
    peer_group: str
    rows: list[RankOut]


class RedItemOut(Schema):
    indicator_id: int
    indicator_code: str
    name: str
    points: float | None
    max_points: float
    band: str | None
    is_lowest_band: bool
    drop: float | None
    reasons: list[str]
    accountable: str
    explanation_status: Literal["explained", "missing"]
    # the review of the explanation (None when there is none): waiting, accepted by the reviewer, or sent back
    explanation_review: Literal["submitted", "accepted", "returned"] | None = None
    explanation_due_on: date | None


class RedList(Schema):
    unit_id: int
    period: str
    items: list[RedItemOut]


class AlertOut(Schema):
    id: int
    kind: str
    kind_label: str
    message: str
    unit_id: int | None
    escalation_level: int
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


class AlertPage(Schema):
    items: list[AlertOut]
    next_cursor: str | None


class StatRowOut(Schema):
    unit_id: int | None = Field(description="null: dòng tổng.")
    unit_name: str
    is_own: bool
    counts: dict[str, int]
    to_handle: int
    done: int
    processing: int
    on_time_rate: float | None


class DossierStats(Schema):
    unit_id: int
    period: str
    as_of: datetime
    rows: list[StatRowOut]
    total: StatRowOut


MODELS = (Problem, Unit, UnitPage, Catalog, PlanPage, AssignmentPage, Scorecard, Series, Ranks, RedList, AlertPage,
          DossierStats)
