"""The assignment table sorted, filtered and exported like the plan's annex ("BẢNG PHÂN CÔNG NHIỆM VỤ …").

The table stays grouped as the plan prints it: groups are ordered by the chosen column, and the indicators within
each group too. An indicator row without its own assignment belongs to its group's owner for filtering (who
performs it), so filtering by a performer keeps the group row and the indicators that person answers for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.assignments.models import Assignment, Plan
from app.assignments.services import TableGroup
from app.core.excel import Sheet, workbook_bytes
from app.core.formatting import local_date
from app.core.listing import Column, Filter, Listing, ListState
from app.indicators.models import Indicator


@dataclass
class Line:
    """One row of the table: a group row (indicator None) or an indicator row, with the owner in force."""

    group: TableGroup
    indicator: Indicator | None
    own: Assignment | None  # the row's own assignment (a group row's, or an indicator's "phân công riêng")

    @property
    def owner(self) -> Assignment | None:
        return self.own or (self.group.assignment if self.indicator is not None else None)

    @property
    def number(self) -> tuple:
        if self.indicator is None:
            return (self.group.group.sort_order, 0)
        return (self.group.group.sort_order, 1, self.indicator.sort_order, self.indicator.number or 0)

    @property
    def name(self) -> str:
        return self.indicator.name if self.indicator is not None else self.group.group.name

    @property
    def text(self) -> str:
        owner = self.owner
        parts = [self.indicator.label if self.indicator is not None else self.group.group.code, self.name]
        if owner is not None:
            parts += [owner.responsible_unit.name, owner.cooperating_text, owner.performer_text]
        return " ".join(parts)


def _unit(line: Line):
    return (line.owner.responsible_unit_id, line.owner.responsible_unit.name) if line.owner else None


def _people(line: Line):
    if line.owner is None:
        return None
    found = [(p.id, p.full_name) for p in line.owner.performers]
    if line.owner.team_unit is not None:
        found.append((f"t{line.owner.team_unit_id}", line.owner.team_text))
    return found


LISTING = Listing(
    columns=(
        Column("number", _l("STT"), value=lambda r: r.number),
        Column("name", _l("Chỉ số"), value=lambda r: r.name, text=True),
        Column("unit", _l("Đơn vị phụ trách"), value=lambda r: r.owner.responsible_unit.name if r.owner else None,
               text=True),
        Column("coop", _l("Đơn vị phối hợp"), value=lambda r: r.owner.cooperating_text if r.owner else None,
               text=True),
        Column("performer", _l("Người thực hiện"), value=lambda r: r.owner.performer_text if r.owner else None,
               text=True),
    ),
    default="number",
    filters=(Filter("unit", _l("Đơn vị phụ trách"), choice=_unit),
             Filter("performer", _l("Người thực hiện"), choice=_people)),
    search=lambda r: r.text,
    search_label=_l("Tìm chỉ số, đơn vị, người"),
)


@dataclass
class ShownGroup:
    """A group as shown (the template reads it like a TableGroup): its row and the indicator rows that match."""

    table_group: TableGroup
    line: Line
    lines: list[Line] = field(default_factory=list)
    matched: bool = True

    @property
    def group(self):
        return self.table_group.group

    @property
    def assignment(self) -> Assignment | None:
        return self.table_group.assignment

    @property
    def rows(self) -> list[tuple[Indicator, Assignment | None]]:
        return [(line.indicator, line.own) for line in self.lines]


def arrange(table: list[TableGroup], state: ListState) -> list[ShownGroup]:
    """The groups and indicator rows matching the filters, groups and rows within them in the chosen order."""
    heads = [Line(g, None, g.assignment) for g in table]
    rows = {id(g): [Line(g, ind, own) for ind, own in g.rows] for g in table}
    everything = heads + [line for lines in rows.values() for line in lines]
    kept = {id(line) for line in state.filter_rows(everything)}
    shown = []
    for head in state.sort_rows(heads):
        lines = [line for line in state.sort_rows(rows[id(head.group)]) if id(line) in kept]
        if id(head) in kept or lines:
            shown.append(ShownGroup(head.group, head, lines, id(head) in kept))
    return shown


def _cells(line: Line, *, own_only: bool) -> list:
    owner = line.own if own_only else line.owner
    if owner is None:
        return ["", "", ""]
    return [owner.responsible_unit.name, owner.cooperating_text, owner.performer_text]


def workbook(plan: Plan, groups: list[ShownGroup], on: date, filtered: bool) -> bytes:
    """The annex table as the plan prints it: group rows bold with their owner, indicators beneath."""
    rows, bold = [], set()
    for g in groups:
        bold.add(len(rows))
        rows.append([g.group.code, g.group.name, *_cells(g.line, own_only=True)])
        for line in g.lines:
            cells = _cells(line, own_only=True)
            if line.own is not None:
                separately = gettext("phân công riêng")
                cells[2] = f"{cells[2]} ({separately})"
            rows.append([f"{line.indicator.number}." if line.indicator.number else "", line.indicator.name, *cells])
    head = gettext("%(unit)s — %(plan)s — Bảng phân công nhiệm vụ các cá nhân phụ trách các chỉ số thành phần "
                   "theo Quyết định 766/QĐ-TTg — hiệu lực ngày %(on)s", unit=plan.issuing_unit.name, plan=plan.title,
                   on=local_date(on))
    if filtered:
        head += " " + gettext("(đã lọc)")
    return workbook_bytes([Sheet(
        title=gettext("Bảng phân công"), note=head,
        headers=[str(c.label) for c in LISTING.columns], rows=rows, widths=[8, 60, 32, 36, 36], bold_rows=bold,
        landscape=True)])
