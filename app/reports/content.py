"""What the plan and the quarterly report say, as plain data built from the assignments and scores services.

The same objects feed the HTML preview, the PDF and the archive: `asdict(content)` is stored with a signed document
as the inputs it was rendered from (strings, numbers and lists only).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import force_locale, gettext

from app.assignments.models import Assignment
from app.assignments.services import assignment_table, assignments_on
from app.core.errors import DomainError
from app.core.formatting import vn_number
from app.core.time import to_vn
from app.org.models import Unit
from app.reports import texts as wording
from app.reports.dossier_figures import DossierStats, dossier_stats
from app.reports.models import KIND_ABBR, Document
from app.scores import pages, queries
from app.scores.accountability import Responsibility
from app.scores.periods import Period, quarter_period
from app.scores.review import STATE_LABELS

TABLE_TITLE = ("BẢNG PHÂN CÔNG NHIỆM VỤ CÁC CÁ NHÂN PHỤ TRÁCH CÁC CHỈ SỐ THÀNH PHẦN THEO QUYẾT ĐỊNH 766/QĐ-TTg "
               "NGÀY 23/6/2022 CỦA THỦ TƯỚNG CHÍNH PHỦ")


@dataclass
class Heading:
    parent_agency: str
    agency: list[str]
    number: str
    place_date: str
    doc_type: str
    subject: str


@dataclass
class Signature:
    authority: list[str]
    name: str
    title: str
    recipients: list[str]


@dataclass
class PlanRow:
    stt: str
    subject: str
    responsible: str = ""
    cooperating: str = ""
    performer: str = ""
    is_group: bool = False


@dataclass
class PlanContent:
    kind: str
    heading: Heading
    signature: Signature
    texts: dict[str, str]
    table_title: str
    table_on: str
    table: list[PlanRow]
    is_draft: bool = True


@dataclass
class ChartData:
    """A trend chart's data; drawn by `pages.TrendChart.svg`, the function the web pages use."""

    labels: list[str]
    values: list[float | None]
    label: str
    title: str
    y_label: str = ""
    y_max: float | None = None
    rank_axis: bool = False

    @classmethod
    def of(cls, chart: pages.TrendChart | None) -> ChartData | None:
        if chart is None:
            return None
        series = chart.series[0]
        return cls(list(chart.labels), [None if v is None else float(v) for v in series.values], series.label,
                   chart.title, chart.y_label, chart.y_max, chart.rank_axis)

    def svg(self) -> str:
        from app.core.charts import Series

        return pages.TrendChart(tuple(self.labels), (Series(self.label, list(self.values)),), title=self.title,
                                y_label=self.y_label, y_max=self.y_max,
                                rank_axis=self.rank_axis).svg(locale="vi")  # an official document: Vietnamese


@dataclass
class ReportLine:
    number: str
    name: str
    owner: str
    points: str | None
    max_points: str
    change: str | None
    band: str
    band_key: str
    is_group: bool = False


@dataclass
class RankRow:
    rank: int
    of: int
    name: str
    total: str
    movement: int | None
    is_self: bool = False


@dataclass
class RankTable:
    label: str
    rows: list[RankRow]


@dataclass
class RedRow:
    indicator: str
    points: str
    max_points: str
    reasons: list[str]
    owner: str
    reason: str = ""
    remedy: str = ""
    due_on: str = ""
    state: str = ""  # where the explanation's review stands ("Chờ duyệt", "Đã chấp nhận", "Đã trả lại")
    author: str = ""  # who wrote its latest version, and when


@dataclass
class ReportContent:
    kind: str
    heading: Heading
    signature: Signature
    texts: dict[str, str]
    period_label: str
    previous_label: str
    unit_name: str
    total: str | None
    max_points: str
    previous_total: str | None
    change: str | None
    band: str
    rank: str
    previous_rank: str
    peers_label: str
    lines: list[ReportLine]
    total_chart: ChartData | None
    rank_chart: ChartData | None
    ranks: list[RankTable]
    red: list[RedRow]
    dossier_stats: DossierStats | None = None
    is_draft: bool = True


def as_inputs(content: PlanContent | ReportContent) -> dict:
    """The content as JSON-ready data (kept with a signed document)."""
    return asdict(content)


def quarter_of_code(code: str) -> Period:
    """"2026Q4" → the quarter (as the command line writes it)."""
    from app.reports.services import parse_quarter

    return parse_quarter(code)


