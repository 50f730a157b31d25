"""The heatmap and the red list as sortable, filterable tables, and their Excel workbooks.

Rows come from the same services as the pages (`pages.overview_page`, `accountability.red_list`), so lists and
exports show exactly the caller's tree; sorting and filtering happen here on those rows, never with more queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.core.excel import Sheet, workbook_bytes
from app.core.i18n import period_name
from app.core.listing import Column, Filter, Listing
from app.org.models import UNIT_KINDS, Unit
from app.scores import queries
from app.scores.periods import Period

# --- the heatmap -----------------------------------------------------------------------------------------------------


@dataclass
class HeatRow:
    unit: Unit
    lines: list[queries.Line]
    total: Decimal | None

    @property
    def reds(self) -> int:
        return sum(1 for line in self.lines if line.record is not None and queries.is_lowest_band(
            line.points, line.max_points))


def _points_of(index: int):
    return lambda row: row.lines[index].points if index < len(row.lines) else None


def heat_listing(indicators: list) -> Listing:
    """Sort by unit, total, number of red cells or any indicator's points; filter by kind of unit and red cells."""
    columns = [Column("unit", _l("Đơn vị"), value=lambda r: r.unit.name, text=True),
               Column("total", _l("Tổng điểm"), value=lambda r: r.total),
               Column("reds", _l("Số chỉ số mức Yếu"), value=lambda r: r.reds)]
    columns += [Column(f"i{ind.id}", f"{ind.number or '*'}. {ind.name}", value=_points_of(i))
                for i, ind in enumerate(indicators)]
    return Listing(
        columns=tuple(columns), default="unit", search=lambda r: r.unit.name, search_label=_l("Tìm đơn vị"),
        filters=(Filter("unit_kind", _l("Loại đơn vị"), choice=lambda r: (r.unit.kind, gettext(UNIT_KINDS.get(r.unit.kind, "")))),
                 Filter("red", _l("Chỉ số mức Yếu"), choice=lambda r: ("1" if r.reds else "0", ""),
                        options=[("1", _l("Có chỉ số mức Yếu")), ("0", _l("Không có chỉ số mức Yếu"))])))


def heat_rows(heat: list, period: Period) -> list[HeatRow]:
    """The heatmap's rows with each unit's published total (one cached read for all units)."""
    from app.scores.totals import cached_totals

    sums = cached_totals([u.id for u, _ in heat], period.kind, starts=[period.start_date]) if heat else {}
    return [HeatRow(u, lines, sums.get((u.id, period.start_date))) for u, lines in heat]


def arrange_heat(page, state) -> list[HeatRow]:
    """The overview's heatmap rows filtered and sorted by `state`; `page.heat` is replaced by them, in order."""
    if page.period is None:
        return []
    rows = state.apply(heat_rows(page.heat, page.period))
    page.heat = [(r.unit, r.lines) for r in rows]
    return rows


def heat_workbook(root: Unit, period: Period, indicators: list, rows: list[HeatRow], filtered: bool) -> bytes:
    """Units × indicators (points), with the total; a second sheet names the indicators and their maximum."""
    headers = [gettext("Đơn vị"), gettext("Tổng điểm"), *(f"{ind.number or '*'}" for ind in indicators)]
    data = [[r.unit.name, r.total, *(line.points for line in r.lines)] for r in rows]
    maxima = rows[0].lines if rows else []
    note = gettext("Bản đồ nhiệt: %(unit)s — %(period)s (điểm đạt được của từng chỉ số)", unit=root.name,
                   period=period_name(period)) + (" " + gettext("(đã lọc)") if filtered else "")
    legend = [[_number(ind) or "*", ind.name, line.max_points if line else None]
              for ind, line in zip(indicators, maxima or [None] * len(indicators), strict=False)]
    return workbook_bytes([
        Sheet(title=gettext("Bản đồ nhiệt"), note=note, headers=headers, rows=data,
              widths=[34, 10, *([6] * len(indicators))], landscape=True),
        Sheet(title=gettext("Chỉ số"), headers=[gettext("STT"), gettext("Chỉ số"), gettext("Tối đa")], rows=legend,
              widths=[6, 90, 9], landscape=False),
    ])