def quarter_of(doc: Document) -> Period:
    return quarter_period(doc.period_start.year, (doc.period_start.month - 1) // 3 + 1)


def _d(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def heading(doc: Document, unit: Unit) -> Heading:
    parent = unit.parent.name if unit.parent is not None else None
    managing, agency = wording.agency_lines(unit.name, unit.kind, parent)
    year = doc.issued_on.year if doc.issued_on else doc.period_start.year
    return Heading(
        parent_agency=managing, agency=agency,
        number=wording.number_text(doc.number, KIND_ABBR[doc.kind], wording.agency_abbr(unit.kind)),
        place_date=wording.place_date(unit.place_name, doc.issued_on, year),
        doc_type={"plan": "KẾ HOẠCH", "report": "BÁO CÁO"}[doc.kind], subject=doc.title)


def signature(doc: Document, signer) -> Signature:
    """The block at the bottom right: authority, and the signer's name once someone signs (blank before)."""
    title = signer.title if signer is not None else ""
    return Signature(authority=wording.authority_lines(wording.is_deputy_title(title)),
                     name=signer.full_name if signer is not None else "", title=title,
                     recipients=wording.recipients((doc.texts or {}).get("recipients", "").splitlines()))


def table_date(period: Period, today: date) -> date:
    """The day whose assignments a plan prints: today within the quarter, else its first (future) or last day."""
    return min(max(today, period.start_date), period.end_date)


def plan_rows(plan, on: date) -> list[PlanRow]:
    """The assignment table in force on a date, laid out like seed 002 (group rows, their indicators beneath); in
    Vietnamese whatever the reader's language (a team is "Thành viên …" in the official plan)."""
    with force_locale("vi"):
        return _plan_rows(plan, on)


def _plan_rows(plan, on: date) -> list[PlanRow]:
    rows = []
    for g in assignment_table(plan, on):
        a = g.assignment
        rows.append(PlanRow(g.group.code, g.group.name, a.responsible_unit.name if a else "",
                            a.cooperating_text if a else "", a.performer_text if a else "Chưa phân công",
                            is_group=True))
        for ind, own in g.rows:
            rows.append(PlanRow(f"{ind.number}." if ind.number else "", ind.name,
                                own.responsible_unit.name if own else "", own.cooperating_text if own else "",
                                own.performer_text if own else ""))
    return rows


def responsibilities(unit: Unit, on: date) -> list[tuple[str, list[str]]]:
    """Responsible units with the groups (or indicators) they answer for, in table order."""
    out: dict[str, list[str]] = {}
    for key, a in sorted(assignments_on(unit.id, on).items(), key=lambda kv: _order(kv[1])):
        out.setdefault(a.responsible_unit.name, []).append(key.split(":", 1)[1] if a.group is not None
                                                           else f"chỉ số {a.indicator.number or a.indicator.code}")
    return list(out.items())


def _order(a: Assignment):
    return (a.group.sort_order, 0) if a.group is not None else (a.indicator.group.sort_order, a.indicator.sort_order)


def default_texts(kind: str, unit: Unit, period: Period, *, today: date) -> dict[str, str]:
    """The editable texts a new draft starts with."""
    parent = unit.parent.name if unit.parent is not None else None
    label = period_label(period)
    communes = any(u.kind == "commune" for u in unit.children)
    if kind == "plan":
        office = next((u.name for u in unit.children if u.kind == "office"), "Văn phòng " + unit.name)
        return wording.plan_texts(unit_name=unit.name, parent_name=parent, quarter_label=label, drafting_unit=office,
                                  responsibilities=responsibilities(unit, table_date(period, today)),
                                  has_communes=communes)
    return wording.report_texts(unit_name=unit.name, parent_name=parent, quarter_label=label, has_communes=communes)


def period_label(period: Period) -> str:
    """"quý IV/2026"."""
    return "q" + period.label[1:]


def plan_content(doc: Document, *, today: date, signer=None) -> PlanContent:
    """The quarterly plan: heading, texts, signature block and the assignment table in force."""
    period = quarter_of(doc)
    on = table_date(period, today)
    return PlanContent(kind="plan", heading=heading(doc, doc.unit), signature=signature(doc, signer),
                       texts=dict(doc.texts or {}), table_title=TABLE_TITLE, table_on=on.strftime("%d/%m/%Y"),
                       table=plan_rows(doc.plan, on), is_draft=not doc.is_issued and doc.number is None)


def _quarter_end(period: Period):
    """An unsaved draft is seen as of its quarter's end."""
    from app.dossiers.lateness import period_bounds

    return period_bounds(period)[1]


def report_content(doc: Document, *, signer=None) -> ReportContent:
    """The quarterly report of a unit: totals, rank, groups and indicators with owners, trends, sub-unit ranks, red
    indicators with their explanations. A quarter without scores is refused with a clear message."""
    unit, period = doc.unit, quarter_of(doc)
    with force_locale("vi"):  # the charts' titles: an official document is Vietnamese, whatever the reader's language
        page = pages.scorecard_page(unit, "quarter", period, with_details=False)
    card = page.card
    if card is None or (card.total is None and not any(line.record for g in card.groups for line in g.lines)):
        raise DomainError(gettext("Chưa có điểm %(period_label)s của %(unit_name)s: nhập số liệu của Cổng Dịch vụ công quốc "
                                  "gia cho quý này trước khi lập báo cáo.",
                                  period_label=period_label(period), unit_name=unit.name), "quarter")
    with force_locale("vi"):  # the owners (a team is "Thành viên …") as the official report names them
        return _report_content(doc, unit, period, page, signer)


def _report_content(doc: Document, unit: Unit, period: Period, page, signer) -> ReportContent:
    card = page.card
    who = Responsibility(unit)
    current = assignments_on(unit.id, period.end_date)
    lines = []
    for g in card.groups:
        owner = current.get(Assignment.key_for(group=g.group))
        band = g.band or ("", "")
        lines.append(ReportLine(g.group.code, g.group.name, owner.performer_text if owner else "", _d(g.points),
                                _d(g.max_points), None, band[0], band[1], is_group=True))
        for line in g.lines:
            band = line.band or ("", "")
            lines.append(ReportLine(line.indicator.number or "", line.indicator.name,
                                    who.of(line.indicator, period.end_date).label, _d(line.points),
                                    _d(line.max_points), _d(line.change), band[0], band[1]))
    rank, peers = page.rank, page.peers
    previous = queries.previous(period)
    tables = pages.ranks_tables(unit, page.child_groups, period)
    red = []
    for item in page.red:
        e = item.explanation
        red.append(RedRow(item.indicator.label, _d(item.line.points), _d(item.line.max_points), item.reasons,
                          item.accountable.label, e.reason if e else "", e.remedy if e else "",
                          e.due_on.strftime("%d/%m/%Y") if e else "", STATE_LABELS[e.state] if e else "",
                          f"{e.author.full_name}, {to_vn(e.versions[-1].created_at):%d/%m/%Y}"
                          if e and e.author and e.versions else ""))
    band = card.band or ("", "")
    return ReportContent(
        kind="report", heading=heading(doc, unit), signature=signature(doc, signer), texts=dict(doc.texts or {}),
        period_label=period_label(period), previous_label=period_label(previous), unit_name=unit.name,
        total=_d(card.total), max_points=_d(card.max_points), previous_total=_d(card.previous_total),
        change=_d(card.change), band=band[0],
        rank=f"{rank.rank}/{rank.of}" if rank else "", peers_label=peers.label if peers else "",
        previous_rank=f"{rank.previous_rank}/{rank.of}" if rank and rank.previous_rank else "",
        lines=lines, total_chart=ChartData.of(page.total_chart), rank_chart=ChartData.of(page.rank_chart),
        ranks=[RankTable(t.group.label, [RankRow(r.rank, r.of, r.unit.name, _d(r.total), r.movement,
                                                 r.unit.id == unit.id) for r in t.rows]) for t in tables],
        red=red, dossier_stats=dossier_stats(unit, period, now=doc.updated_at or doc.created_at or _quarter_end(period)),
        is_draft=not doc.is_issued and doc.number is None)


def build(doc: Document, *, today: date, signer=None) -> PlanContent | ReportContent:
    """The content of a document as it stands (a draft) or as it is signed (number, date and signer set)."""
    if doc.kind == "plan":
        return plan_content(doc, today=today, signer=signer)
    return report_content(doc, signer=signer)


def summary(content: ReportContent) -> str:
    """One sentence of the report's result, e.g. for the default assessment."""
    change = ""
    if content.change is not None:
        value = float(content.change)
        change = f", {'tăng' if value > 0 else 'giảm' if value < 0 else 'không đổi'} " + (
            f"{vn_number(abs(value))} điểm " if value else "") + f"so với {content.previous_label}"
    rank = f"; xếp hạng {content.rank} trong {content.peers_label}" if content.rank else ""
    return f"Tổng điểm {content.period_label} đạt {vn_number(content.total)}/{vn_number(content.max_points, 0)}" \
           f"{change}{rank}."