# --- ranks ---------------------------------------------------------------------------------------------------------

RANKS_LISTING = Listing(
    columns=(Column("rank", _l("Hạng"), value=lambda r: r.rank),
             Column("unit", _l("Đơn vị"), value=lambda r: r.unit.name, text=True),
             Column("total", _l("Tổng điểm"), value=lambda r: r.total),
             Column("movement", _l("Thay đổi thứ hạng"), value=lambda r: r.movement)),
    default="rank", search=lambda r: r.unit.name, search_label=_l("Tìm đơn vị"),
)


# --- the red list ----------------------------------------------------------------------------------------------------


def _number(indicator):
    """The indicator's number as an integer cell when it is one ("4"), else its text ("16b")."""
    number = indicator.number or ""
    return int(number) if number.isdigit() else number


def _explained(row) -> tuple[str, str]:
    return ("1", gettext("Đã giải trình")) if row.item.explanation else ("0", gettext("Chưa giải trình"))


def _reasons(row) -> list[tuple[str, str]]:
    found = []
    if row.item.is_lowest_band:
        found.append(("low", gettext("Ở mức thấp nhất")))
    if row.item.drop is not None:
        found.append(("drop", gettext("Giảm mạnh")))
    return found


def _who(row) -> str:
    return row.item.accountable.page_label if row.item.accountable is not None else ""


RED_LISTING = Listing(
    columns=(
        Column("unit", _l("Đơn vị, kỳ"), value=lambda r: r.unit.name, text=True),
        Column("indicator", _l("Chỉ số"), value=lambda r: (r.item.indicator.group.sort_order,
                                                          r.item.indicator.sort_order)),
        Column("points", _l("Điểm"), value=lambda r: r.item.line.points),
        Column("change", _l("Thay đổi"), value=lambda r: r.item.line.change),
        Column("owner", _l("Người phụ trách"), value=_who, text=True),
        Column("explained", _l("Giải trình"), value=lambda r: (r.item.explanation is not None,
                                                              r.item.explanation.due_on if r.item.explanation
                                                              else None)),
    ),
    default="unit",
    filters=(Filter("unit", _l("Đơn vị"), choice=lambda r: (r.unit.id, r.unit.name)),
             Filter("explained", _l("Giải trình"), choice=_explained,
                    options=[("0", _l("Chưa giải trình")), ("1", _l("Đã giải trình"))]),
             Filter("reason", _l("Lý do"), choice=_reasons,
                    options=[("low", _l("Ở mức thấp nhất")), ("drop", _l("Giảm mạnh"))])),
    search=lambda r: f"{r.unit.name} {r.item.indicator.label} {_who(r)}",
    search_label=_l("Tìm đơn vị, chỉ số, người"),
)


def red_workbook(rows: list, filtered: bool) -> bytes:
    """One line per red indicator: unit, period ("Tháng 11/2026"), points, why, who answers, the explanation."""
    data = []
    for r in rows:
        item, e = r.item, r.item.explanation
        data.append([r.unit.name, period_name(r.period), _number(item.indicator), item.indicator.name, item.line.points,
                     item.line.max_points, item.line.change, ", ".join(item.page_reasons), _who(r),
                     gettext("Đã giải trình") if e else gettext("Chưa giải trình"), e.reason if e else "",
                     e.remedy if e else "", e.due_on if e else None])
    note = gettext("Chỉ số cần giải trình — %(count)s chỉ số", count=len(rows)) + (
        " " + gettext("(đã lọc)") if filtered else "")
    return workbook_bytes([Sheet(
        title=gettext("Chỉ số cần giải trình"), note=note,
        headers=[gettext("Đơn vị"), gettext("Kỳ"), gettext("STT"), gettext("Chỉ số"), gettext("Điểm"),
                 gettext("Tối đa"), gettext("Thay đổi"), gettext("Lý do"), gettext("Người phụ trách"),
                 gettext("Giải trình"), gettext("Lý do giải trình"), gettext("Biện pháp khắc phục"),
                 gettext("Hạn hoàn thành")],
        rows=data, widths=[30, 14, 6, 50, 8, 8, 9, 22, 30, 16, 40, 40, 12], integer_columns={2})])
